"""Real Git repos with fixed dates for the history package's tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.history.repos import commit_file, incident


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A gitdesk repo on main: gitdesk.yml, then INC-0001 reported and resolved."""
    repo = tmp_path / "desk"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    commit_file(repo, "gitdesk.yml", "title: Desk\n", "2026-03-02T09:00:00+01:00")
    commit_file(repo, "tickets/incidents/2026/INC-0001.md", incident("INC-0001", "reported"), "2026-03-02T09:30:00+01:00")
    commit_file(repo, "tickets/incidents/2026/INC-0001.md", incident("INC-0001", "resolved"), "2026-03-02T11:00:00+01:00")
    return repo
