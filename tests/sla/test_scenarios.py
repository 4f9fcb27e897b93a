"""Golden SLA scenarios: real Git repos with fixed commit times, `gitdesk sla` output compared with files.

Each folder under ``cases/`` holds ``scenario.yaml`` (commits in, see conftest)
and the reviewed outputs: ``expected.json`` (``sla --format json``) and
``expected.txt`` (``sla --format table``). Key figures are also asserted here
in plain numbers, hand-computed in the scenario's comments.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitdesk.cli import cli

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "scenario.yaml").exists())


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--repo", str(repo), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def sla_json(repo: Path, now: str) -> dict:
    code, out = run(repo, "sla", "--format", "json", "--now", now)
    assert code == 0, out
    return json.loads(out)


@pytest.mark.parametrize("name", NAMES)
def test_golden_json_and_table(name: str, scenario_repo, golden) -> None:
    repo, scenario = scenario_repo(name)
    code, out = run(repo, "sla", "--format", "json", "--now", scenario["now"])
    assert code == 0, out
    assert json.loads(out) == json.loads(golden(CASES / name / "expected.json", out))
    code, table = run(repo, "sla", "--format", "table", "--now", scenario["now"])
    assert code == 0
    assert table == golden(CASES / name / "expected.txt", table)


def clocks(report: dict, ticket_id: str) -> dict:
    return next(t for t in report["tickets"] if t["id"] == ticket_id)["targets"]


def test_business_hours_skip_lunch_and_weekend(scenario_repo) -> None:
    repo, scenario = scenario_repo("direct_basic")
    report = sla_json(repo, scenario["now"])
    inc1, inc2, inc3 = clocks(report, "INC-0001"), clocks(report, "INC-0002"), clocks(report, "INC-0003")
    assert (inc1["response"]["state"], inc1["response"]["elapsed_seconds"]) == ("met", 50 * 60)
    assert (inc1["resolution"]["state"], inc1["resolution"]["elapsed_seconds"]) == ("met", 5 * 3600 + 30 * 60)
    assert inc2["response"]["elapsed_seconds"] == 2 * 3600 + 30 * 60
    assert (inc2["resolution"]["state"], inc2["resolution"]["elapsed_seconds"], inc2["resolution"]["stopped_at"]) == ("running", 13 * 3600, None)
    # 12h of 16h is exactly the 0.75 at-risk share
    assert (inc3["response"]["state"], inc3["response"]["elapsed_seconds"], inc3["response"]["at_risk"]) == ("running", 12 * 3600, True)
    # P2 resolution has 27h left at Tue 13:00: Tue 4h + Wed 8h + Thu 8h + Fri 7h ends Friday 17:00
    assert inc2["resolution"]["due_at"] == "2026-03-13T16:00:00+00:00"
    assert inc1["resolution"]["due_at"] is None


def test_landed_time_is_the_merge_not_the_branch_commit(scenario_repo) -> None:
    repo, scenario = scenario_repo("merge_and_squash")
    report = sla_json(repo, scenario["now"])
    inc10, inc11 = clocks(report, "INC-0010"), clocks(report, "INC-0011")
    assert inc10["response"]["started_at"] == "2026-03-02T09:30:00+00:00"
    assert (inc10["response"]["state"], inc10["response"]["elapsed_seconds"]) == ("breached", 75 * 60)
    assert (inc10["resolution"]["state"], inc10["resolution"]["elapsed_seconds"]) == ("met", 3 * 3600 + 30 * 60)
    assert (inc11["response"]["state"], inc11["response"]["elapsed_seconds"]) == ("breached", 8 * 3600 + 30 * 60)
    assert sorted(a["kind"] for a in report["anomalies"]) == ["author-after-committer", "committer-time-backwards"]


def test_holidays_count_nothing(scenario_repo) -> None:
    repo, scenario = scenario_repo("holidays")
    report = sla_json(repo, scenario["now"])
    assert clocks(report, "INC-0020")["response"]["elapsed_seconds"] == 2 * 3600
    assert clocks(report, "INC-0020")["resolution"]["elapsed_seconds"] == 17 * 3600
    assert clocks(report, "INC-0021")["response"]["elapsed_seconds"] == 75 * 60
    assert clocks(report, "INC-0021")["resolution"]["elapsed_seconds"] == 90 * 60


def test_daylight_saving_in_both_calendars(scenario_repo) -> None:
    repo, scenario = scenario_repo("dst")
    report = sla_json(repo, scenario["now"])
    spring, autumn = clocks(report, "INC-0030"), clocks(report, "INC-0031")
    assert (spring["mitigation"]["elapsed_seconds"], spring["mitigation"]["state"]) == (3 * 3600, "breached")
    assert (spring["resolution"]["elapsed_seconds"], spring["resolution"]["state"]) == (3 * 3600 + 1800, "met")
    assert (autumn["resolution"]["elapsed_seconds"], autumn["resolution"]["state"]) == (4 * 3600 + 1800, "breached")
    assert clocks(report, "INC-0032")["resolution"]["elapsed_seconds"] == 2 * 3600
    assert clocks(report, "INC-0033")["response"]["elapsed_seconds"] == 3 * 3600


def test_pause_reopen_and_escalations(scenario_repo) -> None:
    repo, scenario = scenario_repo("pause_reopen_escalation")
    report = sla_json(repo, scenario["now"])
    inc40, inc41 = clocks(report, "INC-0040"), clocks(report, "INC-0041")
    assert inc40["response"]["started_at"] == "2026-03-02T08:00:00+00:00"  # reported_at, before the first landing
    assert (inc40["response"]["elapsed_seconds"], inc40["response"]["state"]) == (3600, "met")  # at target is met
    assert inc40["resolution"]["cycles"] == 2
    assert (inc40["resolution"]["elapsed_seconds"], inc40["resolution"]["total_elapsed_seconds"]) == (10 * 3600, 15 * 3600)
    assert (inc40["resolution"]["breached"], inc40["resolution"]["ever_breached"]) == (True, True)
    assert (inc41["resolution"]["state"], inc41["resolution"]["breached"], inc41["resolution"]["ever_breached"]) == ("met", False, True)
    assert report["summary"]["escalations"] == {"L1->L2": 2, "L2->L3": 1}
    waiting = clocks(report, "INC-0042")
    assert {n: (c["state"], c["elapsed_seconds"], c["stopped_at"]) for n, c in waiting.items()} == {
        "response": ("met", 300, "2026-03-12T08:05:00+00:00"),
        "mitigation": ("paused", 1800, None),
        "resolution": ("paused", 1800, None),
    }
    p1 = report["summary"]["by_severity"]["P1"]["resolution"]
    assert (p1["met"], p1["breached"], p1["mean_seconds"]) == (1, 1, (15 * 3600 + 12 * 3600) / 2)


def test_cancelled_out_of_scope_and_one_commit(scenario_repo) -> None:
    repo, scenario = scenario_repo("cancelled_and_one_commit")
    report = sla_json(repo, scenario["now"])
    ids = [t["id"] for t in report["tickets"]]
    # unlanded INC-0054 is left out; deleted INC-0055 stays, its clocks stopped at the deletion (17h into a 1h response)
    assert ids == ["INC-0050", "INC-0051", "INC-0052", "INC-0053", "INC-0055"]
    deleted = report["tickets"][-1]
    assert (deleted["status"], deleted["targets"]["response"]["state"], deleted["targets"]["response"]["elapsed_seconds"]) == (
        "deleted", "breached", 17 * 3600)
    assert all(c == {"state": "not_applicable"} for c in clocks(report, "INC-0050").values())
    assert all(c == {"state": "not_applicable"} for c in clocks(report, "INC-0052").values())
    one = clocks(report, "INC-0051")
    assert {n: (c["state"], c["stopped_at"]) for n, c in one.items()} == {
        n: ("met", "2026-03-02T08:10:00+00:00") for n in ("response", "mitigation", "resolution")}
    assert clocks(report, "INC-0053")["response"]["elapsed_seconds"] == 0


def test_severity_change_repicks_targets_and_keeps_breaches(scenario_repo) -> None:
    repo, scenario = scenario_repo("severity_change")
    report = sla_json(repo, scenario["now"])
    up, down = clocks(report, "INC-0060"), clocks(report, "INC-0061")
    assert (up["resolution"]["target_seconds"], up["resolution"]["elapsed_seconds"], up["resolution"]["state"]) == (8 * 3600, 10 * 3600, "breached")
    assert up["resolution"]["started_at"] == "2026-03-02T08:00:00+00:00"
    assert (down["resolution"]["target_seconds"], down["resolution"]["elapsed_seconds"], down["resolution"]["breached"]) == (40 * 3600, 3 * 3600, True)
    assert (down["response"]["target_seconds"], down["response"]["state"]) == (15 * 60, "met")
    # P2 has no mitigation target, but P0's 1h was 5h gone at the downgrade: that breach stays, with its figures then
    assert (down["mitigation"]["state"], down["mitigation"]["elapsed_seconds"], down["mitigation"]["target_seconds"]) == (
        "breached", 5 * 3600, 3600)


def test_uptime_maintenance_backlog_and_runbooks(scenario_repo) -> None:
    repo, scenario = scenario_repo("uptime_and_more")
    summary = sla_json(repo, scenario["now"])["summary"]
    accounting, orders = summary["uptime"]["accounting"]["30"], summary["uptime"]["orders"]["30"]
    assert (accounting["outage_seconds"], accounting["maintenance_seconds"]) == (3 * 3600 + 1800, 3600)
    assert accounting["error_budget_seconds"] == 5184 and accounting["budget_left_seconds"] == 5184 - 12600
    assert accounting["uptime"] == round(1 - 12600 / (30 * 86400), 6)
    assert (orders["outage_seconds"], orders["degraded_seconds"], orders["maintenance_seconds"]) == (1800, 3 * 3600, 0)
    assert summary["backlog_throughput"] == {"2026-10": 1, "2026-11": 1}
    assert [r["id"] for r in summary["overdue_runbooks"]] == ["backup-restore", "cert-renewal"]


def test_now_in_the_past_ignores_later_landings(scenario_repo) -> None:
    repo, _ = scenario_repo("direct_basic")
    report = sla_json(repo, "2026-03-06T15:00:00+01:00")
    assert [t["id"] for t in report["tickets"]] == ["INC-0001"]
    response = clocks(report, "INC-0001")["response"]
    assert (response["state"], response["elapsed_seconds"], response["at_risk"]) == ("running", 30 * 60, False)


def test_since_until_and_csv(scenario_repo) -> None:
    repo, scenario = scenario_repo("direct_basic")
    code, out = run(repo, "sla", "--format", "csv", "--now", scenario["now"], "--since", "2026-03-09")
    assert code == 0
    rows = out.strip().splitlines()
    assert rows[0].startswith("id,severity,status,client,target,state")
    assert [r.split(",")[0] for r in rows[1:]] == ["INC-0003"] * 3
    code, out = run(repo, "sla", "--format", "json", "--now", scenario["now"], "--until", "2026-03-09")
    assert [t["id"] for t in json.loads(out)["tickets"]] == ["INC-0001", "INC-0002"]
    code, out = run(repo, "sla", "--since", "last week")
    assert code == 2 and "not a date" in out


def test_client_policies_and_filter(scenario_repo) -> None:
    repo, scenario = scenario_repo("clients")
    report = sla_json(repo, scenario["now"])
    assert clocks(report, "INC-0080")["response"]["state"] == "breached"  # acme: 30m on always
    assert clocks(report, "INC-0081")["response"]["state"] == "met"  # default P1: 1h business
    code, out = run(repo, "sla", "--format", "json", "--now", scenario["now"], "--client", "acme")
    acme = json.loads(out)
    assert [t["id"] for t in acme["tickets"]] == ["INC-0080"]
    assert list(acme["summary"]["uptime"]) == ["accounting"]
    assert acme["summary"]["uptime"]["accounting"]["30"]["outage_seconds"] == 3600
    code, out = run(repo, "sla", "--client", "initech")
    assert code == 2 and "unknown client 'initech'" in out
