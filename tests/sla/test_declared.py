"""Declared evidence: imported cState history is clocked by what the posts declare, and judged from Git after sla.since.

Every desk here is made by ``gitdesk import cstate`` from a real source repo with
fixed commit times. The posts land on the status page long after the incidents
(a day later), so a Git-only clock would be far off the declared times.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.importers.conftest import NOW, Commit, build_source, import_into, run

UTC_SITE = "title: Acme Status\ntimeZone: UTC\n"
MADRID_SITE = "title: Acme Status\ntimeZone: Europe/Madrid\n"
LATER = "2026-12-03T12:00:00+00:00"  # --now for reports after the import (sla.since is NOW)


def post(title: str, date: str, resolved_when: str | None = None, *, severity: str = "down",
         tracks: tuple[tuple[str, str], ...] = (), resolved: bool = True, affected: str = "Payments API") -> str:
    """A cState post; ``tracks`` are (step, time) pairs written as Hugo ``track`` shortcodes."""
    lines = ["---", f"title: {title}", f"date: {date}", f"resolved: {str(resolved).lower()}", f"severity: {severity}",
             f"affected: [{affected}]"]
    if resolved_when:
        lines.append(f"resolvedWhen: {resolved_when}")
    body = "\n\n".join(f'*{step}* - {step} note. {{{{< track "{at}" >}}}}' for step, at in tracks)
    return "\n".join(lines) + "\n---\n" + body + "\n"


def desk(tmp_path: Path, posts: dict[str, str], *, landed: str = "2026-03-03T12:00:00+00:00", site: str = UTC_SITE) -> Path:
    """An imported desk whose posts all landed at ``landed`` (one commit after the site's)."""
    src = build_source(tmp_path / "src", [
        Commit("2026-01-05T10:00:00+00:00", {"config.yml": site, "content/issues/_index.md": "---\n---\n"}, "site"),
        Commit(landed, {f"content/issues/{name}.md": text for name, text in posts.items()}, "posts")])
    dest = tmp_path / "desk"
    result = import_into("cstate", src, dest)
    assert result.code == 0, result.err
    return dest


def sla_json(dest: Path, now: str = LATER) -> dict[str, Any]:
    code, out, err = run("--repo", str(dest), "sla", "--format", "json", "--now", now)
    assert code == 0, err
    return json.loads(out)


def by_title(report: dict[str, Any], dest: Path) -> dict[str, dict[str, Any]]:
    titles = {}
    for path in (dest / "tickets/incidents").rglob("*.md"):
        text = path.read_text("utf-8")
        titles[re.search(r"^id: (\S+)", text, re.M).group(1)] = re.search(r"^title: (.+)$", text, re.M).group(1).strip("'\"")  # type: ignore[union-attr]
    return {titles[t["id"]]: t for t in report["tickets"]}


def sla_check(dest: Path, now: str = LATER) -> tuple[int, str]:
    code, out, err = run("--repo", str(dest), "sla", "check", "--now", now)
    return code, out + err


def edit_config(dest: Path, old: str, new: str) -> None:
    config = dest / "gitdesk.yml"
    text = config.read_text("utf-8")
    assert re.search(old, text), old
    config.write_text(re.sub(old, new, text, count=1), "utf-8")
    commit(dest, "2026-12-01T13:00:00+00:00", "config")


def commit(dest: Path, when: str, message: str) -> None:
    """Commit everything in ``dest`` at the fixed time ``when`` (author and committer)."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "Desk", "GIT_AUTHOR_EMAIL": "desk@example.org",
           "GIT_COMMITTER_NAME": "Desk", "GIT_COMMITTER_EMAIL": "desk@example.org"}
    subprocess.run(["git", "-C", str(dest), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(dest), "commit", "-q", "-m", message], check=True, env=env)


def set_status(dest: Path, ticket: str, status: str, when: str) -> None:
    path = next((dest / "tickets/incidents").rglob(f"{ticket}.md"))
    path.write_text(re.sub(r"^status: \S+", f"status: {status}", path.read_text("utf-8"), count=1, flags=re.M), "utf-8")
    commit(dest, when, f"{ticket} {status}")


def seconds(a: str, b: str) -> int:
    return round((datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds())


TRACKED = post("Payments down", "2026-03-02 09:05", "2026-03-02 11:30",
               tracks=(("Resolved", "2026-03-02 11:30"), ("Monitoring", "2026-03-02 10:00"), ("Investigating", "2026-03-02 09:20")))


def test_clocks_equal_the_declared_times_and_say_they_are_declared(tmp_path: Path) -> None:
    dest = desk(tmp_path, {"payments": TRACKED})
    [ticket] = sla_json(dest)["tickets"]
    targets = ticket["targets"]
    assert ticket["started_at"] == "2026-03-02T09:05:00+00:00"  # the post's date, not the landing a day later
    assert targets["response"]["elapsed_seconds"] == 15 * 60  # 09:05 -> first track entry 09:20
    assert targets["mitigation"]["elapsed_seconds"] == 55 * 60  # -> Monitoring 10:00
    assert targets["resolution"]["elapsed_seconds"] == 2 * 3600 + 25 * 60  # -> resolvedWhen 11:30
    assert targets["resolution"]["stopped_at"] == "2026-03-02T11:30:00+00:00"
    assert {t["evidence"] for t in targets.values()} == {"declared"}
    assert [t["state"] for t in targets.values()] == ["met", "met", "met"]


def test_on_a_business_calendar_the_declared_span_counts_working_hours_only(tmp_path: Path) -> None:
    # P1 is on the business calendar (Madrid, 09-14 and 15-18): Monday 13:00 -> 16:00 is 2 working hours
    dest = desk(tmp_path, {"login": post("Login slow", "2026-03-02 13:00", "2026-03-02 16:00", severity="disrupted")},
                site=MADRID_SITE, landed="2026-03-04T12:00:00+01:00")
    [ticket] = sla_json(dest)["tickets"]
    assert ticket["severity"] == "P1"
    resolution = ticket["targets"]["resolution"]
    assert (resolution["elapsed_seconds"], resolution["calendar"], resolution["evidence"]) == (7200, "business", "declared")
    assert resolution["started_at"] == "2026-03-02T12:00:00+00:00"  # 13:00 in Madrid


def test_without_a_timeline_response_and_mitigation_stop_at_the_declared_resolution(tmp_path: Path) -> None:
    dest = desk(tmp_path, {"db": post("Database down", "2026-03-02 08:00", "2026-03-02 08:40")})
    [ticket] = sla_json(dest)["tickets"]
    for name in ("response", "mitigation", "resolution"):
        assert ticket["targets"][name]["elapsed_seconds"] == 40 * 60, name
        assert ticket["targets"][name]["evidence"] == "declared", name



def test_a_post_published_investigating_stops_the_response_when_it_landed(tmp_path: Path) -> None:
    """The post landed 15 min after its date, unresolved: clients saw the incident acknowledged then, not at its resolution."""
    src = build_source(tmp_path / "src", [
        Commit("2026-01-05T10:00:00+00:00", {"config.yml": UTC_SITE, "content/issues/_index.md": "---\n---\n"}, "site"),
        Commit("2026-03-02T08:15:00+00:00", {"content/issues/db.md": post("Database down", "2026-03-02 08:00", resolved=False)}, "open"),
        Commit("2026-03-02T14:30:00+00:00", {"content/issues/db.md": post("Database down", "2026-03-02 08:00", "2026-03-02 14:00")},
               "resolve")])
    dest = tmp_path / "desk"
    assert import_into("cstate", src, dest).code == 0
    [ticket] = sla_json(dest)["tickets"]
    response, resolution = ticket["targets"]["response"], ticket["targets"]["resolution"]
    assert (response["stopped_at"], response["elapsed_seconds"], response["evidence"]) == ("2026-03-02T08:15:00+00:00", 15 * 60, "git")
    assert response["state"] == "met"  # P0 responds within 15 min
    # the resolution the post declares (14:00) is earlier than its landing (14:30): the declared time stands
    assert (resolution["stopped_at"], resolution["evidence"]) == ("2026-03-02T14:00:00+00:00", "declared")

def test_a_missing_declared_stop_falls_back_to_the_git_landing_and_says_git(tmp_path: Path) -> None:
    # resolved, but the post never says when: only the landing (a day later) proves the resolution
    dest = desk(tmp_path, {"dns": post("DNS errors", "2026-03-02 09:00")}, landed="2026-03-03T09:00:00+00:00")
    [ticket] = sla_json(dest)["tickets"]
    resolution = ticket["targets"]["resolution"]
    assert resolution["evidence"] == "git"
    assert resolution["stopped_at"] == "2026-03-03T09:00:00+00:00"
    assert resolution["elapsed_seconds"] == 24 * 3600  # from the declared start
    assert resolution["state"] == "breached"


def test_sla_check_passes_right_after_import_even_with_declared_breaches(tmp_path: Path) -> None:
    slow = post("Checkout down", "2026-03-02 14:00", "2026-03-02 21:00")  # 7 h against the P0 4 h resolution target
    open_one = post("Search slow", "2026-03-02 10:00", severity="disrupted", resolved=False)  # never resolved in the source
    dest = desk(tmp_path, {"payments": TRACKED, "checkout": slow, "search": open_one})
    edit_config(dest, r"  # min_compliance: 0.95.*", "  min_compliance: 0.95")
    tickets = by_title(sla_json(dest), dest)
    checkout, search = tickets["Checkout down"]["targets"]["resolution"], tickets["Search slow"]["targets"]["resolution"]
    assert (checkout["state"], checkout["evidence"]) == ("breached", "declared")  # reported...
    assert (search["state"], search["started_at"]) == ("breached", "2026-03-02T10:00:00+00:00")
    code, out = sla_check(dest)
    assert code == 0, out  # ...but history before sla.since fails neither GD320 nor the compliance gate
    # the same desk without sla.since: the open ticket's Git clock (from its landing) is judged and fails
    edit_config(dest, r'\n  since: "[^"]*".*', "")
    code, out = sla_check(dest)
    assert code == 1 and f"GD320 {tickets['Search slow']['id']}: breached" in out and "GD322" in out


def test_a_reopen_after_sla_since_is_judged_from_git(tmp_path: Path) -> None:
    dest = desk(tmp_path, {"payments": TRACKED})
    set_status(dest, "INC-0001", "investigating", "2026-12-02T10:00:00+00:00")
    set_status(dest, "INC-0001", "resolved", "2026-12-02T16:00:00+00:00")  # 6 h against 4 h
    [ticket] = sla_json(dest)["tickets"]
    resolution = ticket["targets"]["resolution"]
    assert resolution["cycles"] == 2 and resolution["evidence"] == "git"
    assert (resolution["started_at"], resolution["stopped_at"]) == ("2026-12-02T10:00:00+00:00", "2026-12-02T16:00:00+00:00")
    assert resolution["total_elapsed_seconds"] == (2 * 3600 + 25 * 60) + 6 * 3600  # the declared cycle plus the Git one
    assert ticket["targets"]["response"]["evidence"] == "declared"  # response does not restart
    code, out = sla_check(dest)
    assert code == 1 and "GD320" in out and "INC-0001" in out


def test_a_declared_breach_is_history_when_the_reopen_meets_its_target(tmp_path: Path) -> None:
    dest = desk(tmp_path, {"checkout": post("Checkout down", "2026-03-02 14:00", "2026-03-02 21:00")})
    set_status(dest, "INC-0001", "investigating", "2026-12-02T10:00:00+00:00")
    set_status(dest, "INC-0001", "resolved", "2026-12-02T11:00:00+00:00")
    [ticket] = sla_json(dest)["tickets"]
    resolution = ticket["targets"]["resolution"]
    assert (resolution["state"], resolution["cycles"], resolution["ever_breached"]) == ("met", 2, False)
    assert sla_check(dest)[0] == 0


def test_clocks_that_start_at_or_after_sla_since_follow_git(tmp_path: Path) -> None:
    dest = desk(tmp_path, {"payments": TRACKED})
    edit_config(dest, r'since: "[^"]*"', 'since: "2026-03-01T00:00:00+00:00"')
    [ticket] = sla_json(dest)["tickets"]
    targets = ticket["targets"]
    assert {t["evidence"] for t in targets.values()} == {"git"}
    # Git knows only the landing of an already resolved post: every clock stops there
    assert targets["resolution"]["stopped_at"] == "2026-03-03T12:00:00+00:00"


def test_uptime_counts_the_declared_outage_not_the_time_until_the_post_landed(tmp_path: Path) -> None:
    dest = desk(tmp_path, {"payments": TRACKED})
    uptime = sla_json(dest, "2026-03-20T00:00:00+00:00")["summary"]["uptime"]["payments-api"]["30"]
    assert uptime["outage_seconds"] == seconds("2026-03-02T09:05:00+00:00", "2026-03-02T11:30:00+00:00")
    edit_config(dest, r'since: "[^"]*"', 'since: "2026-03-01T00:00:00+00:00"')
    from_git = sla_json(dest, "2026-03-20T00:00:00+00:00")["summary"]["uptime"]["payments-api"]["30"]
    assert from_git["outage_seconds"] == seconds("2026-03-02T09:05:00+00:00", "2026-03-03T12:00:00+00:00")


def test_the_incident_page_marks_declared_clocks(tmp_path: Path) -> None:
    dest = desk(tmp_path, {"payments": TRACKED, "dns": post("DNS errors", "2026-03-02 09:00")})
    out = tmp_path / "generated"
    code, _, err = run("--repo", str(dest), "generate", "--out", str(out), "--now", LATER)
    assert code == 0, err
    declared = (out / "docs/incidents/INC-0001.md").read_text("utf-8")  # DNS errors sorts first by file name
    tracked = (out / "docs/incidents/INC-0002.md").read_text("utf-8")
    assert "DNS errors" in declared and "Payments down" in tracked
    assert tracked.count("declared, not proven by Git") == 3
    # DNS: response and mitigation fall back to the landing (git); no mark on them, nor on the resolution
    assert "declared, not proven by Git" not in declared


def test_an_imported_desk_passes_and_its_median_resolution_is_the_declared_one(tmp_path: Path) -> None:
    spans = {"a": ("2026-02-02 08:00", "2026-02-02 09:00"), "b": ("2026-02-10 22:30", "2026-02-11 05:30"),
             "c": ("2026-02-20 12:00", "2026-02-20 14:15"), "d": ("2026-02-25 03:00", "2026-02-25 03:20"),
             "e": ("2026-03-01 10:00", "2026-03-01 23:00")}
    dest = desk(tmp_path, {name: post(f"Outage {name}", start, end) for name, (start, end) in spans.items()})
    code, _, err = run("--repo", str(dest), "validate")
    assert code == 0, err
    assert sla_check(dest)[0] == 0
    declared = [seconds(f"{s}+00:00".replace(" ", "T"), f"{e}+00:00".replace(" ", "T")) for s, e in spans.values()]
    summary = sla_json(dest)["summary"]["by_severity"]["P0"]["resolution"]
    assert summary["median_seconds"] == statistics.median(declared) == 2 * 3600 + 15 * 60
    assert summary["met"] + summary["breached"] == 5
