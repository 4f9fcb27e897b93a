"""build, serve and generate hand their options to the MkDocs plugin instance: they win over mkdocs.yml."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.cli.helpers import NOW, run

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
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
