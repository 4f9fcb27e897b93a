"""`gitdesk status`: golden edits that keep comments and key order, and every refusal."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from workflow_testkit import Desk, incident

GOLDEN = Path(__file__).parent / "golden" / "status"
_FOLDERS = {"INC": "tickets/incidents/2026", "MNT": "tickets/maintenance", "DEC": "tickets/decisions", "EVO": "backlog"}


def _place(desk: Desk, case: Path) -> tuple[Path, list[str], Path]:
    source = next(case.glob("input.*"))
    args = shlex.split((case / "command").read_text())
    target = desk.write(f"{_FOLDERS[args[0][:3]]}/{args[0]}{source.suffix}", source.read_text())
    return target, args, case / f"expected{source.suffix}"


@pytest.mark.parametrize("case", sorted(p for p in GOLDEN.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_status_edit_matches_golden(desk: Desk, case: Path) -> None:
    target, args, expected = _place(desk, case)
    result = desk.run("status", *args)
    assert result.exit_code == 0, result.output
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_bytes(target.read_bytes())
    assert target.read_bytes() == expected.read_bytes()


def test_only_the_status_and_update_lines_change(desk: Desk) -> None:
    target, args, _ = _place(desk, GOLDEN / "comments-and-order")
    before = target.read_text().splitlines()
    assert desk.run("status", *args).exit_code == 0
    after = target.read_text().splitlines()
    changed = [line for line in after if line not in before]
    assert changed == ["status: identified  # since the 2nd call",
                       "update: 'Cause found: an export filter dropped rows; fix in review'"]
    assert [line for line in before if line not in after] == ["status: investigating  # since the 2nd call"]


def test_a_jump_outside_the_usual_flow_warns_but_changes(desk: Desk) -> None:
    target = desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001"))
    result = desk.run("status", "INC-0001", "closed")
    assert result.exit_code == 0
    assert "skips the usual flow" in result.stderr
    assert "status: closed" in target.read_text()


def test_a_usual_transition_does_not_warn(desk: Desk) -> None:
    desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001"))
    result = desk.run("status", "INC-0001", "triaged")
    assert result.exit_code == 0 and result.stderr == ""


def test_short_id_finds_the_padded_one(desk: Desk) -> None:
    target = desk.write("tickets/incidents/2026/INC-0042.md", incident("INC-0042"))
    assert desk.run("status", "inc-42", "triaged").exit_code == 0
    assert "status: triaged" in target.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["INC-0001", "fixed"], "valid statuses: reported, triaged, investigating"),
        (["INC-0002", "triaged"], "did you mean: INC-0001"),
        (["INC-0001", "triaged", "-m", "line one\nline two"], "one line"),
        (["INC-0001", "triaged", "-m", "  "], "-m is empty"),
        (["DEC-0001", "accepted", "-m", "agreed"], "no public update line"),
        (["DEC-0001", "resolved"], "valid statuses: proposed, accepted"),
        (["missing-runbook", "done"], "no ticket with id"),
    ],
)
def test_refusals_exit_2_and_touch_nothing(desk: Desk, args: list[str], message: str) -> None:
    desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001"))
    desk.write("tickets/decisions/DEC-0001.md", "---\nid: DEC-0001\ntitle: Use PostgreSQL\nstatus: proposed\n---\n")
    before = desk.snapshot()
    result = desk.run("status", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert desk.snapshot() == before


def test_a_duplicated_id_is_refused_until_renumbered(desk: Desk) -> None:
    desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001"))
    desk.write("tickets/incidents/2027/INC-0001.md", incident("INC-0001"))
    before = desk.snapshot()
    result = desk.run("status", "INC-0001", "triaged")
    assert result.exit_code == 2 and "gitdesk renumber" in result.stderr
    assert desk.snapshot() == before


def test_outside_a_gitdesk_repo_is_a_usage_error(tmp_path: Path) -> None:
    from workflow_testkit import run_cli

    result = run_cli("--repo", str(tmp_path), "status", "INC-0001", "triaged")
    assert result.exit_code == 2 and "gitdesk init" in result.stderr


def test_resolving_a_p1_without_postmortem_warns_now_rather_than_in_ci(desk: Desk) -> None:
    target = desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001"))
    desk.run("status", "INC-0001", "investigating")
    result = desk.run("status", "INC-0001", "resolved", "-m", "Fixed in v3.2.1")
    assert result.exit_code == 0
    assert "needs a postmortem: add root_cause, resolution, prevention" in result.stderr
    assert "status: resolved" in target.read_text()


def test_same_status_changes_nothing_and_says_so(desk: Desk) -> None:
    target = desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001"))
    before = target.stat().st_mtime_ns, target.read_bytes()
    result = desk.run("status", "INC-0001", "Reported")  # statuses are matched case-insensitively
    assert result.exit_code == 0 and "already reported; nothing to change" in result.stdout
    assert (target.stat().st_mtime_ns, target.read_bytes()) == before


def test_an_update_alone_can_change_with_the_same_status(desk: Desk) -> None:
    target = desk.write("tickets/incidents/2026/INC-0001.md", incident("INC-0001"))
    result = desk.run("status", "INC-0001", "reported", "-m", "Still reproducing")
    assert result.exit_code == 0 and result.stderr == ""
    assert target.read_text() == incident("INC-0001").replace("status: reported\n", "status: reported\nupdate: Still reproducing\n")
