"""Backlog.md boards become backlogs: early invalid YAML, subtasks, custom statuses and folder moves."""

from __future__ import annotations

import json
from pathlib import Path

from tests.importers.conftest import Commit, build_source, git, import_into, ticket, validate

EARLY = "---\nid: task-3\ntitle: Parse config\nstatus: In Progress\nassignee: @ana\nreporter: @bo\n---\nEarly file.\n"
RICH = ("---\nid: task-24\ntitle: Web UI\nstatus: In Review\nassignee:\n  - '@ana'\n  - '@bo'\nlabels: [ui, web]\n"
        "priority: high\nmilestone: v1\ndependencies: [task-3]\ncreated_date: '2025-06-04'\n---\nBody.\n")
SUB = "---\nid: task-24.1\ntitle: Kanban board\nstatus: Won't Do\nparent_task_id: task-24\n---\n"


def test_invalid_early_yaml_is_read_and_listed(tmp_path: Path, dest: Path) -> None:
    src = build_source(tmp_path / "src", [Commit("2025-06-04T10:00:00+02:00", {"backlog/tasks/task-3 - Parse-config.md": EARLY})])
    result = import_into("backlog-md", src, dest)
    assert result.code == 0
    fields, body = ticket(dest, "backlog/EVO-0003.md")
    assert (fields["title"], fields["status"], fields["assignee"]) == ("Parse config", "in-progress", "ana")
    assert fields["imported"]["extra"]["reporter"] == "@bo" and "Early file." in body
    assert any("task-3 - Parse-config.md@" in p and "not valid YAML" in p for p in result.problems)
    assert validate(dest)[0] == 0


def test_subtasks_custom_statuses_and_unmapped_fields(tmp_path: Path, dest: Path) -> None:
    src = build_source(tmp_path / "src", [Commit("2025-06-05T10:00:00+02:00", {
        "backlog/tasks/task-3 - Parse-config.md": EARLY, "backlog/tasks/task-24 - Web-UI.md": RICH,
        "backlog/tasks/task-24.1 - Kanban-board.md": SUB})])
    assert import_into("backlog-md", src, dest).code == 0
    state = json.loads((dest / ".gitdesk/import/backlog-md.json").read_text())
    assert state["ids"] == {"3": "EVO-0003", "24": "EVO-0024", "24.1": "EVO-10000"}
    web, _ = ticket(dest, "backlog/EVO-0024.md")
    kanban, _ = ticket(dest, "backlog/EVO-10000.md")
    assert (web["status"], web["imported"]["declared"]["status"]) == ("in-progress", "In Review")
    assert web["assignee"] == "ana, bo" and web["imported"]["declared"]["assignee"] == ["ana", "bo"]
    assert web["imported"]["extra"] == {"labels": ["ui", "web"], "priority": "high", "milestone": "v1", "dependencies": ["task-3"]}
    assert (kanban["status"], kanban["imported"]["declared"]["id"]) == ("rejected", "task-24.1")
    assert kanban["imported"]["extra"] == {"parent_task_id": "task-24"}
    assert validate(dest)[0] == 0


def test_a_move_to_the_completed_folder_keeps_the_id_and_marks_it_done(tmp_path: Path, dest: Path) -> None:
    todo = "---\nid: task-7\ntitle: Ship it\nstatus: To Do\n---\n"
    src = build_source(tmp_path / "src", [
        Commit("2025-07-01T10:00:00+02:00", {"backlog/tasks/task-7 - Ship-it.md": todo}, "add"),
        Commit("2025-07-03T10:00:00+02:00", {"backlog/tasks/task-7 - Ship-it.md": None,
                                             "backlog/completed/back-7 - Ship-it.md": todo.replace("task-7", "BACK-7")}, "complete"),
    ])
    assert import_into("backlog-md", src, dest).code == 0
    fields, _ = ticket(dest, "backlog/EVO-0007.md")
    assert fields["status"] == "done" and fields["imported"]["source_path"] == "backlog/completed/back-7 - Ship-it.md"
    assert sorted(p.name for p in (dest / "backlog").glob("*.md")) == ["EVO-0007.md"]
    assert git(dest, "log", "--format=%s", "--", "backlog/EVO-0007.md").splitlines() == ["complete", "add"]
