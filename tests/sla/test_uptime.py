"""Uptime percentages and the status page's day bars come from one computation, so they agree."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime

from gitdesk.config import load_config
from gitdesk.history import read_history
from gitdesk.load.files import load_repo
from gitdesk.model import parse_time
from gitdesk.sla import DayImpact, compute
from gitdesk.site import scope_for, site_bundle

from tests.foundation.helpers import day_states


def _bar(page: str, component_name: str, day: str) -> str:
    """The state a component's bar shows for ``day`` on the status page (from the bar's tooltip)."""
    bars = page.split(f'aria-label="{component_name}: last 90 days', 1)[1].split("gd-days-foot", 1)[0]
    found = day_states(bars).get(day)
    assert found is not None, f"no bar for {day}"
    return found


def test_an_outage_without_components_lowers_and_marks_every_component(scenario_repo) -> None:
    repo, scenario = scenario_repo("uptime_service_wide")
    now = parse_time(scenario["now"])
    assert isinstance(now, datetime)
    config = load_config(repo)
    tickets, history = load_repo(repo).tickets, read_history(repo, branch=config.branch)
    report = compute(tickets, history, config, now=now)

    for component in ("accounting", "orders"):
        assert report.uptime[component][30].outage_seconds == 2 * 3600
        assert dict(report.days[component])["2026-11-20"] is DayImpact.OUTAGE
    assert report.uptime["accounting"][30].degraded_seconds == 0
    assert report.uptime["orders"][30].degraded_seconds == 2 * 3600
    assert dict(report.days["accounting"])["2026-11-21"] is DayImpact.NONE
    assert dict(report.days["orders"])["2026-11-21"] is DayImpact.DEGRADED
    # the bars' tooltips: each day's time and the incidents behind it
    day = {d.day: d for d in report.series["orders"]}["2026-11-20"]
    assert (day.impact, day.outage_seconds, day.records) == (DayImpact.OUTAGE, 2 * 3600, ("INC-0001",))

    page = site_bundle(tickets, history, config, scope=scope_for(config, "internal", None), now=now).files["index.md"]
    assert isinstance(page, str)
    for name in ("Accounting module", "Orders panel"):
        # 1 − 2h / the days since the desk's first record, the same figure the bars sit beside
        assert f"{name}: last 90 days, {report.uptime['accounting'][90].uptime * 100:.2f}% uptime" in page
        assert _bar(page, name, "2026-11-20") == "outage"
    assert _bar(page, "Accounting module", "2026-11-21") == "none"
    assert _bar(page, "Orders panel", "2026-11-21") == "degraded"


def test_an_open_outage_without_components_shows_on_every_component(scenario_repo) -> None:
    """While it is open, the banner and the API's component states also treat it as service-wide."""
    repo, _ = scenario_repo("uptime_service_wide")
    # the working tree as it stood after the first incident commit: INC-0001 reported, outage ongoing
    first = subprocess.run(["git", "-C", str(repo), "rev-list", "--reverse", "main"], check=True, capture_output=True,
                           text=True).stdout.split()[1]
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", first, "--", "tickets"], check=True)
    during = parse_time("2026-11-20T10:30:00+01:00")
    assert isinstance(during, datetime)
    config = load_config(repo)
    tickets, history = load_repo(repo).tickets, read_history(repo, branch=config.branch)
    files = site_bundle(tickets, history, config, scope=scope_for(config, "internal", None), now=during).files
    summary = json.loads(str(files["api/v2/summary.json"]))
    assert {c["id"]: c["status"] for c in summary["components"]} == {"accounting": "partial_outage", "orders": "partial_outage"}
    assert summary["status"]["indicator"] == "major"
