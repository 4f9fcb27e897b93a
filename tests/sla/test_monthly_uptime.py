"""Uptime per calendar month, and a component's own start (``components[].since``).

Real Git repos with fixed commit times. The months are local months of
Europe/Madrid: October 2026 has 31 days and one extra hour (the clocks go back
on the 25th), so its length is 2,682,000 seconds, not 31 × 86,400.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gitdesk.cli import cli
from gitdesk.config import load_config
from gitdesk.history import read_history
from gitdesk.load.files import load_repo
from gitdesk.model import parse_time
from gitdesk.site import scope_for, site_bundle
from gitdesk.sla import DayImpact, compute
from tests.sla.conftest import BASE_CONFIG, build_repo

NOW = "2026-11-05T12:00:00+01:00"
SEPTEMBER = 30 * 86400
OCTOBER = 31 * 86400 + 3600

#: A desk whose first record lands at the start of September; three outages with known lengths.
SCENARIO: dict[str, Any] = {
    "commits": [
        {"at": "2026-09-01T00:00:00+02:00", "tickets": {"DEC-0001": {"status": "accepted", "date": "2026-09-01"}}},
        # accounting: 10:00 -> 13:00, three hours down in September
        {"at": "2026-09-10T10:15:00+02:00", "tickets": {"INC-0001": {
            "severity": "P1", "status": "reported", "impact": "outage", "components": ["accounting"],
            "started_at": "2026-09-10T10:00:00+02:00"}}},
        {"at": "2026-09-10T13:00:00+02:00", "tickets": {"INC-0001": {"status": "mitigated"}}},
        {"at": "2026-09-10T15:00:00+02:00", "tickets": {"INC-0001": {
            "status": "resolved", "root_cause": "a", "resolution": "b", "prevention": "c"}}},
        # orders: 23:00 on 30 September -> 01:00 on 1 October, one hour in each month
        {"at": "2026-09-30T23:05:00+02:00", "tickets": {"INC-0002": {
            "severity": "P2", "status": "reported", "impact": "outage", "components": ["orders"],
            "started_at": "2026-09-30T23:00:00+02:00"}}},
        {"at": "2026-10-01T01:00:00+02:00", "tickets": {"INC-0002": {
            "status": "resolved", "root_cause": "a", "resolution": "b", "prevention": "c"}}},
    ],
}


def gitdesk(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--repo", str(repo), *args])
    return result.exit_code, result.output


def sla_json(repo: Path, *args: str) -> dict[str, Any]:
    code, out = gitdesk(repo, "sla", "--now", NOW, "--format", "json", *args)
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def report_rows(page: str) -> dict[str, list[str]]:
    """The monthly report's uptime rows: component id -> [indicator, goal, measured, result]."""
    return {cid: [re.sub(r"<[^>]+>", " ", cell).split("  ")[0].strip() for cell in re.findall(r"<td>(.*?)</td>", row)]
            for cid, row in re.findall(r'<tr data-uptime="([^"]+)">(.*?)</tr>', page)}


def bundle(repo: Path, audience: str = "internal", client: str | None = None) -> dict[str, Any]:
    config = load_config(repo)
    now = parse_time(NOW)
    assert now is not None
    return site_bundle(load_repo(repo).tickets, read_history(repo, branch=config.branch), config,
                       scope=scope_for(config, audience, client), now=now).files


def test_a_known_outage_gives_a_known_monthly_uptime_on_the_json_and_the_report(tmp_path: Path) -> None:
    repo = build_repo(tmp_path, SCENARIO)
    months = sla_json(repo)["summary"]["uptime_by_month"]

    assert list(months) == ["2026-09", "2026-10", "2026-11"]
    september, october, november = months["2026-09"], months["2026-10"], months["2026-11"]
    assert september["accounting"]["outage_seconds"] == 3 * 3600
    assert september["accounting"]["uptime"] == round(1 - 3 * 3600 / SEPTEMBER, 6)  # 99.583 %: under the 99.8 % goal
    # an outage across midnight of the month's end is split between the two months
    assert september["orders"]["outage_seconds"] == october["orders"]["outage_seconds"] == 3600
    assert september["orders"]["uptime"] == round(1 - 3600 / SEPTEMBER, 6)
    assert october["orders"]["uptime"] == round(1 - 3600 / OCTOBER, 6)
    assert october["accounting"] == {**october["accounting"], "uptime": 1.0, "outage_seconds": 0,
                                     "from": "2026-09-30T22:00:00+00:00", "to": "2026-10-31T23:00:00+00:00"}
    assert september["accounting"]["error_budget_seconds"] == round(0.002 * SEPTEMBER)
    # the month still running is measured up to now
    assert november["orders"]["from"] == "2026-10-31T23:00:00+00:00" and november["orders"]["to"] == "2026-11-05T11:00:00+00:00"

    files = bundle(repo)
    page = files["sla/2026-09.md"]
    rows = report_rows(page)
    assert rows["accounting"] == ["Uptime: Accounting module", "99.8%", f"{september['accounting']['uptime'] * 100:.3f}%", "missed"]
    assert rows["accounting"][2] == "99.583%"
    assert rows["orders"] == ["Uptime: Orders panel", "99.8%", f"{september['orders']['uptime'] * 100:.3f}%", "met"]
    assert report_rows(files["sla/2026-10.md"])["orders"][2] == f"{october['orders']['uptime'] * 100:.3f}%" == "99.866%"
    # November is not over: the report says what it measured
    assert "Uptime measured from 2026-11-01 00:00 CET to 2026-11-05 12:00 CET." in files["sla/2026-11.md"]
    assert "Uptime measured" not in page


def test_a_month_without_incidents_still_gets_its_report(tmp_path: Path) -> None:
    scenario = {"commits": SCENARIO["commits"][:4]}  # nothing happens in October
    repo = build_repo(tmp_path, scenario)
    files = bundle(repo)
    assert report_rows(files["sla/2026-10.md"])["accounting"][2:] == ["100.000%", "met"]


def with_since(since: dict[str, str], commits: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    components = [{**c, **({"since": since[c["id"]]} if c["id"] in since else {})} for c in BASE_CONFIG["components"]]
    return {"config": {"components": components}, "commits": commits if commits is not None else SCENARIO["commits"][:4]}


def test_a_component_added_later_counts_from_its_since(tmp_path: Path) -> None:
    repo = build_repo(tmp_path, with_since({"orders": "2026-10-15"}))
    report = sla_json(repo)["summary"]

    # orders did not exist in September: no figure for it, rather than a perfect month
    assert "orders" not in report["uptime_by_month"]["2026-09"] and "accounting" in report["uptime_by_month"]["2026-09"]
    assert report["uptime_by_month"]["2026-10"]["orders"]["from"] == "2026-10-14T22:00:00+00:00"  # midnight in Madrid
    assert report["uptime_by_month"]["2026-10"]["accounting"]["from"] == "2026-09-30T22:00:00+00:00"
    # the windows and the status page's bars start there too
    config = load_config(repo)
    now = parse_time(NOW)
    assert now is not None
    computed = compute(load_repo(repo).tickets, read_history(repo, branch=config.branch), config, now=now)
    assert computed.uptime["orders"][30].since == parse_time("2026-10-15T00:00:00+02:00")
    assert computed.uptime["accounting"][30].since is None
    days = dict(computed.days["orders"])
    assert days["2026-10-14"] is DayImpact.NO_DATA and days["2026-10-15"] is DayImpact.NONE
    assert dict(computed.days["accounting"])["2026-10-14"] is DayImpact.NONE
    # the page's report has no row for a component that did not exist that month
    assert set(report_rows(bundle(repo)["sla/2026-09.md"])) == {"accounting"}


def test_since_cannot_hide_an_outage_of_that_component(tmp_path: Path) -> None:
    """``since`` later than an outage that names the component: the outage is evidence it existed, and counts."""
    repo = build_repo(tmp_path, with_since({"accounting": "2026-09-20"}))
    september = sla_json(repo)["summary"]["uptime_by_month"]["2026-09"]["accounting"]
    assert september["from"] == "2026-09-10T08:00:00+00:00"  # the outage's start
    assert september["outage_seconds"] == 3 * 3600


def test_a_service_wide_outage_before_since_does_not_move_it(tmp_path: Path) -> None:
    commits = [dict(step) for step in SCENARIO["commits"][:4]]
    commits[1] = {**commits[1], "tickets": {"INC-0001": {**commits[1]["tickets"]["INC-0001"], "components": None}}}
    repo = build_repo(tmp_path, with_since({"orders": "2026-10-01"}, commits))
    months = sla_json(repo)["summary"]["uptime_by_month"]
    assert months["2026-09"]["accounting"]["outage_seconds"] == 3 * 3600  # service-wide: it was down too
    assert "orders" not in months["2026-09"]


@pytest.mark.parametrize(("since", "words"), [
    ("2026-02-30", "components[1].since: '2026-02-30' is not a real date or time"),
    ("next week", "components[1].since' 'next week' is not valid: expected when the component entered service, YYYY-MM-DD"),
])
def test_an_impossible_since_is_refused_with_the_key(tmp_path: Path, since: str, words: str) -> None:
    repo = build_repo(tmp_path, with_since({"orders": since}))
    for command in (["sla", "--now", NOW], ["validate"]):
        code, out = gitdesk(repo, *command)
        assert code == 2, out
        assert words in out and "gitdesk.yml" in out and "Traceback" not in out
