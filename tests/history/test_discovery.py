"""Running gitdesk from a subfolder finds the desk; no desk is a clear exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitdesk.errors import RepoError
from gitdesk.history import find_root, read_history
from tests.history.repos import commit_file, incident

NOW = "2026-03-10T12:00:00+01:00"


def gitdesk(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gitdesk", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def test_sla_from_a_subfolder_reads_the_whole_desk(desk: Path) -> None:
    at_root = gitdesk(desk, "sla", "--format", "json", "--now", NOW)
    deep = gitdesk(desk / "tickets" / "incidents" / "2026", "sla", "--format", "json", "--now", NOW)
    assert at_root.returncode == 0 and deep.returncode == 0, deep.stderr
    assert json.loads(deep.stdout) == json.loads(at_root.stdout)
    assert "INC-0001" in deep.stdout


def test_the_desk_in_a_subfolder_of_a_git_repo_is_found_not_the_top(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    subprocess.run(["git", "init", "-q", "-b", "main", str(top)], check=True)
    commit_file(top, "ops/gitdesk.yml", "title: Ops\n", "2026-03-01T09:00:00+01:00")
    commit_file(top, "ops/tickets/incidents/2026/INC-0001.md", incident("INC-0001", "reported"), "2026-03-01T09:30:00+01:00")
    (top / "ops" / "docs").mkdir()
    assert find_root(top / "ops" / "tickets" / "incidents") == (top / "ops").resolve()
    assert find_root(top / "ops" / "docs") == (top / "ops").resolve()
    result = gitdesk(top / "ops" / "tickets", "history", "INC-0001")
    assert result.returncode == 0 and "INC-0001" in result.stdout
    assert sorted(read_history(find_root(top / "ops" / "tickets"), use_cache=False).tickets) == ["INC-0001"]


def test_the_search_stops_at_the_git_work_tree(tmp_path: Path) -> None:
    """A gitdesk.yml above the repository belongs to something else."""
    (tmp_path / "gitdesk.yml").write_text("title: Outside\n", encoding="utf-8")
    repo = tmp_path / "project"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "src").mkdir()
    with pytest.raises(RepoError, match="no gitdesk.yml"):
        find_root(repo / "src")
    result = gitdesk(repo / "src", "sla")
    assert result.returncode == 2
    assert "no gitdesk.yml" in result.stderr and "gitdesk init" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_git_without_gitdesk_yml_is_exit_2(tmp_path: Path) -> None:
    result = gitdesk(tmp_path, "history", "INC-0001")
    assert result.returncode == 2
    assert "no gitdesk.yml" in result.stderr and "not inside a Git work tree" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_git_installed_sla_says_so(desk: Path, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {"PATH": str(empty), "GIT_PYTHON_GIT_EXECUTABLE": "git"}
    result = gitdesk(desk, "sla", "--now", NOW, env=env)
    assert result.returncode == 2, result.stderr
    assert "git is not installed" in result.stderr and "Traceback" not in result.stderr
