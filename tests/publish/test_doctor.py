"""`gitdesk doctor` on real repos: each finding names its fix; exit 1 only when something blocks publishing."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from publish_testkit import SECRET, git, run

READY = "ready to publish"


def test_a_ready_desk_exits_0(desk: Path) -> None:
    code, stdout, stderr = run(desk, "doctor")
    assert code == 0, stdout
    assert stdout == "" and READY in stderr


def test_a_missing_secret_is_a_warning_with_its_fix(desk: Path) -> None:
    code, stdout, stderr = run(desk, "doctor", secret=None)
    assert code == 0
    assert "GITDESK_FEED_SECRET is not set" in stdout and "openssl rand -hex 32" in stdout
    assert READY in stderr


def test_a_fresh_init_lists_everything_missing(tmp_path: Path) -> None:
    repo = tmp_path / "desk"
    assert run(tmp_path, "init", str(repo))[0] == 0
    config = (repo / "gitdesk.yml").read_text(encoding="utf-8")
    (repo / "gitdesk.yml").write_text(config + "clients:\n  - {id: acme, name: Acme}\n  - {id: norte, name: Norte}\n", encoding="utf-8")
    code, stdout, stderr = run(repo, "doctor", secret=None)
    assert code == 1
    assert "has no site.url" in stdout and "site: {url: https://status.example.org/}" in stdout
    for key, who in (("clients[0].access.htpasswd", "'acme'"), ("clients[1].access.htpasswd", "'norte'"),
                     ("site.access.internal_htpasswd", "internal site")):
        line = next(line for line in stdout.splitlines() if key in line and "is not set" in line)
        assert who in line
    lines = stdout.splitlines()
    findings = [i for i, line in enumerate(lines) if line.startswith(("✗ ", "! "))]
    assert findings and all(lines[i + 1].startswith("  fix: ") for i in findings)
    assert "no commits yet" in stdout
    assert "block publishing" in stderr


def test_a_shallow_clone_blocks_publishing(own_desk: Path, tmp_path: Path) -> None:
    git(own_desk, "add", "-A")
    git(own_desk, "commit", "-q", "-m", "access files", when=datetime(2026, 11, 20, 10, tzinfo=timezone.utc))
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "main", f"file://{own_desk}", str(shallow)], check=True, capture_output=True)
    code, stdout, _ = run(shallow, "doctor")
    assert code == 1
    assert "shallow clone" in stdout and "git fetch --unshallow" in stdout


def test_mkdocs_yml_without_the_gitdesk_plugin_blocks_publishing(own_desk: Path) -> None:
    (own_desk / "mkdocs.yml").write_text("site_name: x\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
                                         "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
                                         "plugins:\n  - search\n  - tags\n", encoding="utf-8")
    code, stdout, _ = run(own_desk, "doctor")
    assert code == 1
    assert "does not enable the gitdesk plugin" in stdout and "plugins: [search, gitdesk]" in stdout


@pytest.mark.parametrize("plugins", ["[search, gitdesk]", "\n  - search\n  - gitdesk: {audience: client}"])
def test_mkdocs_yml_with_the_plugin_passes(own_desk: Path, plugins: str) -> None:
    (own_desk / "mkdocs.yml").write_text(f"site_name: x\nplugins: {plugins}\n", encoding="utf-8")
    assert run(own_desk, "doctor")[0] == 0


def test_a_broken_access_file_is_reported_with_the_others(own_desk: Path) -> None:
    (own_desk / "access" / "globex.htpasswd").write_text("gina:hunter2\n", encoding="utf-8")
    (own_desk / "access" / "internal.htpasswd").unlink()
    code, stdout, _ = run(own_desk, "doctor")
    assert code == 1
    assert "clients[1].access.htpasswd" in stdout and "globex.htpasswd:1" in stdout
    assert "site.access.internal_htpasswd" in stdout and "does not exist" in stdout


def test_a_missing_gitdesk_yml_exits_2(tmp_path: Path) -> None:
    code, _, stderr = run(tmp_path, "doctor")
    assert code == 2 and "gitdesk init" in stderr


def test_a_site_url_in_mkdocs_yml_is_a_warning(own_desk: Path) -> None:
    (own_desk / "mkdocs.yml").write_text("site_name: x\nsite_url: https://status.example.org/\nplugins: [search, gitdesk]\n", encoding="utf-8")
    code, stdout, _ = run(own_desk, "doctor")
    assert code == 0
    assert "sets site_url" in stdout and "remove site_url" in stdout
