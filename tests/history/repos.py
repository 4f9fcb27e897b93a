"""Helpers that build real Git repos with fixed commit dates (shared by history and SLA tests)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ENV = {"GIT_AUTHOR_NAME": "Ana", "GIT_AUTHOR_EMAIL": "ana@example.org", "GIT_COMMITTER_NAME": "Ana",
       "GIT_COMMITTER_EMAIL": "ana@example.org"}


def git(repo: Path, *args: str, when: str | None = None) -> str:
    """Run git in ``repo`` as Ana; ``when`` fixes both author and committer time."""
    env = {**os.environ, **ENV}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    return subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True).stdout


def commit_file(repo: Path, path: str, text: str, when: str, message: str = "edit") -> str:
    """Commit ``text`` at ``path`` at time ``when``; return the new commit."""
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text, encoding="utf-8")
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", message, when=when)
    return git(repo, "rev-parse", "HEAD").strip()


def incident(ticket_id: str, status: str, extra: str = "") -> str:
    return f"---\nid: {ticket_id}\ntitle: Export fails\nseverity: P1\nstatus: {status}\n{extra}---\nBody.\n"
