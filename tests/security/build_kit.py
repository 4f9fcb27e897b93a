"""Shared by the build-trust tests: the sample desk as a real Git repo, a MkDocs docs folder, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner, Result

from gitdesk.cli import cli
from tests.site import sample

NOW = "2026-11-23T10:00:00+00:00"
#: the time of the commits the tests add on top of the sample's history
LATER = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
MKDOCS = """\
site_name: Acme status
use_directory_urls: false
theme: {name: material, font: false}
plugins: [search, gitdesk]
"""


def desk(root: Path, *, mkdocs: str | None = MKDOCS, docs: dict[str, str] | None = None) -> Path:
    """The sample desk at ``root`` as a Git repo, with ``mkdocs`` as its mkdocs.yml and ``docs`` under docs/, committed."""
    root.mkdir(parents=True)
    sample.git_repo(root)
    if mkdocs is not None:
        (root / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
    for rel, text in (docs or {}).items():
        (root / "docs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / rel).write_text(text, encoding="utf-8")
    commit(root, "site: mkdocs.yml and docs")
    return root


def commit(repo: Path, message: str) -> None:
    """Commit everything in ``repo`` (symlinks as symlinks, as Git stores them) at a fixed time."""
    sample._git(repo, "add", "-A")
    sample._git(repo, "commit", "-q", "--allow-empty", "-m", message, when=LATER)


def run(repo: Path, *args: str) -> Result:
    """``gitdesk --repo REPO ARGS`` in-process; stdout and stderr apart."""
    return CliRunner().invoke(cli, ["--repo", str(repo), *args], catch_exceptions=False)


def run_process(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m gitdesk --repo REPO ARGS`` as its own process, with ``env`` added to its environment."""
    return subprocess.run([sys.executable, "-m", "gitdesk", "--repo", str(repo), *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def every_byte(site: Path) -> str:
    """Every file of a built site as one text, to search for what must not be there."""
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(site.rglob("*")) if p.is_file())


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path: equal snapshots mean nothing was touched."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path, name: str = "site") -> list[str]:
    """Temporary folders a build of ``parent/name`` left behind."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def copy(repo: Path, dest: Path) -> Path:
    """A private copy of ``repo`` (symlinks kept)."""
    return Path(shutil.copytree(repo, dest, symlinks=True))
