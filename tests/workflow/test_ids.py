"""Id allocation: the working tree and every local and remote-tracking branch count."""

from __future__ import annotations

from pathlib import Path

from gitdesk.workflow import ids
from gitdesk.model import Kind
from workflow_testkit import Desk, incident


def test_next_id_is_one_past_the_highest_and_padded() -> None:
    assert ids.next_id(Kind.INCIDENT, ["INC-0007", "INC-0002", "DEC-0099", "nonsense"]) == "INC-0008"
    assert ids.next_id(Kind.DECISION, []) == "DEC-0001"
    assert ids.next_id(Kind.BACKLOG, ["EVO-9999"]) == "EVO-10000"


def test_ids_come_from_file_names_under_the_kind_folder() -> None:
    paths = ["tickets/incidents/2026/INC-0004.md", "backlog/EVO-0002.yaml", "docs/INC-0099.md", "tickets/incidents/README.md"]
    assert ids.ids_in_paths(paths) == {"INC-0004", "EVO-0002"}


def test_a_branch_that_added_an_id_moves_the_next_one_on_main(desk: Desk) -> None:
    desk.write("tickets/incidents/2026/INC-0004.md", incident("INC-0004"))
    desk.commit("INC-0004")
    desk.git("checkout", "-q", "-b", "fix/export")
    desk.write("tickets/incidents/2026/INC-0005.md", incident("INC-0005"))
    desk.commit("INC-0005 on a PR branch")
    desk.git("checkout", "-q", "main")
    assert not (desk.root / "tickets/incidents/2026/INC-0005.md").exists()
    result = desk.run("new", "incident", "--title", "Slow order list", "--severity", "P2")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("INC-0006.md")


def test_remote_tracking_branches_count_too(desk: Desk, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    desk.git("clone", "-q", str(desk.root), str(clone))
    other = Desk(clone, desk.clock)
    other.git("checkout", "-q", "-b", "colleague")
    other.write("backlog/EVO-0003.md", "---\nid: EVO-0003\ntitle: Export automation\nstatus: proposed\n---\n")
    other.commit("EVO-0003")
    desk.git("remote", "add", "origin", str(clone))
    desk.git("fetch", "-q", "origin")
    assert desk.git("branch", "--list").split() == ["*", "main"]
    result = desk.run("new", "backlog", "--title", "Dashboard filters")
    assert result.exit_code == 0 and result.stdout.strip() == "backlog/EVO-0004.md"


def test_untracked_working_tree_files_count(desk: Desk) -> None:
    desk.write("tickets/decisions/DEC-0009.md", "---\nid: DEC-0009\ntitle: Keep MySQL\nstatus: proposed\n---\n")
    result = desk.run("new", "decision", "--title", "Move to PostgreSQL")
    assert result.stdout.strip() == "tickets/decisions/DEC-0010.md"


def test_outside_git_the_working_tree_alone_decides(tmp_path: Path) -> None:
    from gitdesk.workflow import scaffold
    from workflow_testkit import run_cli

    scaffold.write_new(tmp_path, scaffold.init_files(title="No Git"))
    result = run_cli("--repo", str(tmp_path), "new", "incident", "--title", "Down", "--severity", "P0")
    assert result.exit_code == 0 and result.stdout.strip().endswith("/INC-0001.md")
