"""Finding 5: a back-dated commit cannot shorten a clock once the witness has seen it.

The attack: a P0 is reported at 10:00 and really resolved at 20:00, but the
resolution is committed with committer date 10:05. From committer times alone
a 10-hour breach reads "met 5m". `gitdesk witness` (CI, on every push to main)
notes when each new commit was first seen; the note overrules a committer
time that is off by more than `sla.witness_tolerance`.
"""

from __future__ import annotations

import copy
from pathlib import Path

from tests.history.repos import git
from tests.sla.desk import CONFIG, INCIDENT, clocks_of, gitdesk, new_desk, sla_json, ticket

REPORTED = "2026-03-02T10:00:00+01:00"
FORGED = "2026-03-02T10:05:00+01:00"
REALLY = "2026-03-02T20:00:00+01:00"
NOW = "2026-03-03T12:00:00+01:00"
RESOLVED = {"status": "resolved", "root_cause": "disk full", "resolution": "freed", "prevention": "alerting"}


def land_at(repo: Path, committed: str, text: str, message: str) -> str:
    (repo / INCIDENT).parent.mkdir(parents=True, exist_ok=True)
    (repo / INCIDENT).write_text(text, encoding="utf-8")
    git(repo, "add", INCIDENT)
    git(repo, "commit", "-q", "-m", message, when=committed)
    return git(repo, "rev-parse", "HEAD").strip()


def witness(repo: Path, at: str) -> str:
    code, out = gitdesk(repo, "witness", "--now", at)
    assert code == 0, out
    return out


def forged_history(tmp_path: Path, config: dict | None = None) -> tuple[Path, str]:
    """Report at 10:00 (witnessed at 10:01), resolution dated 10:05 but pushed at 20:00 (witnessed then)."""
    repo = new_desk(tmp_path, config, when="2026-03-02T09:00:00+01:00")
    witness(repo, "2026-03-02T09:01:00+01:00")  # CI ran on the push of gitdesk.yml
    land_at(repo, REPORTED, ticket(), "INC-0001 reported")
    witness(repo, "2026-03-02T10:01:00+01:00")
    sha = land_at(repo, FORGED, ticket(**RESOLVED), "INC-0001 resolved")
    return repo, sha


def test_without_the_witness_the_forgery_reads_met(tmp_path: Path) -> None:
    repo, _ = forged_history(tmp_path)
    resolution = clocks_of(sla_json(repo, NOW))["resolution"]
    assert (resolution["state"], resolution["elapsed_seconds"], resolution["witnessed"]) == ("met", 300, False)


def test_the_witnessed_time_overrules_a_back_dated_commit(tmp_path: Path) -> None:
    repo, sha = forged_history(tmp_path)
    sla_json(repo, NOW)  # a cached history from before the notes must not survive them
    out = witness(repo, REALLY)
    assert sha[:10] in out
    targets = clocks_of(sla_json(repo, NOW))
    assert targets["resolution"]["state"] == "breached" and targets["resolution"]["elapsed_seconds"] == 10 * 3600
    assert targets["resolution"]["stopped_at"] == "2026-03-02T19:00:00+00:00"
    assert all(clock["witnessed"] for clock in targets.values())

    code, out = gitdesk(repo, "validate")
    assert "GD313" in out and sha[:10] in out and "witness" in out, out
    code, out = gitdesk(repo, "sla", "check", "--now", NOW)
    assert code == 1 and "GD320" in out and "GD313" in out, out


def test_the_note_is_one_iso_line_a_client_can_read_with_plain_git(tmp_path: Path) -> None:
    repo, sha = forged_history(tmp_path)
    witness(repo, REALLY)
    assert git(repo, "notes", "--ref", "gitdesk-witness", "show", sha) == REALLY + "\n"
    log = git(repo, "log", "--notes=gitdesk-witness", "-1", sha)
    assert REALLY in log
    # a second run with nothing new notes nothing and changes no note
    assert "nothing new" in witness(repo, "2026-03-02T21:00:00+01:00")
    assert git(repo, "notes", "--ref", "gitdesk-witness", "show", sha) == REALLY + "\n"


def test_a_lag_within_tolerance_keeps_the_committer_time(tmp_path: Path) -> None:
    repo, _ = forged_history(tmp_path)
    witness(repo, "2026-03-02T10:15:00+01:00")  # CI 10 minutes behind: normal
    resolution = clocks_of(sla_json(repo, NOW))["resolution"]
    assert (resolution["state"], resolution["elapsed_seconds"], resolution["witnessed"]) == ("met", 300, True)
    code, out = gitdesk(repo, "validate")
    assert "GD313" not in out


def test_witness_tolerance_comes_from_gitdesk_yml(tmp_path: Path) -> None:
    config = copy.deepcopy(CONFIG)
    config["sla"]["witness_tolerance"] = "12h"
    repo, _ = forged_history(tmp_path, config)
    witness(repo, REALLY)
    assert clocks_of(sla_json(repo, NOW))["resolution"]["elapsed_seconds"] == 300


def test_the_first_run_vouches_only_for_the_fresh_commits_at_the_tip(tmp_path: Path) -> None:
    repo = new_desk(tmp_path, when="2026-03-02T09:00:00+01:00")
    land_at(repo, REPORTED, ticket(), "INC-0001 reported")
    tip = land_at(repo, "2026-03-02T10:30:00+01:00", ticket(status="investigating"), "investigating")
    out = witness(repo, "2026-03-02T10:31:00+01:00")
    assert "first witness run" in out
    assert git(repo, "notes", "--ref", "gitdesk-witness", "list").split()[1] == tip
    response = clocks_of(sla_json(repo, NOW))["response"]
    assert (response["elapsed_seconds"], response["witnessed"]) == (30 * 60, False)  # its start was never witnessed


def test_a_first_run_long_after_the_tip_moves_no_time(tmp_path: Path) -> None:
    # witness introduced into an old desk: it cannot tell an old tip from a back-dated one, so it notes nothing yet
    repo = new_desk(tmp_path, when="2026-03-02T09:00:00+01:00")
    land_at(repo, REPORTED, ticket(), "INC-0001 reported")
    before = sla_json(repo, NOW)
    out = witness(repo, "2026-03-20T10:00:00+01:00")
    assert "nothing was noted" in out
    assert sla_json(repo, NOW) == before
    assert "GD313" not in gitdesk(repo, "validate")[1]


def test_a_bad_tolerance_is_a_config_error(tmp_path: Path) -> None:
    config = copy.deepcopy(CONFIG)
    config["sla"]["witness_tolerance"] = "soon"
    code, out = gitdesk(new_desk(tmp_path, config), "sla")
    assert code == 2 and "sla.witness_tolerance" in out, out


def test_the_incident_page_marks_witnessed_clocks(tmp_path: Path) -> None:
    repo, _ = forged_history(tmp_path)
    before = tmp_path / "before"
    assert gitdesk(repo, "generate", "--out", str(before), "--client", "acme", "--now", NOW)[0] == 0
    witness(repo, REALLY)
    after = tmp_path / "after"
    code, out = gitdesk(repo, "generate", "--out", str(after), "--client", "acme", "--now", NOW)
    assert code == 0, out
    page = next(after.rglob("INC-0001.md")).read_text(encoding="utf-8")
    assert page.count("✓ witnessed") == 3 and "breached" in page
    assert "witnessed" not in next(before.rglob("INC-0001.md")).read_text(encoding="utf-8")


def test_a_future_dated_report_cannot_start_its_clocks_late(tmp_path: Path) -> None:
    # the mirror attack: the report claims 18:00 (clocks would start eight hours late) but CI saw it at 10:01
    repo = new_desk(tmp_path, when="2026-03-02T09:00:00+01:00")
    witness(repo, "2026-03-02T09:01:00+01:00")
    sha = land_at(repo, "2026-03-02T18:00:00+01:00", ticket(), "INC-0001 reported")
    witness(repo, "2026-03-02T10:01:00+01:00")
    response = clocks_of(sla_json(repo, "2026-03-02T19:00:00+01:00"))["response"]
    assert response["started_at"] == "2026-03-02T09:01:00+00:00" and response["state"] == "breached"
    code, out = gitdesk(repo, "validate")
    assert "GD313" in out and sha[:10] in out and "later than the witness" in out
