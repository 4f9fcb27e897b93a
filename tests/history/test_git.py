"""gitdesk.history.git: refs, notes, config and errors, on real repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitdesk.errors import RepoError
from gitdesk.history import git as gd_git
from tests.history.repos import commit_file, git, incident


def test_a_note_is_read_back_from_its_own_notes_ref(desk: Path) -> None:
    head = git(desk, "rev-parse", "HEAD").strip()
    assert gd_git.read_note(desk, head) is None
    gd_git.write_note(desk, head, "seen on main at 2026-03-02T10:00:00Z\n")
    assert gd_git.read_note(desk, head) == "seen on main at 2026-03-02T10:00:00Z\n"
    assert gd_git.read_ref(desk, gd_git.WITNESS_NOTES) is not None
    # the witness notes stay out of the user's own notes
    assert "no note found" in _default_note_error(desk, head)
    gd_git.write_note(desk, head, "replaced\n")
    assert gd_git.read_note(desk, head) == "replaced\n"


def _default_note_error(repo: Path, commit: str) -> str:
    import subprocess

    return subprocess.run(["git", "-C", str(repo), "notes", "show", commit], capture_output=True, text=True).stderr


def test_a_note_on_another_commit_is_not_this_ones(desk: Path) -> None:
    first, head = git(desk, "rev-list", "--max-parents=0", "HEAD").strip(), git(desk, "rev-parse", "HEAD").strip()
    gd_git.write_note(desk, first, "first\n", ref="refs/notes/other")
    assert gd_git.read_note(desk, head, ref="refs/notes/other") is None
    assert gd_git.read_note(desk, first, ref="refs/notes/other") == "first\n"


def test_reading_a_note_of_an_unknown_commit_is_a_clear_error(desk: Path) -> None:
    with pytest.raises(RepoError, match="git notes show"):
        gd_git.read_note(desk, "no-such-revision")


def test_update_ref_is_compare_and_swap(desk: Path) -> None:
    first, head = git(desk, "rev-list", "--max-parents=0", "HEAD").strip(), git(desk, "rev-parse", "HEAD").strip()
    name = gd_git.NOTIFIED_REF
    assert gd_git.read_ref(desk, name) is None
    gd_git.update_ref(desk, name, first, expected=None)
    assert gd_git.read_ref(desk, name) == first
    with pytest.raises(gd_git.RefMoved):
        gd_git.update_ref(desk, name, head, expected=None)  # another run created it first
    with pytest.raises(gd_git.RefMoved):
        gd_git.update_ref(desk, name, head, expected=head)  # it does not point there
    assert gd_git.read_ref(desk, name) == first
    gd_git.update_ref(desk, name, head, expected=first)
    assert gd_git.read_ref(desk, name) == head
    assert git(desk, "rev-parse", name).strip() == head  # plain git sees the same ref


def test_update_ref_wants_a_full_ref_name(desk: Path) -> None:
    with pytest.raises(ValueError, match="full ref name"):
        gd_git.update_ref(desk, "notified", git(desk, "rev-parse", "HEAD").strip(), expected=None)


def test_config_values_come_from_the_repository(desk: Path) -> None:
    git(desk, "config", "gitdesk.witness", "true")
    assert gd_git.config_value(desk, "gitdesk", "witness") == "true"
    assert gd_git.config_value(desk / "tickets", "gitdesk", "witness") == "true"
    assert gd_git.config_value(desk, "gitdesk", "absent") is None


def test_a_failing_command_names_git_and_its_message(desk: Path) -> None:
    with pytest.raises(RepoError, match=r"git cat-file failed: .*no-such-branch"):
        gd_git.run(desk, "cat-file", "-t", "no-such-branch")
    assert gd_git.git_ok(desk, "rev-parse", "--verify", "HEAD")
    assert not gd_git.git_ok(desk, "rev-parse", "--verify", "no-such-branch")
    assert not gd_git.git_ok(desk / "missing", "status")


def test_evidence_branch_falls_back_to_its_origin_copy(desk: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(desk), str(clone))
    git(clone, "checkout", "-q", "--detach")
    git(clone, "branch", "-q", "-D", "main")
    branch = gd_git.open_branch(clone, "main")
    assert branch.ref == "refs/remotes/origin/main"
    assert branch.tip == git(desk, "rev-parse", "HEAD").strip()


def test_a_shallow_clone_is_refused_with_the_fix(desk: Path, tmp_path: Path) -> None:
    commit_file(desk, "tickets/incidents/2026/INC-0002.md", incident("INC-0002", "reported"), "2026-03-03T09:00:00+01:00")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{desk}", str(shallow))
    with pytest.raises(RepoError, match="shallow clone") as caught:
        gd_git.open_branch(shallow, "main")
    assert "fetch-depth: 0" in str(caught.value)


def test_a_missing_folder_is_an_error_not_the_current_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RepoError, match="git init failed"):
        gd_git.run(tmp_path / "missing", "init", "-q")
    assert not (tmp_path / ".git").exists() and not (tmp_path / "missing").exists()


def test_a_relative_folder_is_entered_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`make demo` passes build/demo: git must run there, not in build/demo/build/demo."""
    (tmp_path / "build" / "demo").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    gd_git.run(Path("build/demo"), "init", "-q")
    assert (tmp_path / "build" / "demo" / ".git").is_dir()
