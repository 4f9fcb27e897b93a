"""build, serve and generate hand their options to the MkDocs plugin instance: they win over mkdocs.yml."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.cli.helpers import NOW, run
from tests.foundation.helpers import interruptible

#: The repo's own mkdocs.yml asks for the internal audience; the command line asks for client acme.
INTERNAL_MKDOCS = """\
site_name: Desk
use_directory_urls: false
theme: {name: material, font: false}
plugins:
  - search
  - gitdesk:
      audience: internal
      now: "2026-11-23T10:00:00+00:00"
"""


def _own_mkdocs(repo: Path) -> None:
    (repo / "docs").mkdir(exist_ok=True)
    (repo / "mkdocs.yml").write_text(INTERNAL_MKDOCS, encoding="utf-8")


def test_build_options_win_over_the_plugin_settings_in_mkdocs_yml(repo: Path, sample) -> None:
    _own_mkdocs(repo)
    result = run(repo, "build", "--client", "acme", "--now", NOW)
    assert result.exit_code == 0, result.output
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (repo / "site").rglob("*") if p.is_file())
    assert not (repo / "site/incidents/INC-0004.html").exists()  # the internal ticket
    assert [name for name, canary in sample.CANARIES.items() if canary in text] == []


def test_plain_mkdocs_uses_the_plugin_settings_of_mkdocs_yml(repo: Path, tmp_path: Path) -> None:
    # Two builds in one process: the options of the first must not leak into the second.
    _own_mkdocs(repo)
    assert run(repo, "build", "--client", "acme", "--now", NOW, "--out", str(tmp_path / "client")).exit_code == 0
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(tmp_path / "plain")))
    assert (tmp_path / "plain/incidents/INC-0004.html").is_file()  # internal audience, as mkdocs.yml says
    assert not (tmp_path / "client/incidents/INC-0004.html").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_previews_the_site_for_the_client_given(repo: Path) -> None:
    _own_mkdocs(repo)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, "-m", "gitdesk", "--repo", str(repo), "serve", "--audience", "client",
                               "--client", "acme", "--now", NOW, "--dev-addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              preexec_fn=interruptible)
    try:
        deadline = time.monotonic() + 120  # a generous bound for a loaded machine, not a timing assertion
        while server.poll() is None and time.monotonic() < deadline:
            try:
                if _get(base + "index.html") == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        assert _get(base + "incidents/INC-0001.html") == 200
        assert _get(base + "incidents/INC-0004.html") == 404  # internal: not in acme's preview, whatever mkdocs.yml says
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "Traceback" not in err


def _page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError):
        return ""


def _wait_for(url: str, text: str, server: subprocess.Popen[str], seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds  # a bound for a loaded machine, not a timing assertion
    while server.poll() is None and time.monotonic() < deadline:
        if text in _page(url):
            return True
        time.sleep(0.3)
    return False


def test_serve_rebuilds_after_a_commit_not_only_after_an_edit(repo: Path) -> None:
    """The timeline and the clocks read commits: `git commit` alone must refresh the preview."""
    port = _free_port()
    page = f"http://127.0.0.1:{port}/incidents/INC-0001.html"
    server = subprocess.Popen([sys.executable, "-m", "gitdesk", "--repo", str(repo), "serve", "--audience", "internal",
                               "--dev-addr", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              preexec_fn=interruptible)
    try:
        assert _wait_for(page, "INC-0001", server), server.stderr.read() if server.stderr else ""
        ticket = next(repo.glob("tickets/incidents/*/INC-0001.md"))
        text = ticket.read_text(encoding="utf-8")
        ticket.write_text(text.replace("\nupdate:", "\nupdate: PREVIEWED-EDIT", 1), encoding="utf-8")
        assert _wait_for(page, "PREVIEWED-EDIT", server)  # the edit's own rebuild is done
        subprocess.run(["git", "-C", str(repo), "commit", "-qam", "INC-0001: previewed"], check=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
                            "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"})
        sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short=7", "HEAD"], check=True,
                             capture_output=True, text=True).stdout.strip()
        assert _wait_for(page, sha, server), "the commit never reached the preview's timeline"
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)
