"""One set of numbers: the home page, its badges, summary.json and `gitdesk sla` state the same figures.

Which command each site equals:

- the internal site: ``gitdesk sla --format json`` (every incident);
- a client's site: ``gitdesk sla --client C --audience client --format json``
  (that client's incidents the site shows: ``visibility: internal`` ones are
  left out, since counting them would reveal them). ``gitdesk sla --client C``
  alone is the provider's view and counts them too (docs/sla.md, "Audience").

Built on the small demo (a real repo with a year of real Git history), so the
figures are real SLA figures: compliance below 100 % and uptime below 100 %.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gitdesk.cli import cli

#: Statuspage's order of indicators, mildest first.
SEVERITY_ORDER = ("none", "maintenance", "minor", "major", "critical")
INDICATOR = {"operational": "none", "under_maintenance": "maintenance", "degraded_performance": "minor",
             "partial_outage": "major", "major_outage": "critical"}


def gitdesk(repo: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--repo", str(repo), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def figure(page: str, key: str) -> str:
    found = re.search(rf'<div data-figure="{key}"[^>]*><dt>[^<]*</dt><dd>([^<]*)</dd>', page)
    assert found, f"no {key} figure on the home page"
    return html.unescape(found.group(1))


def banner(page: str) -> tuple[str, str]:
    """The hero's (state, words): the first thing a reader sees."""
    found = re.search(r'class="gd-hero [^"]*" role="status" data-state="([a-z_]+)"[^>]*>.*?<strong>([^<]*)</strong>', page, re.S)
    assert found, "no status hero on the home page"
    return found.group(1), html.unescape(found.group(2))


def badge_text(site: Path, name: str) -> str:
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", (site / "badges" / name).read_text(encoding="utf-8"))
    return html.unescape(texts[-1])


def pooled_compliance(summary: dict[str, Any]) -> float:
    stats = [s for targets in summary["by_severity"].values() for s in targets.values()]
    met, breached = sum(s["met"] for s in stats), sum(s["breached"] for s in stats)
    return met / (met + breached)


def test_home_page_figures_equal_the_sla_command(demo_sites: dict[str, Path], demo_repo: tuple[Path, str]) -> None:
    repo, now = demo_repo
    report = json.loads(gitdesk(repo, "sla", "--now", now, "--format", "json"))["summary"]
    page = (demo_sites["internal"] / "index.html").read_text(encoding="utf-8")

    compliance = pooled_compliance(report)
    assert 0 < compliance < 1, "the demo should have real breaches"
    assert figure(page, "compliance") == f"{compliance * 100:.1f}%"

    lowest = min(windows["90"]["uptime"] for windows in report["uptime"].values())
    assert lowest < 1, "the demo should have real downtime"
    assert figure(page, "uptime") == f"{lowest * 100:.2f}%"


def severity_table(page: str) -> dict[tuple[str, str], tuple[int, int]]:
    """The SLA page's "by severity" table: (severity, row index within it) -> (met, breached)."""
    table = page.split('class="gd-sla-severity"', 1)[1].split("</table>", 1)[0]
    out, seen = {}, Counter[str]()
    for cells in re.findall(r"<tr>(.*?)</tr>", table):
        values = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", cells)]
        if len(values) >= 5:
            out[values[0], str(seen[values[0]])] = (int(values[3]), int(values[4]))
            seen[values[0]] += 1
    assert out, "no severity table on the SLA page"
    return out


def json_table(summary: dict[str, Any]) -> dict[tuple[str, str], tuple[int, int]]:
    """``sla --format json``'s by_severity in the page's order (response, mitigation, resolution)."""
    order = ("response", "mitigation", "resolution")
    out = {}
    for severity, targets in summary["by_severity"].items():
        for index, name in enumerate(n for n in order if n in targets):
            out[severity, str(index)] = (targets[name]["met"], targets[name]["breached"])
    return out


def test_a_client_site_states_the_figures_of_sla_for_its_audience(demo_sites: dict[str, Path], demo_repo: tuple[Path, str]) -> None:
    repo, now = demo_repo
    audience = json.loads(gitdesk(repo, "sla", "--now", now, "--client", "acme", "--audience", "client", "--format", "json"))
    provider = json.loads(gitdesk(repo, "sla", "--now", now, "--client", "acme", "--format", "json"))
    # the demo has acme incidents marked internal, so the two views differ: the test can tell which one the site states
    hidden = {t["id"] for t in provider["tickets"]} - {t["id"] for t in audience["tickets"]}
    assert hidden and not {t["id"] for t in audience["tickets"]} - {t["id"] for t in provider["tickets"]}
    assert json_table(audience["summary"]) != json_table(provider["summary"])

    site = demo_sites["acme"]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert figure(home, "compliance") == f"{pooled_compliance(audience['summary']) * 100:.1f}%"
    lowest = min(windows["90"]["uptime"] for windows in audience["summary"]["uptime"].values())
    assert figure(home, "uptime") == f"{lowest * 100:.2f}%"
    sla_page = (site / "sla" / "index.html").read_text(encoding="utf-8")
    assert severity_table(sla_page) == json_table(audience["summary"])
    # no incident the client cannot see is on its site, not even as a number
    assert not [ticket for ticket in hidden if (site / "incidents" / f"{ticket}.html").exists()]
    # the monthly report's uptime is the same command's uptime_by_month
    month = max(audience["summary"]["uptime_by_month"])
    report = (site / "sla" / f"{month}.html").read_text(encoding="utf-8")
    for component, figures in audience["summary"]["uptime_by_month"][month].items():
        measured = re.search(rf'<tr data-uptime="{component}"><td>.*?</td><td>[^<]*</td><td>([^<]*)</td>', report)
        assert measured and measured.group(1) == f"{figures['uptime'] * 100:.3f}%"


def test_the_internal_site_states_the_figures_of_sla_for_everyone(demo_sites: dict[str, Path], demo_repo: tuple[Path, str]) -> None:
    repo, now = demo_repo
    report = json.loads(gitdesk(repo, "sla", "--now", now, "--format", "json"))["summary"]
    page = (demo_sites["internal"] / "sla" / "index.html").read_text(encoding="utf-8")
    assert severity_table(page) == json_table(report)


@pytest.mark.parametrize("name", ["internal", "acme"])
def test_this_months_figures_equal_the_sla_command(demo_sites: dict[str, Path], demo_repo: tuple[Path, str], name: str) -> None:
    """Mean P1 resolution, improvements delivered and the uptime goal on the home page are `gitdesk sla`'s for the month of `now`."""
    from gitdesk.site.render import format_duration

    repo, now = demo_repo
    client = () if name == "internal" else ("--client", name)
    report = json.loads(gitdesk(repo, "sla", "--now", now, "--format", "json", *client))["summary"]
    page = (demo_sites[name] / "index.html").read_text(encoding="utf-8")
    month = now[:7]

    mean = report["by_month"][month]["P1"]["resolution"]["mean_seconds"]
    assert mean, "the demo should resolve P1 incidents in its last month"
    assert figure(page, "p1-resolution") == format_duration(mean)
    assert figure(page, "improvements") == str(report["backlog_throughput"].get(month, 0))
    # the uptime tile is judged against the goal in gitdesk.yml (99.8 %): met exactly when the lowest component reaches it
    lowest = min(windows["90"]["uptime"] for windows in report["uptime"].values())
    tile = re.search(r'<div data-figure="uptime"( class="gd-figure-(met|missed)")?>', page)
    assert tile and tile.group(2) == ("met" if lowest * 100 >= 99.8 else "missed")


@pytest.mark.parametrize("name", ["internal", "acme"])
def test_card_badges_banner_and_summary_json_agree(demo_sites: dict[str, Path], name: str) -> None:
    site = demo_sites[name]
    page = (site / "index.html").read_text(encoding="utf-8")
    summary = json.loads((site / "api/v2/summary.json").read_text(encoding="utf-8"))
    state, words = banner(page)

    assert badge_text(site, "compliance.svg") == figure(page, "compliance")
    assert badge_text(site, "uptime.svg") == figure(page, "uptime")
    assert badge_text(site, "status.svg") == words == summary["status"]["description"]
    assert summary["status"]["indicator"] == INDICATOR[state]
    # No listed incident is worse than the page says the service is.
    worst = max((SEVERITY_ORDER.index(i["impact"]) for i in summary["incidents"]), default=0)
    assert worst <= SEVERITY_ORDER.index(summary["status"]["indicator"])


def test_the_demo_home_page_is_not_all_green(demo_sites: dict[str, Path]) -> None:
    """The comparisons above are only worth something when there is something to disagree about."""
    summary = json.loads((demo_sites["acme"] / "api/v2/summary.json").read_text(encoding="utf-8"))
    assert summary["incidents"] and summary["status"]["indicator"] != "none"
