"""Finding 11 and the `hooks:` item: a build publishes all or nothing, and mkdocs.yml's code is named.

A ticket with ``severity: P9`` (or one that does not load) made ``build``
print ✓ and exit 0 while the ticket dropped out or showed wrong, so an
ongoing P1 could vanish from a client's status page. Real Git repos, the
real CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.build_kit import MKDOCS, NOW, commit, desk, every_byte, leftovers, run, snapshot

INC = "tickets/incidents/2026/INC-0001.md"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The sample desk, built once for acme into site/, then INC-0001 (acme's P1) committed with severity P9."""
    repo = desk(tmp_path / "desk", mkdocs=None)
    assert run(repo, "build", "--client", "acme", "--now", NOW).exit_code == 0
    path = repo / INC
    text = path.read_text(encoding="utf-8")
    assert "severity: P1" in text
    path.write_text(text.replace("severity: P1", "severity: P9"), encoding="utf-8")
    commit(repo, "INC-0001: severity P9")
    return repo


def test_build_refuses_an_invalid_ticket_and_keeps_the_previous_site(broken: Path) -> None:
    before = snapshot(broken / "site")
    result = run(broken, "build", "--client", "acme", "--now", NOW)
    assert result.exit_code == 1
    assert f"{INC}:" in result.stderr and "severity" in result.stderr and "--keep-going" in result.stderr
    assert "✓" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(broken / "site") == before and leftovers(broken) == []


def test_keep_going_publishes_the_rest_and_lists_what_was_left_out(broken: Path) -> None:
    result = run(broken, "build", "--client", "acme", "--now", NOW, "--keep-going")
    assert result.exit_code == 0, result.output
    assert f"{INC} is left out of the site" in result.stderr
    assert f"1 file(s) left out: {INC}" in result.stderr
    assert not (broken / "site/incidents/INC-0001.html").exists()
    assert (broken / "site/index.html").is_file()


def test_a_ticket_that_does_not_load_is_refused_too(tmp_path: Path) -> None:
    repo = desk(tmp_path / "desk", mkdocs=None)
    (repo / INC).write_text("---\nid: [INC-0001\n---\n", encoding="utf-8")
    commit(repo, "INC-0001: broken header")
    result = run(repo, "build", "--client", "acme", "--now", NOW)
    assert result.exit_code == 1 and f"{INC}:" in result.stderr
    assert not (repo / "site").exists()


def test_generate_refuses_the_same_way(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    result = run(broken, "generate", "--out", str(out), "--client", "acme", "--now", NOW)
    assert result.exit_code == 1 and f"{INC}:" in result.stderr
    assert not out.exists() and leftovers(tmp_path, "generated") == []
    kept = run(broken, "generate", "--out", str(out), "--client", "acme", "--now", NOW, "--keep-going")
    assert kept.exit_code == 0 and f"left out: {INC}" in kept.stderr
    assert (out / "docs/index.md").is_file() and not (out / "docs/incidents/INC-0001.md").exists()


def test_publish_refuses_the_same_way(broken: Path, tmp_path: Path) -> None:
    from tests.publish.publish_testkit import add_access

    add_access(broken)
    commit(broken, "access files")
    out = tmp_path / "published"
    result = run(broken, "publish", "--out", str(out), "--now", NOW)
    assert result.exit_code == 1 and f"{INC}:" in result.stderr
    assert not out.exists()
    kept = run(broken, "publish", "--out", str(out), "--now", NOW, "--keep-going")
    assert kept.exit_code == 0, kept.output
    assert f"left out: {INC}" in kept.stderr
    assert "INC-0001" not in every_byte(out / "acme") and (out / "acme/index.html").is_file()


@pytest.mark.parametrize("command", ["build", "generate", "publish"])
def test_the_help_says_the_build_is_all_or_nothing(command: str, tmp_path: Path) -> None:
    text = " ".join(run(tmp_path, command, "--help").stdout.split())
    assert "All or nothing" in text and "exit 1" in text and "--keep-going" in text


HOOKED = MKDOCS.replace("plugins: [search, gitdesk]", "plugins: [search, gitdesk, macros]") + "hooks: [hooks/notify.py]\n"


def test_validate_and_doctor_name_hooks_and_unknown_plugins(tmp_path: Path) -> None:
    repo = desk(tmp_path / "desk", mkdocs=HOOKED, docs={"index.md": "# Welcome\n"})
    validate = run(repo, "validate", "--no-history")
    assert validate.exit_code == 0  # a warning: hooks are legitimate, but a reviewer must know they run
    warnings = [line for line in validate.stdout.splitlines() if "GD402" in line]
    assert len(warnings) == 2 and all(line.startswith("mkdocs.yml:") for line in warnings)
    assert "hooks/notify.py" in warnings[0] + warnings[1] and "macros" in warnings[0] + warnings[1]
    assert "pull request" in validate.stdout
    doctor = run(repo, "doctor")
    assert "hooks/notify.py" in doctor.stdout and "macros" in doctor.stdout


def test_a_plain_mkdocs_yml_gets_no_code_warning(tmp_path: Path) -> None:
    repo = desk(tmp_path / "desk", docs={"index.md": "# Welcome\n"})
    validate = run(repo, "validate", "--no-history")
    assert validate.exit_code == 0 and "GD402" not in validate.stdout
