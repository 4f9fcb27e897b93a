"""`gitdesk history` shows every landed change of a ticket: its text revisions too, not only its fields."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gitdesk.cli import cli
from tests.history.repos import commit_file, git, incident

PATH = "tickets/incidents/2026/INC-0001.md"


def _history(repo: Path, fmt: str = "json") -> str:
    result = CliRunner().invoke(cli, ["--repo", str(repo), "history", "INC-0001", "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_text_only_revision_is_an_entry_of_its_own(desk: Path) -> None:
    body_only = commit_file(desk, PATH, incident("INC-0001", "resolved") + "Root cause found in the ledger job.\n",
                            "2026-03-02T12:00:00+01:00", "INC-0001: explain the cause")
    entries = json.loads(_history(desk))["entries"]
    assert [e["sha"] for e in entries][-1] == body_only
    assert entries[-1]["changes"] == ["text edited (+1 −0 lines)"] and entries[-1]["changed"] == []
    assert len(entries) == 3  # created, resolved, the text revision
    assert "3 landed change(s)" in _history(desk, "text")


def test_a_field_change_keeps_its_words_and_carries_its_diff_stat(desk: Path) -> None:
    text = incident("INC-0001", "closed").replace("Body.\n", "A new body.\nWith two lines.\n")
    sha = commit_file(desk, PATH, text, "2026-03-02T12:00:00+01:00")
    last = json.loads(_history(desk))["entries"][-1]
    assert last["sha"] == sha and last["changes"] == ["status resolved → closed"]
    assert last["lines"] == [{"path": PATH, "added": 3, "deleted": 2}]


def test_revisions_off_the_first_parent_chain_are_not_shown(desk: Path) -> None:
    git(desk, "checkout", "-q", "-b", "draft")
    draft = commit_file(desk, PATH, incident("INC-0001", "resolved") + "A draft nobody merged.\n", "2026-03-02T12:00:00+01:00")
    git(desk, "checkout", "-q", "main")
    assert draft not in _history(desk)
