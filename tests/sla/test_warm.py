"""Warm `gitdesk sla`: the SLA cache gives the cold report byte for byte, and is ignored when forged or stale.

Each step runs the real CLI twice on a real Git repo (fixed commit times)
and compares its text with a cold report computed from scratch (no history,
load or SLA cache): after the first run, a warm run with nothing changed,
a new commit touching one ticket, an edit in the working tree, and a
policy change.
"""

from __future__ import annotations

import hmac
import shutil
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from gitdesk.config import load_config
from gitdesk.history import read_history
from gitdesk.load.files import load_repo
from gitdesk.model import parse_time
from gitdesk.sla import compute, render
from tests.history.repos import git
from tests.sla.desk import CONFIG, gitdesk, land, new_desk, ticket

NOW = "2026-03-09T12:00:00+01:00"
SNAPSHOT = "clocks from the SLA snapshot"
READ = "reading history and tickets"


def _incident(number: int, **fields: object) -> dict[str, str]:
    path = f"tickets__incidents__2026__INC-{number:04d}.md"
    return {path: ticket(id=f"INC-{number:04d}", **fields)}  # type: ignore[arg-type]


def cold(repo: Path, fmt: str = "json", now: str = NOW) -> str:
    """The report computed from scratch: no cache read or written."""
    config = load_config(repo)
    report = compute(load_repo(repo).tickets, read_history(repo, branch=config.branch, use_cache=False), config,
                     now=parse_time(now))  # type: ignore[arg-type]
    return render(report, fmt, ZoneInfo(config.timezone))


def settle(repo: Path) -> None:
    """Date every ticket file and folder 10 s back, as if written a while ago (a file written in the
    last 2 s is never trusted by its stat, see gitdesk.load.cache)."""
    past = time.time() - 10
    for folder, _, files in os.walk(repo / "tickets"):
        for name in [*files, "."]:
            os.utime(Path(folder) / name, (past, past))


def warm(repo: Path, fmt: str = "json", now: str = NOW) -> tuple[str, str]:
    """(report text, what -v said on stderr) of `gitdesk -v sla`."""
    code, out = gitdesk(repo, "-v", "sla", "--format", fmt, "--now", now)
    assert code == 0, out
    said = "\n".join(line for line in out.splitlines() if line.startswith("gitdesk."))
    return "\n".join(line for line in out.splitlines() if not line.startswith("gitdesk.")) + "\n", said


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """Three incidents: one resolved (stable), one still running, one P3 whose response was met."""
    repo = new_desk(tmp_path)
    land(repo, "2026-03-02T10:00:00+01:00", **_incident(1), **_incident(2), **_incident(3, severity="P3"))
    land(repo, "2026-03-02T10:05:00+01:00", **_incident(1, status="investigating"), **_incident(3, severity="P3", status="investigating"))
    land(repo, "2026-03-02T11:00:00+01:00", **_incident(1, status="resolved"))
    land(repo, "2026-03-02T12:00:00+01:00", **_incident(2, status="investigating", breach_reason="Waiting on the vendor"))
    settle(repo)
    return repo


def test_warm_report_is_the_cold_one_through_commits_edits_and_policy_changes(desk: Path) -> None:
    first, said = warm(desk)
    assert READ in said and first == cold(desk)

    again, said = warm(desk)
    assert SNAPSHOT in said, "nothing changed: the snapshot must be used"
    assert again == first
    # a later `now` moves the running clocks: recomputed, not taken from the snapshot's run
    later, said = warm(desk, now="2026-03-20T12:00:00+01:00")
    assert SNAPSHOT in said and later == cold(desk, now="2026-03-20T12:00:00+01:00") and later != first
    for fmt in ("table", "csv"):
        assert warm(desk, fmt)[0] == cold(desk, fmt)

    # a new commit touching one ticket: the other parts come from the cache, INC-0002's is judged again
    land(desk, "2026-03-03T09:00:00+01:00", **_incident(2, status="resolved"))
    settle(desk)
    after_commit, said = warm(desk)
    assert READ in said and after_commit == cold(desk) and after_commit != first
    assert warm(desk) == (after_commit, warm(desk)[1]) and SNAPSHOT in warm(desk)[1]

    # an edit in the working tree, not committed: the file's breach_reason is what the report shows
    path = desk / "tickets/incidents/2026/INC-0001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: resolved", "status: resolved\nbreach_reason: Night shift"),
                    encoding="utf-8")
    settle(desk)
    edited, said = warm(desk)
    assert READ in said and edited == cold(desk) and "Night shift" in edited
    assert warm(desk)[0] == edited

    # another policy: no part of the old one is reused
    config = dict(CONFIG, sla={"targets": {"P0": {"calendar": "always", "response": "1m", "mitigation": "2m", "resolution": "3m"},
                                           "P3": {"calendar": "always", "response": "1m"}}})
    (desk / "gitdesk.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    stricter, said = warm(desk)
    assert READ in said and stricter == cold(desk) and stricter != edited
    assert '"state": "breached"' in stricter
    assert warm(desk)[0] == stricter


def test_a_client_report_does_not_reuse_the_whole_desk_snapshot(desk: Path) -> None:
    warm(desk)
    code, out = gitdesk(desk, "sla", "--format", "json", "--now", NOW, "--client", "globex")
    assert code == 0 and '"id"' not in out.split('"summary"')[0], "acme's incidents must not be in globex's report"
    assert warm(desk)[0] == cold(desk)


def test_a_forged_or_unsigned_cache_is_ignored(desk: Path) -> None:
    genuine, _ = warm(desk)
    cache = desk / ".gitdesk-cache" / "sla.cache"
    raw = cache.read_bytes()
    # a push that rewrites a figure but cannot sign it: the text "met" of a clock becomes "breached"
    forged = raw[32:].replace(b'"state": "met"', b'"state": "XXXX"', 1)
    assert forged != raw[32:]
    cache.write_bytes(raw[:32] + forged)
    text, said = warm(desk)
    assert READ in said and text == genuine == cold(desk)
    # signed with a key of the attacker's own
    cache.write_bytes(hmac.digest(b"k" * 32, forged, "sha256") + forged)
    text, said = warm(desk)
    assert READ in said and text == genuine


def test_a_new_commit_with_the_same_tree_files_is_seen(desk: Path) -> None:
    """Committing a file already edited in the tree changes refs only: the snapshot must not answer."""
    first, _ = warm(desk)
    path = desk / "tickets/incidents/2026/INC-0002.md"
    path.write_text(ticket(id="INC-0002", status="mitigated", breach_reason="Waiting on the vendor"), encoding="utf-8")
    settle(desk)
    assert warm(desk)[0] == first  # not landed yet: the report is the same
    assert SNAPSHOT in warm(desk)[1]
    git(desk, "add", "tickets/incidents/2026/INC-0002.md")  # the file itself is not written again
    git(desk, "commit", "-q", "-m", "INC-0002 mitigated", when="2026-03-02T13:00:00+01:00")
    text, said = warm(desk)
    assert READ in said and text == cold(desk) and text != first


def test_validate_through_the_load_cache_reports_what_a_fresh_load_does(desk: Path) -> None:
    before = gitdesk(desk, "validate", "--format", "json", "--no-history")
    assert (desk / ".gitdesk-cache" / "load.cache").is_file(), "validate keeps the parsed files"
    assert "P9" not in before[1]
    path = desk / "tickets/incidents/2026/INC-0003.md"
    path.write_text(path.read_text(encoding="utf-8").replace("severity: P3", "severity: P9"), encoding="utf-8")
    settle(desk)
    code, out = gitdesk(desk, "validate", "--format", "json", "--no-history")
    again = gitdesk(desk, "validate", "--format", "json", "--no-history")  # from the cache this time
    assert code == 1 and "P9" in out and again == (code, out)
    shutil.rmtree(desk / ".gitdesk-cache")
    assert gitdesk(desk, "validate", "--format", "json", "--no-history") == (code, out)


def test_two_files_with_one_id_are_each_reported_from_their_own_file(desk: Path) -> None:
    """Before `renumber`, a second file with a landed id: both rows keep their own path, warm or cold."""
    copy = desk / "tickets/incidents/2026/INC-0001-copy.md"
    copy.write_text((desk / "tickets/incidents/2026/INC-0001.md").read_text(encoding="utf-8")
                    .replace("status: resolved", "status: resolved\nbreach_reason: Copied"), encoding="utf-8")
    settle(desk)
    first, _ = warm(desk)
    again, said = warm(desk)
    assert first == again == cold(desk) and SNAPSHOT in said
    assert "INC-0001-copy.md" in first and "Copied" in first


def test_filters_and_an_earlier_now_give_the_cold_report(desk: Path) -> None:
    """--client, --since/--until and a --now before the last landings: warm equals cold, through the snapshot or not."""
    config = load_config(desk)
    zone = ZoneInfo(config.timezone)

    def fresh(now: str, **options: object) -> str:
        report = compute(load_repo(desk).tickets, read_history(desk, branch=config.branch, use_cache=False), config,
                         now=parse_time(now), **options)  # type: ignore[arg-type]
        return render(report, "json", zone)

    for args, options in ((["--client", "acme"], {"client": "acme"}),
                          (["--since", "2026-03-02T10:30:00+01:00"], {"since": parse_time("2026-03-02T10:30:00+01:00")}),
                          (["--until", "2026-03-02T10:30:00+01:00"], {"until": parse_time("2026-03-02T10:30:00+01:00")})):
        for _ in range(2):
            code, out = gitdesk(desk, "sla", "--format", "json", "--now", NOW, *args)
            assert code == 0 and out == fresh(NOW, **options), args
    warm(desk)
    earlier = "2026-03-02T10:30:00+01:00"  # INC-0001 resolved and INC-0002 investigating land later
    text, said = warm(desk, now=earlier)
    assert READ in said and text == fresh(earlier)
