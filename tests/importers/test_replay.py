"""The replay: one destination commit per source commit, same people and times; safe to run again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from gitdesk.history.fastimport import FastImport
from tests.importers.conftest import NOW, Commit, build_source, git, import_into, tickets, validate

TASK = "---\nid: task-{n}\ntitle: Task {n}\nstatus: To Do\n---\nDo it.\n"


def _tasks(tmp_path: Path) -> Path:
    return build_source(tmp_path / "src", [
        Commit("2026-01-05T10:00:00+01:00", {"README.md": "hello\n"}, "start", "Ana <ana@example.org>"),
        Commit("2026-01-06T11:30:00+01:00", {"backlog/tasks/task-1 - One.md": TASK.format(n=1)}, "add task 1\n\nwith a body",
               "Bo Dev <bo@example.org>"),
        Commit("2026-01-07T09:15:00+01:00", {"src/app.py": "print()\n"}, "code only"),
    ])


def test_each_source_commit_lands_once_with_its_author_committer_and_times(tmp_path: Path, dest: Path) -> None:
    src = _tasks(tmp_path)
    result = import_into("backlog-md", src, dest)
    assert result.code == 0, result.err
    assert "imported 3 commit(s)" in result.out
    fmt = "%an|%ae|%aI|%cn|%cI|%s"
    source_log = git(src, "log", "--reverse", f"--format={fmt}").splitlines()
    dest_log = git(dest, "log", "--reverse", f"--format={fmt}").splitlines()
    assert dest_log[:3] == source_log  # then one bookkeeping commit
    assert dest_log[3].startswith("gitdesk import|")
    body = git(dest, "log", "-1", "--skip=2", "--format=%B")
    assert body.startswith("add task 1\n\nwith a body\n\nImported-From: backlog-md ")
    assert git(dest, "status", "--porcelain") == ""
    assert (dest / "backlog/EVO-0001.md").is_file()  # the working tree matches the imported branch


def test_sla_since_is_set_to_the_import_time_once(tmp_path: Path, dest: Path) -> None:
    src = _tasks(tmp_path)
    import_into("backlog-md", src, dest)
    config = yaml.safe_load((dest / "gitdesk.yml").read_text())
    assert config["sla"]["since"] == NOW
    assert validate(dest)[0] == 0


def test_importing_again_changes_nothing_and_a_later_import_continues_the_series(tmp_path: Path, dest: Path) -> None:
    src = _tasks(tmp_path)
    import_into("backlog-md", src, dest)
    head = git(dest, "rev-parse", "HEAD")
    again = import_into("backlog-md", src, dest)
    assert again.code == 0 and "nothing to import" in again.out
    assert git(dest, "rev-parse", "HEAD") == head

    with FastImport(src) as fast:  # the source moves on: task 1 is done, task 2 appears
        fast.commit("main", when=datetime.fromisoformat("2026-02-01T10:00:00+01:00"), message="more", parent="refs/heads/main^0",
                    files={"backlog/tasks/task-1 - One.md": TASK.format(n=1).replace("To Do", "Done"),
                           "backlog/tasks/task-2 - Two.md": TASK.format(n=2)})
    later = import_into("backlog-md", src, dest)
    assert later.code == 0 and "imported 1 commit(s)" in later.out
    found = tickets(dest, "backlog")
    assert sorted(found) == ["EVO-0001", "EVO-0002"]  # no duplicate of task 1
    assert found["EVO-0001"]["status"] == "done"
    assert yaml.safe_load((dest / "gitdesk.yml").read_text())["sla"]["since"] == NOW  # kept, not moved
    assert validate(dest)[0] == 0


def test_a_destination_with_local_changes_is_refused(tmp_path: Path, dest: Path) -> None:
    src = _tasks(tmp_path)
    import_into("backlog-md", src, dest)
    (dest / "backlog/EVO-0001.md").write_text("edited\n")
    head = git(dest, "rev-parse", "HEAD")
    result = import_into("backlog-md", src, dest)
    assert result.code == 2 and "has local changes" in result.err
    assert git(dest, "rev-parse", "HEAD") == head


def test_a_source_that_is_not_a_repository_is_a_usage_error(tmp_path: Path, dest: Path) -> None:
    (tmp_path / "plain").mkdir()
    result = import_into("madr", tmp_path / "plain", dest)
    assert result.code == 2 and "not a Git repository" in result.err


def test_an_existing_desk_keeps_its_tickets_and_imported_ids_never_collide(tmp_path: Path, dest: Path) -> None:
    from tests.importers.conftest import run

    assert run("init", str(dest))[0] == 0
    assert run("--repo", str(dest), "new", "backlog", "--title", "Our own item")[0] == 0
    git(dest, "add", "-A")
    git(dest, "-c", "user.name=Desk", "-c", "user.email=desk@example.org", "commit", "-qm", "start the desk")
    src = _tasks(tmp_path)
    result = import_into("backlog-md", src, dest)
    assert result.code == 0, result.err
    found = tickets(dest, "backlog")
    assert found["EVO-0001"]["title"] == "Our own item" and "imported" not in found["EVO-0001"]
    assert found["EVO-10000"]["title"] == "Task 1"  # task-1's own number was taken
    assert git(dest, "log", "--format=%s").splitlines()[-1] == "start the desk"
    assert validate(dest)[0] == 0
