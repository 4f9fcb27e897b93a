"""The whole SLA report: every incident's clocks at ``now`` and the summaries. Pure: tickets + history + config + now.

Tickets that exist only in the working tree (not landed on the branch) have not
started for the client and are left out of the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from gitdesk.config import Config
from gitdesk.history import Anomaly, History, TicketHistory
from gitdesk.model import Kind, Ticket
from gitdesk.sla.calendars import calendars_for
from gitdesk.sla.clocks import TargetName, TicketSla, latest, ticket_sla
from gitdesk.sla.declared import declared_sla
from gitdesk.sla.feasible import check_targets
from gitdesk.sla.schedule import overdue_runbooks
from gitdesk.sla.stats import Stats, backlog_throughput, escalations, summarize
from gitdesk.sla.uptime import SERIES_DAYS, Day, DayImpact, Uptime, availability


@dataclass
class SlaReport:
    now: datetime
    tickets: list[TicketSla] = field(default_factory=list)
    #: severity -> target -> stats
    by_severity: dict[str, dict[TargetName, Stats]] = field(default_factory=dict)
    #: "YYYY-MM" -> severity -> target -> stats (month of the ticket's start)
    by_month: dict[str, dict[str, dict[TargetName, Stats]]] = field(default_factory=dict)
    #: component -> window days -> Uptime
    uptime: dict[str, dict[int, Uptime]] = field(default_factory=dict)
    #: "YYYY-MM" -> component -> that calendar month's uptime (service time zone; from the component's start, to now at most)
    uptime_by_month: dict[str, dict[str, Uptime]] = field(default_factory=dict)
    #: component -> (local day, worst impact) for the last SERIES_DAYS days, oldest first
    days: dict[str, list[tuple[str, DayImpact]]] = field(default_factory=dict)
    #: the same days with each day's outage and degraded time and the records behind them
    series: dict[str, list[Day]] = field(default_factory=dict)
    #: escalation counts by (from, to) level, e.g. ("L1", "L2") -> 12
    escalations: dict[tuple[str, str], int] = field(default_factory=dict)
    #: "YYYY-MM" -> backlog items that reached `done` that month (landed time)
    backlog_throughput: dict[str, int] = field(default_factory=dict)
    #: runbook ids whose last ok run + every < now
    overdue_runbooks: list[str] = field(default_factory=list)
    #: runbook id -> when it was due (None: never run ok)
    runbook_due: dict[str, datetime | None] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    min_compliance: float | None = None


def _in_scope(client: str | None, owner: Any) -> bool:
    return client is None or owner in (None, client)


def compute(tickets: list[Ticket], history: History, config: Config, *, now: datetime,
            client: str | None = None, since: datetime | None = None, until: datetime | None = None) -> SlaReport:
    """Every ticket's clocks at ``now`` and the summaries. Pure.

    ``tickets`` is the working tree (for ``breach_reason`` and file paths);
    ``history`` supplies what landed. ``client`` keeps that client's tickets;
    ``since``/``until`` keep tickets whose start is in [since, until).
    """
    check_targets(config, now=now)  # a target no calendar can reach is a config error, before any clock needs it
    zone = ZoneInfo(config.timezone)
    calendars = calendars_for(config)
    policy = config.policy_for(client)
    report = SlaReport(now=now, anomalies=list(history.anomalies), min_compliance=policy.min_compliance)
    incidents: list[tuple[TicketHistory, datetime]] = []
    for ticket, found in _incidents(tickets, history):
        sla = ticket_sla(ticket, found, config, calendars, now)
        sla = sla and declared_sla(sla, found, config, calendars, now)  # imported history before sla.since
        if sla is None or (client is not None and sla.client != client):
            continue
        if (since and sla.started_at and sla.started_at < since) or (until and sla.started_at and sla.started_at >= until):
            continue
        report.tickets.append(sla)
        if sla.deleted is None:  # uptime of a deleted incident would run to `now`: see docs/sla.md, Limits
            incidents.append((found, sla.started_at or found.first_landed))
    report.by_severity = summarize(report.tickets)
    months: dict[str, list[TicketSla]] = {}
    for sla in report.tickets:
        if sla.started_at is not None:
            months.setdefault(sla.started_at.astimezone(zone).strftime("%Y-%m"), []).append(sla)
    report.by_month = {month: summarize(group) for month, group in sorted(months.items())}
    components = [c.id for c in config.components]
    if client is not None:
        components = list(config.client(client).components) or components
    by_kind = _by_kind(history)
    windows = [h for h in by_kind.get(Kind.MAINTENANCE, []) if _in_scope(client, _field(h, "client", now))]
    found_uptime = availability(incidents, windows, components, policy=config.uptime_for(client), zone=zone, now=now,
                               days=SERIES_DAYS, first_day=history.first_day() or now, declared_before=policy.since,
                               since={c.id: c.since for c in config.components if c.since is not None})
    report.uptime, report.days, report.uptime_by_month = found_uptime.uptime, found_uptime.days, found_uptime.months
    report.series = found_uptime.series
    report.escalations = escalations((h for h, _ in incidents), now)
    backlog = [h for h in by_kind.get(Kind.BACKLOG, []) if _in_scope(client, _field(h, "client", now))]
    report.backlog_throughput = backlog_throughput(backlog, zone, now)
    runbooks = [t for t in tickets if t.kind is Kind.RUNBOOK and _in_scope(client, t.client)]
    report.runbook_due = overdue_runbooks(runbooks, zone, now)
    report.overdue_runbooks = list(report.runbook_due)
    return report


def _incidents(tickets: list[Ticket], history: History) -> list[tuple[Ticket | None, TicketHistory]]:
    """Each landed incident with its working-tree file, by id; a deleted file's incident with None.

    A ticket deleted on the branch stays in the report: deleting the file must
    not take its clocks (and their breaches) with it.
    """
    out: list[tuple[Ticket | None, TicketHistory]] = []
    for ticket in sorted(tickets, key=lambda t: t.id):
        found = history.tickets.get(ticket.id)
        if ticket.kind is Kind.INCIDENT and found is not None and found.kind is Kind.INCIDENT:
            out.append((ticket, found))
    in_tree = {t.id for t in tickets}
    out += [(None, found) for found in history.tickets.values()
            if found.kind is Kind.INCIDENT and found.deleted is not None and found.versions and found.id not in in_tree]
    return sorted(out, key=lambda pair: pair[1].id)


def _by_kind(history: History) -> dict[Kind, list[TicketHistory]]:
    out: dict[Kind, list[TicketHistory]] = {}
    for ticket in history.tickets.values():
        if ticket.deleted is None and ticket.versions:
            out.setdefault(ticket.kind, []).append(ticket)
    return out


def _field(history: TicketHistory, key: str, now: datetime) -> Any:
    version = latest(history, now)
    return version.fields.get(key) if version else None
