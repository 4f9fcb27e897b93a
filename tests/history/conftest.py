"""Real Git repos with fixed dates for the history package's tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ENV = {"GIT_AUTHOR_NAME": "Ana", "GIT_AUTHOR_EMAIL": "ana@example.org", "GIT_COMMITTER_NAME": "Ana",
       "GIT_COMMITTER_EMAIL": "ana@example.org", "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str, when: str = "2026-03-02T09:00:00+01:00") -> str:
    env = {**os.environ, **ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True).stdout


def commit_file(repo: Path, path: str, text: str, when: str) -> str:
    """Commit ``text`` at ``path`` with committer and author time ``when``; return the commit."""
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text, encoding="utf-8")
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", f"edit {path}", when=when)
    return git(repo, "rev-parse", "HEAD").strip()


def incident(ticket_id: str, status: str) -> str:
    return f"---\nid: {ticket_id}\ntitle: Export fails\nseverity: P1\nstatus: {status}\n---\nBody.\n"


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A gitdesk repo on main: gitdesk.yml, then INC-0001 reported and resolved."""
    repo = tmp_path / "desk"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    commit_file(repo, "gitdesk.yml", "title: Desk\n", "2026-03-02T09:00:00+01:00")
    commit_file(repo, "tickets/incidents/2026/INC-0001.md", incident("INC-0001", "reported"), "2026-03-02T09:30:00+01:00")
    commit_file(repo, "tickets/incidents/2026/INC-0001.md", incident("INC-0001", "resolved"), "2026-03-02T11:00:00+01:00")
    return repo
