"""History from real Git repos: identity across moves, the cache, rewrites, shallow clones, bad repos."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitdesk.cli import cli
from gitdesk.history import read_history
from tests.history.repos import commit_file, git, incident

CASES = Path(__file__).parent / "cases"


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--repo", str(repo), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_move_keeps_history_and_delete_ends_it(scenario_repo) -> None:
    repo, _ = scenario_repo("direct_basic")
    (repo / "tickets/incidents/2027").mkdir()
    git(repo, "mv", "tickets/incidents/2026/INC-0001.md", "tickets/incidents/2027/INC-0001.md")
    git(repo, "commit", "-q", "-m", "move", when="2026-03-11T10:00:00+01:00")
    git(repo, "rm", "-q", "tickets/incidents/2026/INC-0002.md")
    git(repo, "commit", "-q", "-m", "delete", when="2026-03-11T11:00:00+01:00")
    history = read_history(repo, use_cache=False)
    moved = history.tickets["INC-0001"]
    assert [v.path for v in moved.versions][-2:] == ["tickets/incidents/2026/INC-0001.md", "tickets/incidents/2027/INC-0001.md"]
    assert moved.deleted is None and len(moved.versions) == 4
    assert history.tickets["INC-0002"].deleted is not None
    assert history.tickets["INC-0002"].deleted.subject == "delete"


def test_cache_reads_only_new_commits_and_matches_a_cold_run(scenario_repo, tmp_path: Path) -> None:
    repo, _ = scenario_repo("pause_reopen_escalation")
    cache = tmp_path / "cache"
    first = read_history(repo, cache_dir=cache)
    assert not first.from_cache and first.commits_read == int(git(repo, "rev-list", "--count", "HEAD"))
    again = read_history(repo, cache_dir=cache)
    assert again.from_cache and again.commits_read == 0 and again.tickets == first.tickets
    commit_file(repo, "tickets/incidents/2026/INC-0099.md", incident("INC-0099", "reported"), "2026-03-13T09:00:00+01:00")
    commit_file(repo, "tickets/incidents/2026/INC-0099.md", incident("INC-0099", "triaged"), "2026-03-13T09:10:00+01:00")
    warm = read_history(repo, cache_dir=cache)
    assert warm.commits_read == 2
    assert warm.tickets == read_history(repo, use_cache=False).tickets
    assert [v.fields["status"] for v in warm.tickets["INC-0099"].versions] == ["reported", "triaged"]


def test_rewritten_history_starts_over_and_gives_the_cold_answer(scenario_repo, tmp_path: Path) -> None:
    repo, scenario = scenario_repo("pause_reopen_escalation")
    cache = tmp_path / "cache"
    read_history(repo, cache_dir=cache)
    # force-push style rewrite: drop the last two commits, land a different ending
    git(repo, "reset", "-q", "--hard", "HEAD~2")
    commit_file(repo, "tickets/incidents/2026/INC-0041.md",
                incident("INC-0041", "closed", "level: L2\nroot_cause: a\nresolution: b\nprevention: c\n"),
                "2026-03-11T15:00:00+01:00", "closed instead")
    rewritten = read_history(repo, cache_dir=cache)
    assert rewritten.commits_read == int(git(repo, "rev-list", "--count", "HEAD"))  # everything again, not just one
    assert rewritten.tickets == read_history(repo, use_cache=False).tickets
    assert [v.fields["status"] for v in rewritten.tickets["INC-0041"].versions][-1] == "closed"


def test_shallow_clone_is_refused_with_the_fix(scenario_repo, tmp_path: Path) -> None:
    repo, scenario = scenario_repo("direct_basic")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True)
    code, out = run(shallow, "sla", "--now", scenario["now"])
    assert code == 2
    assert "shallow clone" in out and "fetch-depth: 0" in out and "git fetch --unshallow" in out
    # validate still checks the files and says what it skipped
    code, out = run(shallow, "validate", "--format", "json")
    assert code == 0
    assert any(w["code"] == "GD312" and "shallow" in w["message"] for w in json.loads(out)["warnings"])


@pytest.mark.parametrize("setup, message", [
    ("plain", "is not a Git repository"),
    ("empty", "has no commits yet"),
    ("branch", "branch 'trunk' does not exist"),
])
def test_unusable_repos_exit_2_with_a_clear_message(tmp_path: Path, setup: str, message: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "gitdesk.yml").write_text("title: T\n" + ("branch: trunk\n" if setup == "branch" else ""), encoding="utf-8")
    if setup != "plain":
        subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    if setup == "branch":
        git(repo, "add", "gitdesk.yml")
        git(repo, "commit", "-q", "-m", "init", when="2026-03-02T09:00:00+01:00")
    code, out = run(repo, "sla")
    assert code == 2 and message in out
    code, out = run(repo, "history", "INC-0001")
    assert code == 2 and message in out
    code, out = run(repo, "validate", "--format", "json")
    assert code == 0  # validate works without usable history, and says what it could not check
    skipped = [w["message"] for w in json.loads(out)["warnings"] if w["code"] == "GD312"]
    if setup == "empty":
        assert skipped == []  # a new repo has no history to check yet
    else:
        assert len(skipped) == 1 and message in skipped[0], skipped


def test_validate_flags_a_declared_time_later_than_its_landing(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    commit_file(repo, "gitdesk.yml", "title: T\n", "2026-03-01T09:00:00+01:00")
    path = "tickets/incidents/2026/INC-0001.md"
    commit_file(repo, path, incident("INC-0001", "reported", 'reported_at: "2026-03-02T12:00:00+01:00"\n'), "2026-03-02T10:00:00+01:00")
    code, out = run(repo, "validate", "--format", "json")
    assert code == 1
    errors = json.loads(out)["errors"]
    assert [(e["file"], e["line"], e["code"]) for e in errors] == [(path, 6, "GD310")]
    assert "later than commit" in errors[0]["message"]
    # moving the declared time to before the landing fixes it
    commit_file(repo, path, incident("INC-0001", "reported", 'reported_at: "2026-03-02T09:00:00+01:00"\n'), "2026-03-02T10:05:00+01:00")
    code, out = run(repo, "validate", "--format", "json")
    assert code == 0, out


def test_validate_reports_anomalies_as_warnings(scenario_repo) -> None:
    repo, _ = scenario_repo("merge_and_squash")
    code, out = run(repo, "validate", "--format", "json")
    warnings = [w for w in json.loads(out)["warnings"] if w["code"] == "GD311"]
    assert len(warnings) == 2
    assert all(w["file"] == "tickets/incidents/2026/INC-0011.md" for w in warnings)


def test_history_command_text_and_json(scenario_repo, golden) -> None:
    repo, _ = scenario_repo("pause_reopen_escalation")
    code, out = run(repo, "history", "INC-0040")
    assert code == 0
    assert out == golden(CASES / "pause_reopen_escalation" / "history-INC-0040.txt", out)
    assert "status waiting → investigating; level L2 → L3" in out
    repo, _ = scenario_repo("merge_and_squash")
    code, out = run(repo, "history", "INC-0010", "--format", "json")
    entries = json.loads(out)["entries"]
    # landed times are the merges' and the squash's committer times
    assert [e["landed_at"] for e in entries] == ["2026-03-02T10:30:00+01:00", "2026-03-02T11:45:00+01:00", "2026-03-02T14:30:00+01:00"]
    assert entries[2]["authored_at"] == "2026-03-02T13:00:00+01:00" and entries[2]["update"] == "Fixed"
    code, out = run(repo, "history", "INC-9999")
    assert code == 2 and "INC-9999 has no landed history" in out


def test_real_merge_and_squash_flows(tmp_path: Path) -> None:
    """The same evidence through `git merge --no-ff` and `git merge --squash`, not fast-import."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    commit_file(repo, "gitdesk.yml", "title: T\n", "2026-03-01T09:00:00+01:00")
    path = "tickets/incidents/2026/INC-0001.md"
    git(repo, "checkout", "-q", "-b", "pr-1")
    commit_file(repo, path, incident("INC-0001", "reported"), "2026-03-02T09:00:00+01:00")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "pr-1", "-m", "Merge pr-1", when="2026-03-02T10:00:00+01:00")
    git(repo, "checkout", "-q", "-b", "pr-2")
    commit_file(repo, path, incident("INC-0001", "investigating"), "2026-03-02T10:05:00+01:00")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--squash", "pr-2")
    git(repo, "commit", "-q", "-m", "Squash pr-2", when="2026-03-02T11:30:00+01:00")
    versions = read_history(repo, use_cache=False).tickets["INC-0001"].versions
    assert [(v.commit.landed_at.isoformat(), v.fields["status"]) for v in versions] == [
        ("2026-03-02T10:00:00+01:00", "reported"), ("2026-03-02T11:30:00+01:00", "investigating")]


def test_broken_versions_are_skipped_and_renumbering_ends_the_old_id(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    path = "tickets/incidents/2026/INC-0001.md"
    commit_file(repo, path, incident("INC-0001", "reported"), "2026-03-02T09:00:00+01:00")
    commit_file(repo, path, "---\nid: INC-0001\nstatus: [unclosed\n---\n", "2026-03-02T09:10:00+01:00")
    commit_file(repo, path, incident("INC-0001", "investigating"), "2026-03-02T09:20:00+01:00")
    commit_file(repo, path, incident("INC-0002", "investigating"), "2026-03-02T09:30:00+01:00", "renumber")
    history = read_history(repo, use_cache=False)
    first = history.tickets["INC-0001"]
    assert [v.fields["status"] for v in first.versions] == ["reported", "investigating"]
    assert first.deleted is not None and first.deleted.subject == "renumber"
    assert history.tickets["INC-0002"].versions[0].path == path


def test_gitdesk_repo_in_a_subfolder_of_a_git_repo(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    subprocess.run(["git", "init", "-q", "-b", "main", str(top)], check=True)
    commit_file(top, "ops/gitdesk.yml", "title: T\n", "2026-03-01T09:00:00+01:00")
    commit_file(top, "tickets/incidents/2026/INC-0009.md", incident("INC-0009", "reported"), "2026-03-01T09:30:00+01:00")
    commit_file(top, "ops/tickets/incidents/2026/INC-0001.md", incident("INC-0001", "reported"), "2026-03-02T09:00:00+01:00")
    commit_file(top, "ops/runbooks/restart.md", "---\ntitle: Restart\n---\nSteps.\n", "2026-03-02T09:05:00+01:00")
    history = read_history(top / "ops", use_cache=False)
    assert sorted(history.tickets) == ["INC-0001", "restart"]  # the top-level ticket folder is not this desk's
    assert history.tickets["INC-0001"].versions[0].path == "tickets/incidents/2026/INC-0001.md"
    code, out = run(top / "ops", "history", "restart")
    assert code == 0 and "created" in out


def test_a_log_longer_than_the_stream_buffers(tmp_path: Path) -> None:
    """Hundreds of commits and blobs: the streamed log crosses many read blocks and pipe buffers."""
    from datetime import datetime, timedelta, timezone

    from gitdesk.history.fastimport import FastImport

    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    filler = "Long description line for the export incident. " * 40
    with FastImport(repo) as fi:
        for n in range(600):
            ticket, status = f"INC-{n % 300:04d}", ("reported", "resolved")[n // 300]
            fi.commit("main", when=start + timedelta(minutes=n), message=f"{ticket} {status} " + "x" * 200,
                      files={f"tickets/incidents/2026/{ticket}.md": incident(ticket, status) + filler})
    cold = read_history(repo, cache_dir=tmp_path / "cache")
    assert cold.commits_read == 600 and len(cold.tickets) == 300
    assert all([v.fields["status"] for v in t.versions] == ["reported", "resolved"] for t in cold.tickets.values())
    assert read_history(repo, cache_dir=tmp_path / "cache").tickets == cold.tickets


def test_one_commit_touching_many_tickets(tmp_path: Path) -> None:
    """An import commit adding 3,000 tickets at once spans many stream blocks."""
    from datetime import datetime, timezone

    from gitdesk.history.fastimport import FastImport

    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    with FastImport(repo) as fi:
        fi.commit("main", when=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc), message="import",
                  files={f"tickets/incidents/{2020 + n % 5}/INC-{n:05d}.md": incident(f"INC-{n:05d}", "reported")
                         for n in range(3000)})
        fi.commit("main", when=datetime(2026, 3, 2, 9, 5, tzinfo=timezone.utc), message="triage one",
                  files={"tickets/incidents/2020/INC-00000.md": incident("INC-00000", "triaged")})
    history = read_history(repo, use_cache=False)
    assert history.commits_read == 2 and len(history.tickets) == 3000
    assert [v.fields["status"] for v in history.tickets["INC-00000"].versions] == ["reported", "triaged"]
