"""A small two-client service desk with planted canaries, for the site tests.

Canary strings sit where a client build must never look: an internal ticket,
an ``internal`` field, an assignee, a non-public runbook, another client's
tickets and a commit subject. ``CANARIES`` lists them all.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gitdesk.config import Config, load_config
from gitdesk.history import Commit, History, TicketHistory, Version
from gitdesk.load.files import load_repo
from gitdesk.model import Kind, Ticket
from gitdesk.sla import Clock, ClockState, SlaReport, Stats, TargetName, TicketSla, Uptime, availability

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)

CANARIES = {
    "internal ticket": "CANARY7INTERNALTICKET",
    "internal field": "CANARY7INTERNALFIELD",
    "assignee": "CANARY7ASSIGNEE",
    "runbook": "CANARY7RUNBOOK",
    "other client": "CANARY7GLOBEX",
    "other client maintenance": "CANARY7GLOBEXWINDOW",
    "commit subject": "CANARY7SUBJECT",
}

CONFIG = """\
title: Acme ERP — service status
timezone: Europe/Madrid
repo_url: https://example.org/acme/ops
default_visibility: public
components:
  - {id: accounting, name: Accounting module, group: ERP}
  - {id: orders, name: Orders panel, group: ERP}
calendars:
  business:
    timezone: Europe/Madrid
    hours: {mon: ["09:00-14:00", "15:00-18:00"], tue: ["09:00-14:00", "15:00-18:00"], wed: ["09:00-14:00", "15:00-18:00"], thu: ["09:00-14:00", "15:00-18:00"], fri: ["09:00-14:00", "15:00-18:00"]}
sla:
  targets:
    P0: {calendar: always, response: 15m, mitigation: 1h, resolution: 4h}
    P1: {calendar: business, response: 1h, resolution: 8h}
    P2: {calendar: business, response: 4h, resolution: 40h}
    P3: {calendar: business, response: 16h}
uptime: {target: 99.8, notice: 48h, windows: [30, 90]}
site: {url: "https://status.example.org/"}
clients:
  - {id: acme, name: Acme Corp, components: [accounting]}
  - {id: globex, name: Globex, components: [orders]}
"""

XSS_BODY = """\
Steps: <script>alert('body')</script>

[click me](javascript:alert('link'))

<a href="#" onclick="alert('handler')">handler</a>

<iframe src="https://evil.example/"></iframe>

<img src="x" onerror="alert('img')">

<svg onload="alert('svg')"></svg>

**bold stays**
"""

FILES: dict[str, str] = {
    "tickets/incidents/2026/INC-0001.md": f"""---
id: INC-0001
title: Accounting export fails for v3.2
severity: P1
status: resolved
components: [accounting]
client: acme
impact: degraded
level: L2
assignee: {CANARIES['assignee']}
update: Fixed the export mapping; exports run again.
root_cause: A renamed ledger column.
resolution: Mapping updated and exports re-run.
prevention: Contract test on the export schema.
related: [EVO-0001, INC-0004, INC-0003]
internal:
  note: {CANARIES['internal field']}
---
The accounting export stopped after the **v3.2** release.
""",
    "tickets/incidents/2026/INC-0002.md": """---
id: INC-0002
title: Accounting module down
severity: P0
status: investigating
components: [accounting]
client: acme
impact: outage
update: We are investigating errors on login to accounting.
---
""",
    "tickets/incidents/2026/INC-0003.md": f"""---
id: INC-0003
title: Orders filter slow {CANARIES['other client']}
severity: P2
status: resolved
components: [orders]
client: globex
impact: degraded
update: {CANARIES['other client']} resolved
---
{CANARIES['other client']} body
""",
    "tickets/incidents/2026/INC-0004.md": f"""---
id: INC-0004
title: Internal review {CANARIES['internal ticket']}
severity: P3
status: triaged
components: [accounting]
client: acme
visibility: internal
update: {CANARIES['internal ticket']}
---
{CANARIES['internal ticket']}
""",
    "tickets/incidents/2026/INC-0005.md": """---
id: INC-0005
title: <script>alert('title')</script> broken <b>title</b>
severity: P2
status: monitoring
components: [accounting]
client: acme
impact: none
update: <img src=x onerror=alert('update')> still watching
---
""" + XSS_BODY,
    "tickets/decisions/DEC-0001.md": """---
id: DEC-0001
title: Nightly exports
status: superseded
superseded_by: DEC-0002
---
## Context
Exports ran nightly.
""",
    "tickets/decisions/DEC-0002.md": """---
id: DEC-0002
title: Hourly exports
status: accepted
supersedes: DEC-0001
date: 2026-10-01
---
## Decision
Run exports every hour.
""",
    "backlog/EVO-0001.md": """---
id: EVO-0001
title: Export schema contract tests
status: planned
category: preventive
target: 2027-Q1
origin: [INC-0001]
client: acme
---
""",
    "tickets/maintenance/MNT-0001.md": """---
id: MNT-0001
title: Database upgrade
starts_at: 2026-11-28T22:00:00+01:00
ends_at: 2026-11-29T01:00:00+01:00
components: [accounting]
impact: outage
---
""",
    "tickets/maintenance/MNT-0002.md": f"""---
id: MNT-0002
title: {CANARIES['other client maintenance']}
starts_at: 2026-11-30T22:00:00+01:00
ends_at: 2026-11-30T23:00:00+01:00
components: [orders]
client: globex
---
""",
    "runbooks/restart-erp.md": f"""---
title: Restart the ERP
owner: ops
---
Internal procedure {CANARIES['runbook']}
""",
    "runbooks/monthly-backup-check.md": """---
title: Monthly backup restore test
visibility: public
owner: ops
every: 1 month
components: [accounting]
runs:
  - {at: 2026-09-02, result: ok, by: ana}
  - {at: 2026-10-01, result: ok, by: ana}
---
Restore last night's backup into staging and compare row counts.
""",
}


def write_repo(root: Path) -> Path:
    """The sample files on disk (no Git)."""
    (root / "gitdesk.yml").write_text(CONFIG, encoding="utf-8")
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _commit(n: int, when: datetime, subject: str) -> Commit:
    return Commit(f"{n:040x}", when, when, "Ana Engineer", subject)


def history_for(tickets: list[Ticket]) -> History:
    """A History as the Git walk would give it: each ticket landed once, INC-0001 through its lifecycle."""
    history = History("main", f"{99:040x}")
    base = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    for n, ticket in enumerate(sorted(tickets, key=lambda t: t.id), start=1):
        landed = base + timedelta(days=n)
        subject = f"add {ticket.id} {CANARIES['commit subject']}"
        th = TicketHistory(ticket.id, ticket.kind)
        if ticket.id == "INC-0001":
            steps: list[tuple[dict[str, Any], timedelta]] = [
                ({"status": "reported", "update": "Exports fail since this morning."}, timedelta(0)),
                ({"status": "investigating", "level": "L2", "update": "Reproduced on staging."}, timedelta(minutes=20)),
                ({"status": "resolved", "update": ticket.get("update")}, timedelta(hours=3)),
            ]
            fields: dict[str, Any] = {}
            for index, (change, delta) in enumerate(steps):
                before = dict(fields)
                fields = {**ticket.fields, **change} if index == len(steps) - 1 else {**ticket.fields, "level": "L1", **change}
                changed = frozenset(fields) if not before else frozenset(k for k in fields if fields.get(k) != before.get(k))
                th.versions.append(Version(_commit(n * 10 + index, landed + delta, subject), ticket.path, fields, changed))
        else:
            th.versions.append(Version(_commit(n * 10, landed, subject), ticket.path, dict(ticket.fields), frozenset(ticket.fields)))
        history.tickets[ticket.id] = th
    return history


def fake_compute(tickets: list[Ticket], history: History, config: Config, *, now: datetime, client: str | None = None) -> SlaReport:
    """Stand-in for gitdesk.sla.compute in core tests: plausible clocks for exactly the tickets given."""
    report = SlaReport(now=now)
    for ticket in tickets:
        if ticket.kind is not Kind.INCIDENT:
            continue
        start = history.tickets[ticket.id].first_landed if ticket.id in history.tickets else now
        done = ticket.status in ("resolved", "closed")
        response = Clock(ClockState.MET, 3600, 1200, start, start + timedelta(minutes=20), calendar="business", cycles=1)
        resolution = (Clock(ClockState.BREACHED, 28800, 30120, start, start + timedelta(hours=9), True, True, 1, calendar="business")
                      if done else Clock(ClockState.RUNNING, 28800, 7200, start, None, cycles=1, at_risk=False, calendar="business",
                            due_at=now + timedelta(hours=6)))
        report.tickets.append(TicketSla(ticket.id, ticket.severity, ticket.status, ticket.client,
                                        {TargetName.RESPONSE: response, TargetName.MITIGATION: Clock(ClockState.NOT_APPLICABLE),
                                         TargetName.RESOLUTION: resolution}, start))
        month = start.strftime("%Y-%m")
        sev = ticket.severity or "P3"
        report.by_month.setdefault(month, {}).setdefault(sev, {})[TargetName.RESPONSE] = Stats(met=1, compliance=1.0, mean_seconds=1200, median_seconds=1200, p90_seconds=1200)
        if done:
            report.by_month[month][sev][TargetName.RESOLUTION] = Stats(breached=1, compliance=0.0, mean_seconds=30120, median_seconds=30120, p90_seconds=30120)
    for month in report.by_month.values():
        for sev, targets in month.items():
            for name, stats in targets.items():
                old = report.by_severity.setdefault(sev, {}).get(name, Stats())
                met, breached = old.met + stats.met, old.breached + stats.breached
                report.by_severity[sev][name] = Stats(met=met, breached=breached, compliance=met / (met + breached),
                                                      mean_seconds=stats.mean_seconds, median_seconds=stats.median_seconds, p90_seconds=stats.p90_seconds)
    for component in config.components:
        report.uptime[component.id] = {days: Uptime(component.id, days, 0.999 if days == 30 else 0.9995, 2592, 600, 10800, int(days * 86400 * 0.002), 0)
                                       for days in config.uptime.windows}
    # the day-by-day bars come from the real uptime code: the site only draws them
    incidents = [(history.tickets[t.id], history.tickets[t.id].first_landed) for t in tickets
                 if t.kind is Kind.INCIDENT and t.id in history.tickets]
    windows = [history.tickets[t.id] for t in tickets if t.kind is Kind.MAINTENANCE and t.id in history.tickets]
    found = availability(incidents, windows, [c.id for c in config.components], policy=config.uptime_for(client),
                         zone=ZoneInfo(config.timezone), now=now)
    report.days, report.series = found.days, found.series
    # the monthly report's uptime too, counted from the sample's first record
    report.uptime_by_month = availability(incidents, windows, [c.id for c in config.components], policy=config.uptime_for(client),
                                          zone=ZoneInfo(config.timezone), now=now, first_day=history.first_day()).months
    report.backlog_throughput = {"2026-10": 2, "2026-11": 1}
    report.escalations = {("L1", "L2"): 1}
    return report


def load(root: Path) -> tuple[Config, list[Ticket], History]:
    """Config, tickets and a synthetic history for a sample repo on disk."""
    config = load_config(root)
    tickets = load_repo(root).tickets
    return config, tickets, history_for(tickets)


def _git(root: Path, *args: str, when: datetime | None = None) -> None:
    import os
    import subprocess

    env = dict(os.environ, GIT_AUTHOR_NAME="Ana Engineer", GIT_AUTHOR_EMAIL="ana@example.org",
               GIT_COMMITTER_NAME="Ana Engineer", GIT_COMMITTER_EMAIL="ana@example.org")
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def git_repo(root: Path) -> Path:
    """The sample as a real Git repo on main: INC-0001 lands as reported, then investigating, then resolved."""
    write_repo(root)
    final = FILES["tickets/incidents/2026/INC-0001.md"]
    inc = root / "tickets/incidents/2026/INC-0001.md"
    _git(root, "init", "-q", "-b", "main")
    start = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    steps = [
        (final.replace("status: resolved", "status: reported").replace("update: Fixed the export mapping; exports run again.", "update: Exports fail since this morning."), timedelta(0)),
        (final.replace("status: resolved", "status: investigating").replace("update: Fixed the export mapping; exports run again.", "update: Reproduced on staging."), timedelta(minutes=20)),
        (final, timedelta(hours=3)),
    ]
    for text, delta in steps:
        inc.write_text(text, encoding="utf-8")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"INC-0001 {CANARIES['commit subject']}", when=start + delta)
    return root
