"""Finding 4: a breach the evidence shows can never be erased by a later commit.

The attack: a P0 reported at 09:00 sat untouched for six hours, so response
(15m), mitigation (1h) and resolution (4h) were all breached. A later commit
then tries to make the breach disappear: cancel it, mark it out of scope,
downgrade it to a severity without such a target, hand it to a client with a
lenient policy, or delete the file. Each test builds that history as a real
Git repo and asks the real CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.history.repos import git
from tests.sla.desk import INCIDENT, clocks_of, gitdesk, land, new_desk, sla_json, write_incident

REPORTED = "2026-03-02T09:00:00+01:00"
SIX_HOURS_LATER = "2026-03-02T15:00:00+01:00"
NOW = "2026-03-03T12:00:00+01:00"
ALL_BREACHED = {"response": 6 * 3600, "mitigation": 6 * 3600, "resolution": 6 * 3600}


@pytest.fixture
def breached_p0(tmp_path: Path) -> Path:
    repo = new_desk(tmp_path)
    write_incident(repo, REPORTED, message="INC-0001 reported")
    # before any erasing edit, the breach is there (the reference the attacks below must not change)
    assert {n: c["state"] for n, c in clocks_of(sla_json(repo, SIX_HOURS_LATER)).items()} == dict.fromkeys(ALL_BREACHED, "breached")
    return repo


def assert_breach_kept(repo: Path) -> None:
    """Every clock stays breached, frozen where it stood when the edit landed (six hours in)."""
    targets = clocks_of(sla_json(repo, NOW))
    for name, elapsed in ALL_BREACHED.items():
        clock = targets[name]
        assert (clock["state"], clock["breached"], clock["ever_breached"]) == ("breached", True, True), (name, clock)
        assert clock["elapsed_seconds"] == elapsed, (name, clock)
        assert clock["stopped_at"] == "2026-03-02T14:00:00+00:00", (name, clock)
    code, out = gitdesk(repo, "sla", "check", "--now", NOW)
    assert code == 1, out
    assert "GD320" in out and "INC-0001: breached response (6h of 15m), mitigation (6h of 1h), resolution (6h of 4h)" in out


@pytest.mark.parametrize("edit", [
    {"status": "cancelled"},
    {"coverage": "out-of-scope"},
    {"status": "cancelled", "coverage": "out-of-scope"},
], ids=["cancelled", "out-of-scope", "both"])
def test_withdrawing_a_breached_ticket_keeps_the_breach(breached_p0: Path, edit: dict[str, str]) -> None:
    write_incident(breached_p0, SIX_HOURS_LATER, message="withdraw it", **edit)
    assert_breach_kept(breached_p0)


def test_a_reason_is_what_satisfies_sla_check(breached_p0: Path) -> None:
    write_incident(breached_p0, SIX_HOURS_LATER, status="cancelled",
                   breach_reason="Duplicate of INC-0002; nobody watched the queue that morning.")
    code, out = gitdesk(breached_p0, "sla", "check", "--now", NOW)
    assert code == 0 and "GD320" not in out, out
    assert clocks_of(sla_json(breached_p0, NOW))["resolution"]["state"] == "breached"


def test_downgrade_to_a_severity_without_that_target_keeps_the_breach(breached_p0: Path) -> None:
    # P3 has a response target only: mitigation and resolution used to become not_applicable
    write_incident(breached_p0, SIX_HOURS_LATER, severity="P3", message="it was minor after all")
    targets = clocks_of(sla_json(breached_p0, NOW))
    assert targets["mitigation"]["state"] == "breached" and targets["mitigation"]["ever_breached"]
    assert targets["resolution"]["state"] == "breached" and targets["resolution"]["ever_breached"]
    assert targets["response"]["state"] == "breached"  # 15m crossed before the downgrade
    code, out = gitdesk(breached_p0, "sla", "check", "--now", NOW)
    assert code == 1 and "GD320" in out


def test_moving_to_a_client_with_a_lenient_policy_keeps_the_breach(breached_p0: Path) -> None:
    # globex's policy gives a P0 100h to respond: re-judged from scratch, the 6h response would be "met"
    write_incident(breached_p0, SIX_HOURS_LATER, status="investigating", client="globex", message="globex's ticket really")
    response = clocks_of(sla_json(breached_p0, NOW))["response"]
    assert (response["state"], response["breached"], response["ever_breached"]) == ("breached", True, True), response


def test_a_clock_met_before_cancelling_is_not_turned_into_a_breach(tmp_path: Path) -> None:
    repo = new_desk(tmp_path)
    write_incident(repo, REPORTED)
    write_incident(repo, "2026-03-02T09:10:00+01:00", status="cancelled")
    assert {n: c["state"] for n, c in clocks_of(sla_json(repo, NOW)).items()} == dict.fromkeys(ALL_BREACHED, "not_applicable")
    assert gitdesk(repo, "sla", "check", "--now", NOW)[0] == 0


def test_deleting_the_file_is_a_validation_error_and_sla_still_reports_it(breached_p0: Path) -> None:
    sha = land(breached_p0, SIX_HOURS_LATER, remove=INCIDENT, message="tidy up")
    code, out = gitdesk(breached_p0, "validate")
    assert code == 1, out
    assert "GD314" in out and INCIDENT in out and sha[:10] in out
    assert "set status: cancelled with a reason" in out

    report = sla_json(breached_p0, NOW)
    entry = next(t for t in report["tickets"] if t["id"] == "INC-0001")
    assert entry["status"] == "deleted" and entry["file"] == INCIDENT
    assert entry["deleted"] == {"sha": sha, "landed_at": "2026-03-02T14:00:00+00:00"}
    assert_breach_kept(breached_p0)
    code, table = gitdesk(breached_p0, "sla", "--now", NOW)
    assert code == 0 and "INC-0001" in table and "deleted" in table


def test_deleting_an_unbreached_ticket_is_still_a_validation_error(tmp_path: Path) -> None:
    repo = new_desk(tmp_path)
    write_incident(repo, REPORTED)
    land(repo, "2026-03-02T09:05:00+01:00", remove=INCIDENT, message="oops")
    code, out = gitdesk(repo, "validate", "--format", "json")
    assert code == 1
    assert '"code": "GD314"' in out and f'"file": "{INCIDENT}"' in out
    entry = next(t for t in sla_json(repo, NOW)["tickets"] if t["id"] == "INC-0001")
    assert entry["status"] == "deleted"
    assert {n: c["state"] for n, c in entry["targets"].items()} == dict.fromkeys(ALL_BREACHED, "not_applicable")


def test_restoring_the_file_ends_the_deletion_error(breached_p0: Path) -> None:
    land(breached_p0, SIX_HOURS_LATER, remove=INCIDENT, message="tidy up")
    # the pull request that brings it back passes validate before it lands
    git(breached_p0, "checkout", "-q", "HEAD~1", "--", INCIDENT)
    assert "GD314" not in gitdesk(breached_p0, "validate")[1]
    git(breached_p0, "rm", "-q", "--cached", INCIDENT)
    (breached_p0 / INCIDENT).unlink()
    git(breached_p0, "revert", "--no-edit", "HEAD", when="2026-03-02T16:00:00+01:00")
    code, out = gitdesk(breached_p0, "validate")
    assert "GD314" not in out, out
    entry = next(t for t in sla_json(breached_p0, NOW)["tickets"] if t["id"] == "INC-0001")
    assert entry["status"] == "reported" and "deleted" not in entry


def test_hiding_a_breached_ticket_from_clients_keeps_it_in_sla_check(breached_p0: Path) -> None:
    write_incident(breached_p0, SIX_HOURS_LATER, visibility="internal", message="not for clients")
    targets = clocks_of(sla_json(breached_p0, NOW))
    assert all(clock["state"] == "breached" and clock["ever_breached"] for clock in targets.values()), targets
    code, out = gitdesk(breached_p0, "sla", "check", "--now", NOW)
    assert code == 1 and "GD320" in out
