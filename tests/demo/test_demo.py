"""`gitdesk demo`: the repo a newcomer opens first.

The small demo (about 30 incidents over two months) is built once per module in
a real Git repo and checked the way a user meets it: it validates, its history
looks like pull requests landing on main, the stories it promises are there,
`sla check` passes and fails as designed, and both sites build without leaking.
The full demo is built once to check the service figures the issue promises.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gitdesk.demo import create_demo
from gitdesk.demo.render import iso
from gitdesk.demo.stories import STORIES, DeferredRequest, LateWindow
from gitdesk.demo.timeline import DEMO_NOW
from gitdesk.cli import cli
from gitdesk.load.files import load_repo
from gitdesk.model import Kind, Ticket, parse_time

NOW = iso(DEMO_NOW)


def gitdesk(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def tickets(repo: Path, kind: Kind) -> dict[str, Ticket]:
    return {t.id: t for t in load_repo(repo).tickets if t.kind is kind}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo; tests that edit it work on a copy."""
    path = tmp_path_factory.mktemp("demo") / "small"
    result = gitdesk("demo", str(path), "--size", "small")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "full"
    create_demo(path, size="full")
    return path


def test_same_seed_same_repo(small: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    create_demo(again, size="small")
    assert git(again, "rev-parse", "main") == git(small, "rev-parse", "main")


def test_small_demo_validates_without_errors_or_warnings(small: Path) -> None:
    result = gitdesk("--repo", str(small), "validate", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"errors": [], "warnings": []}


def test_working_tree_is_main_checked_out_clean(small: Path) -> None:
    assert git(small, "status", "--porcelain") == ""
    assert git(small, "branch", "--format=%(refname:short)").split() == ["main"]


def test_history_lands_like_pull_requests(small: Path) -> None:
    lines = git(small, "log", "--first-parent", "--reverse", "--format=%H|%P|%ct|%at|%s").splitlines()
    landed = [int(line.split("|")[2]) for line in lines]
    assert landed == sorted(landed) and len(set(landed)) == len(landed), "landed times must move forward"
    merges = [line for line in lines if len(line.split("|")[1].split()) == 2]
    squashes = [line for line in lines if re.search(r"\(#\d+\)$", line)]
    direct = [line for line in lines if line not in merges and line not in squashes]
    assert len(merges) > len(lines) / 2, "most changes land as PR merges"
    assert squashes and len(direct) > 5
    for line in lines:
        sha, _, committed, authored, _ = line.split("|")
        assert int(authored) <= int(committed), f"{sha}: authored after it landed"
    # A PR's own commit was authored before its merge landed it.
    sha, parents, committed, _, subject = merges[-1].split("|")
    assert subject.startswith("Merge pull request #")
    branch_time = int(git(small, "log", "-1", "--format=%ct", parents.split()[1]))
    assert branch_time < int(committed)


def test_small_demo_tells_every_story(small: Path) -> None:
    incidents = tickets(small, Kind.INCIDENT)
    assert 25 <= len(incidents) <= 35
    assert {t.client for t in incidents.values()} == {"acme", "norte"}
    assert {t.severity for t in incidents.values()} == {"P0", "P1", "P2", "P3"}
    assert any(t.get("breach_reason") for t in incidents.values())
    assert any(t.get("level") == "L4" for t in incidents.values())
    assert any(t.status == "waiting" for t in incidents.values())
    assert any(t.status == "deferred" and t.related for t in incidents.values())
    assert any(t.get("coverage") == "out-of-scope" for t in incidents.values())
    assert any(t.get("visibility") == "internal" for t in incidents.values())
    for t in incidents.values():
        if t.get("reported_at"):
            assert parse_time(t.get("reported_at")) is not None

    decisions = tickets(small, Kind.DECISION)
    chain = [d for d in decisions.values() if d.get("superseded_by")]
    assert len(chain) >= 2
    for old in chain:
        new = decisions[old.get("superseded_by")]
        assert new.get("supersedes") == old.id

    runbooks = tickets(small, Kind.RUNBOOK)
    for slug, overdue in (("dependency-updates", True), ("backup-restore-test", False)):
        book = runbooks[slug]
        last_ok = max(parse_time(run["at"]) for run in book.get("runs") if run["result"] == "ok")
        step = timedelta(days=31) if book.get("every") == "1 month" else timedelta(days=7)
        assert (last_ok + step < DEMO_NOW) is overdue, slug
    assert any(run["result"] == "failed" for run in runbooks["dependency-updates"].get("runs"))


def test_one_window_was_announced_too_late(small: Path) -> None:
    windows = tickets(small, Kind.MAINTENANCE)
    notices = {}
    for window in windows.values():
        first = git(small, "log", "--first-parent", "--reverse", "--format=%cI", "--", window.path).splitlines()[0]
        notices[window.id] = window.time("starts_at") - parse_time(first)
    late = [i for i, notice in notices.items() if notice < timedelta(hours=48)]
    assert len(late) == 1, notices
    assert "facturación" in windows[late[0]].title


def test_incident_ids_follow_landing_order(small: Path) -> None:
    incidents = tickets(small, Kind.INCIDENT)
    firsts = []
    for ticket_id in sorted(incidents):
        path = incidents[ticket_id].path
        firsts.append(git(small, "log", "--first-parent", "--reverse", "--format=%ct", "--", path).splitlines()[0])
    assert firsts == sorted(firsts)
    assert all(t.path.startswith(f"tickets/incidents/{t.path.split('/')[2]}/INC-") for t in incidents.values())


# --- end to end: the real commands on the small demo -------------------------------------


def test_sla_check_passes_at_the_demo_now_and_catches_a_missing_reason(small: Path, tmp_path: Path) -> None:
    result = gitdesk("--repo", str(small), "sla", "check", "--now", NOW)
    assert result.exit_code == 0, result.output

    copy = tmp_path / "copy"
    shutil.copytree(small, copy)
    breached = next(t for t in tickets(copy, Kind.INCIDENT).values() if t.get("breach_reason"))
    path = copy / breached.path
    path.write_text("".join(line for line in path.read_text("utf-8").splitlines(keepends=True)
                            if not line.startswith("breach_reason:")), "utf-8")
    git(copy, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "drop a breach reason",
        "--date", "2026-11-20T17:50:00+01:00")
    result = gitdesk("--repo", str(copy), "sla", "check", "--now", NOW)
    assert result.exit_code == 1
    assert breached.path in result.output and "breach_reason" in result.output


def test_sla_table_shows_breaches_escalations_and_the_overdue_runbook(small: Path) -> None:
    result = gitdesk("--repo", str(small), "sla", "--format", "json", "--now", NOW)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["summary"]
    assert summary["by_severity"]["P1"]["resolution"]["breached"] >= 1
    assert summary["by_severity"]["P0"]["mitigation"]["breached"] == 1
    assert {"L1->L2", "L2->L3", "L3->L4"} <= set(summary["escalations"])
    assert [r["id"] for r in summary["overdue_runbooks"]] == ["dependency-updates"]
    # The late window's outage counts against billing's uptime.
    assert summary["uptime"]["billing"]["90"]["outage_seconds"] > 3600


def test_both_sites_build_and_the_client_site_keeps_internal_work_out(small: Path, tmp_path: Path) -> None:
    internal_ids = [t.id for t in tickets(small, Kind.INCIDENT).values() if t.get("visibility") == "internal"]
    norte_ids = [t.id for t in tickets(small, Kind.INCIDENT).values() if t.client == "norte"]
    for args, out in ((("--client", "acme"), tmp_path / "acme"), (("--audience", "internal"), tmp_path / "internal")):
        result = gitdesk("--repo", str(small), "build", *args, "--out", str(out), "--now", NOW)
        assert result.exit_code == 0, result.output
        assert (out / "index.html").is_file()
    published = "\n".join(p.read_text("utf-8", errors="replace") for p in (tmp_path / "acme").rglob("*") if p.is_file())
    for ticket_id in internal_ids + norte_ids:
        assert not re.search(rf"\b{ticket_id}\b", published), f"{ticket_id} leaked into the acme site"
    assert "Ampliado el volumen de copias" not in published
    # Shared records (decisions, maintenance) are written for every client: they must not name another one.
    for other in ("Norte", "Sofía Navarro", "Iván Gil"):
        assert other not in published, f"{other!r} reached the acme site"
    everything = "\n".join(p.read_text("utf-8", errors="replace") for p in (tmp_path / "internal").rglob("*.html"))
    assert all(ticket_id in everything for ticket_id in internal_ids)


def test_make_demo_job_builds_both_sites_and_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gitdesk.commands import demo_job

    target = tmp_path / "demo"
    assert demo_job.run(target, size="small") == 0
    out = capsys.readouterr().out
    for index in (target / "site-acme" / "index.html", target / "site-internal" / "index.html"):
        assert index.is_file() and str(index.resolve()) in out
    assert f"gitdesk --repo {target} serve" in out
    assert git(target, "status", "--porcelain") == "", "the built sites stay out of the demo's Git status"


# --- the command line -------------------------------------------------------------


def test_demo_refuses_to_overwrite_without_force(small: Path) -> None:
    result = gitdesk("demo", str(small), "--size", "small")
    assert result.exit_code == 2
    assert "--force" in result.output


def test_force_replaces_an_old_demo_but_never_another_folder(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    assert gitdesk("demo", str(target), "--size", "small").exit_code == 0
    (target / "scratch.txt").write_text("old")
    assert gitdesk("demo", str(target), "--size", "small", "--force").exit_code == 0
    assert not (target / "scratch.txt").exists()

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    result = gitdesk("demo", str(precious), "--force")
    assert result.exit_code == 2
    assert "not a gitdesk repo" in result.output
    assert (precious / "thesis.tex").read_text() == "years of work"


# --- the full demo: the figures the issue promises -------------------------------------


def test_full_demo_matches_the_service_figures(full: Path) -> None:
    incidents = tickets(full, Kind.INCIDENT)
    assert 280 <= len(incidents) <= 320
    severities = [t.severity for t in incidents.values()]
    assert 1 <= severities.count("P0") <= 0.025 * len(severities)
    assert 0.09 <= severities.count("P1") / len(severities) <= 0.16
    p3 = [t for t in incidents.values() if t.severity == "P3"]
    assert sum(t.status == "deferred" for t in p3) > len(p3) / 2, "most P3 go to the backlog"
    assert 70 <= len(tickets(full, Kind.BACKLOG)) <= 95
    assert 35 <= len(tickets(full, Kind.DECISION)) <= 45
    decisions = tickets(full, Kind.DECISION)
    assert sum(1 for d in decisions.values() if d.get("superseded_by")) == 3  # a chain of three plus a pair

    result = gitdesk("--repo", str(full), "validate", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == {"errors": [], "warnings": []}
    result = gitdesk("--repo", str(full), "sla", "--format", "json", "--now", NOW)
    report = json.loads(result.output)
    p1 = report["summary"]["by_severity"]["P1"]["resolution"]
    assert 3 * 3600 <= p1["mean_seconds"] <= 5 * 3600, "mean P1 resolution near 4 h"
    assert 2 <= p1["breached"] <= 6
    throughput = report["summary"]["backlog_throughput"]
    last_three = throughput.get("2026-09", 0) + throughput.get("2026-10", 0) + throughput.get("2026-11", 0)
    assert 24 <= last_three <= 45, "about a dozen backlog items done a month by the end of the year"
    assert sum(1 for t in report["tickets"] if t["status"] in ("resolved", "closed")) > 200
    assert gitdesk("--repo", str(full), "sla", "check", "--now", NOW).exit_code == 0


def test_docs_name_the_right_tickets(full: Path) -> None:
    """docs/demo.md points newcomers at tickets by id; each id must hold the ticket it names."""
    text = (Path(__file__).parents[2] / "docs" / "demo.md").read_text("utf-8")
    pairs = re.findall(r"`([A-Z]{3}-\d{4})` \*([^*]+)\*", text)
    assert len(pairs) >= 12
    titles = {t.id: t.title for t in load_repo(full).tickets}
    for ticket_id, title in pairs:
        assert titles.get(ticket_id, "").startswith(" ".join(title.split())), (ticket_id, title, titles.get(ticket_id))


GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", ["gitdesk.yml", "INC-0030.md", "log.txt", "main-small.txt"])
def test_small_demo_matches_golden_files(small: Path, name: str) -> None:
    """The exact text other stages read (field order, quoting, commit shapes); GITDESK_UPDATE_GOLDEN=1 rewrites.

    ``main-small.txt`` is main's commit id: it names every file and commit of the history, so a
    refactor of the generator that changes any byte of the demo fails here.
    """
    if name == "main-small.txt":
        actual = git(small, "rev-parse", "main")
    elif name == "log.txt":
        actual = git(small, "log", "--first-parent", "-25", "--format=%ad | %cd | %an | %s", "--date=iso-strict")
    elif name.startswith("INC-"):
        actual = next(small.glob(f"tickets/incidents/*/{name}")).read_text("utf-8")
    else:
        actual = (small / name).read_text("utf-8")
    golden = GOLDEN / name
    if os.environ.get("GITDESK_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, "utf-8")
    assert actual == golden.read_text("utf-8"), f"{name} differs from {golden}; rerun with GITDESK_UPDATE_GOLDEN=1 if intended"


def test_full_demo_main_commit_matches_golden(full: Path) -> None:
    """The full demo, byte for byte: main's commit id names every file and commit of its history."""
    actual, golden = git(full, "rev-parse", "main"), GOLDEN / "main-full.txt"
    if os.environ.get("GITDESK_UPDATE_GOLDEN"):
        golden.write_text(actual, "utf-8")
    assert actual == golden.read_text("utf-8"), "the full demo changed; rerun with GITDESK_UPDATE_GOLDEN=1 if intended"


def test_every_scripted_story_lands_in_the_small_demo(small: Path) -> None:
    """The stories are data: each one's incident is in the smallest demo, under its scripted title and client."""
    incidents = {(t.title, t.client) for t in tickets(small, Kind.INCIDENT).values()}
    for story in STORIES:
        if isinstance(story, DeferredRequest):
            title, client = story.theme, story.client
        else:
            incident = story.incident if isinstance(story, LateWindow) else story
            title, client = incident.title, incident.client
        assert (title, client) in incidents, story
