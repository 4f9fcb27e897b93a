"""The whole SLA report: every incident's clocks at ``now`` and the summaries. Pure: tickets + history + config + now.

Tickets that exist only in the working tree (not landed on the branch) have not
started for the client and are left out of the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterator, Sequence, overload
from zoneinfo import ZoneInfo

from gitdesk.config import Config
from gitdesk.history import DECLARED_TIMES, Anomaly, History, TicketHistory
from gitdesk.model import Kind, Ticket, parse_time
from gitdesk.sla.calendars import Calendar, calendars_for
from gitdesk.sla.clocks import TargetName, TicketSla, latest, ticket_sla
from gitdesk.sla.declared import declared_of, declared_sla
from gitdesk.sla.feasible import check_targets
from gitdesk.sla.schedule import overdue_runbooks
from gitdesk.sla.stats import Stats, TicketFacts, backlog_throughput, level_changes, summarize_facts, ticket_facts
from gitdesk.sla.uptime import SERIES_DAYS, Day, DayImpact, Outage, Uptime, availability_of, incident_outage


@dataclass
class SlaReport:
    now: datetime
    tickets: Sequence[TicketSla] = field(default_factory=list)
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
    #: the parts the tickets were made from, in the same order (empty for a report built by hand)
    parts: list[Part] = field(default_factory=list)


def _in_scope(client: str | None, owner: Any) -> bool:
    return client is None or owner in (None, client)


class Part:
    """One landed incident's share of the report at ``now``: clocks, statistics facts, outage, escalations.

    A *stable* part is the same at any later ``now``: nothing of the incident
    lands or is declared after :attr:`horizon`, every clock has stopped and its
    outage has ended. The SLA cache (:mod:`gitdesk.sla.cache`) keeps stable
    parts, so a warm run rebuilds neither them nor their ``TicketSla``: that is
    made on first use, and the JSON entry is kept as text.
    """

    __slots__ = ("id", "client", "started", "deleted", "facts", "month", "outage", "escalations", "horizon", "stable",
                 "_sla", "_restore", "_fragment", "kept")

    def __init__(self, *, id: str, client: str | None, started: float | None, deleted: bool, facts: TicketFacts,
                 month: str | None, outage: Outage | None, escalations: list[tuple[str, str]], horizon: float, stable: bool,
                 sla: TicketSla | None = None, restore: Callable[[], TicketSla] | None = None,
                 fragment: bytes | None = None) -> None:
        self.id, self.client, self.started, self.deleted = id, client, started, deleted
        self.facts, self.month, self.outage, self.escalations = facts, month, outage, escalations
        self.horizon, self.stable = horizon, stable
        self._sla, self._restore, self._fragment = sla, restore, fragment
        #: the cache's record of this part when it came from the cache (written back as it is)
        self.kept: Any = None

    @property
    def sla(self) -> TicketSla:
        """The incident's clocks (rebuilt from the cache on first use)."""
        if self._sla is None:
            assert self._restore is not None
            self._sla, self._restore = self._restore(), None
        return self._sla

    @property
    def cached_fragment(self) -> bytes | None:
        """The JSON entry if it was written already."""
        return self._fragment

    def fragment(self, render: Callable[[TicketSla], bytes]) -> bytes:
        """The incident's entry of the JSON report, as ``render`` writes it (kept once written)."""
        if self._fragment is None:
            self._fragment = render(self.sla)
        return self._fragment

    def in_window(self, since: datetime | None, until: datetime | None) -> bool:
        """Whether the incident started in [since, until) (always, when it has no start)."""
        if self.started is None:
            return True
        return not ((since is not None and self.started < since.timestamp()) or (until is not None and self.started >= until.timestamp()))


def horizon(history: TicketHistory) -> float:
    """The last moment the incident's evidence names: landings, deletion and times declared in its latest version."""
    times = [v.commit.landed_at for v in history.versions]
    if history.deleted is not None:
        times.append(history.deleted.landed_at)
    if history.versions:
        fields = history.versions[-1].fields
        times += [t for key in DECLARED_TIMES if (t := parse_time(fields.get(key))) is not None]
        declared = declared_of(fields)
        if declared is not None:
            times += [t for t in (declared.started_at, declared.resolved_at) if t is not None] + [at for at, _ in declared.timeline]
    return max((t.timestamp() for t in times), default=float("inf"))


def incident_part(ticket: Ticket | None, found: TicketHistory, config: Config, calendars: Callable[[], dict[str, Calendar]],
                  now: datetime, *, zone: ZoneInfo, since: datetime | None) -> Part | None:
    """``found``'s :class:`Part` at ``now`` (``ticket``: its working-tree file); None when it is not reported.

    ``since`` is the report's ``sla.since`` (imported outages before it use declared times).
    """
    sla = ticket_sla(ticket, found, config, calendars(), now)
    sla = sla and declared_sla(sla, found, config, calendars(), now)  # imported history before sla.since
    if sla is None:
        return None
    outage = incident_outage(found, sla.started_at or found.first_landed, now, since) if sla.deleted is None else None
    last = horizon(found)
    stable = (now.timestamp() >= last and all(c.stopped_at is not None for c in sla.targets.values() if c.applicable)
              and (outage is None or outage[3] < now.timestamp()))
    return Part(id=sla.id, client=sla.client, started=sla.started_at.timestamp() if sla.started_at else None,
                deleted=sla.deleted is not None, facts=ticket_facts(sla),
                month=sla.started_at.astimezone(zone).strftime("%Y-%m") if sla.started_at else None,
                outage=outage, escalations=level_changes(found, now), horizon=last, stable=stable, sla=sla)


def compute(tickets: list[Ticket], history: History, config: Config, *, now: datetime,
            client: str | None = None, since: datetime | None = None, until: datetime | None = None,
            parts: PartSource | None = None) -> SlaReport:
    """Every ticket's clocks at ``now`` and the summaries. Pure.

    ``tickets`` is the working tree (for ``breach_reason`` and file paths);
    ``history`` supplies what landed. ``client`` keeps that client's tickets;
    ``since``/``until`` keep tickets whose start is in [since, until).
    ``parts`` gives an incident's part when a cache still holds it, None when
    it must be computed (the result is the same either way).
    """
    return compute_rows(tickets, history, config, now=now, client=client, since=since, until=until, parts=parts)[0]


def compute_rows(tickets: list[Ticket], history: History, config: Config, *, now: datetime,
                 client: str | None = None, since: datetime | None = None, until: datetime | None = None,
                 parts: PartSource | None = None) -> tuple[SlaReport, list[Row]]:
    """:func:`compute`, and every incident's row (what the SLA cache keeps, ``since``/``until`` or not)."""
    rows = incident_rows(tickets, history, config, now=now, client=client, parts=parts)
    report = assemble([part for _, _, part in rows], records_of(history, Kind.MAINTENANCE), records_of(history, Kind.BACKLOG),
                      runbooks_of(tickets), config, now=now, client=client, since=since, until=until,
                      anomalies=history.anomalies, first_day=history.first_day())
    return report, rows


#: an incident's working-tree file (None: deleted on the branch), its history and its part (None: not reported)
Row = tuple[Ticket | None, TicketHistory, "Part | None"]


def incident_rows(tickets: list[Ticket], history: History, config: Config, *, now: datetime, client: str | None = None,
                  parts: PartSource | None = None) -> list[Row]:
    """Each landed incident in report order: its working-tree file, its history and its part at ``now``."""
    zone = ZoneInfo(config.timezone)
    calendars = lazy_calendars(config)
    declared_before = config.policy_for(client).since
    rows = []
    for ticket, found in _incidents(tickets, history):
        part = parts(ticket, found, now) if parts is not None else None
        if part is None:
            part = incident_part(ticket, found, config, calendars, now, zone=zone, since=declared_before)
        rows.append((ticket, found, part))
    return rows


def runbooks_of(tickets: list[Ticket]) -> list[Ticket]:
    """The working tree's runbooks (whose due dates the report lists)."""
    return [t for t in tickets if t.kind is Kind.RUNBOOK]


def records_of(history: History, kind: Kind) -> list[TicketHistory]:
    """The live (not deleted) records of ``kind`` that have landed."""
    return _by_kind(history).get(kind, [])


#: (working-tree ticket, its history, now) -> the cached part, or None to compute it
PartSource = Callable[[Ticket | None, TicketHistory, datetime], "Part | None"]


def lazy_calendars(config: Config) -> Callable[[], dict[str, Calendar]]:
    """The calendars, built on first use: a warm run whose clocks are all cached never needs them (nor `holidays`)."""
    built: list[dict[str, Calendar]] = []

    def get() -> dict[str, Calendar]:
        if not built:
            built.append(calendars_for(config))
        return built[0]
    return get


def assemble(parts: list[Part | None], maintenance: list[TicketHistory], backlog: list[TicketHistory], runbooks: list[Ticket],
             config: Config, *, now: datetime, client: str | None, since: datetime | None, until: datetime | None,
             anomalies: list[Anomaly], first_day: datetime | None) -> SlaReport:
    """The report from each incident's part (in report order) and the other records' histories.

    Also what a warm run does with the cached parts: see :mod:`gitdesk.sla.cache`.
    """
    check_targets(config, now=now)  # a target no calendar can reach is a config error, before any clock needs it
    zone = ZoneInfo(config.timezone)
    policy = config.policy_for(client)
    kept = [p for p in parts if p is not None and (client is None or p.client == client) and p.in_window(since, until)]
    report = SlaReport(now=now, tickets=_Tickets(kept), anomalies=list(anomalies), min_compliance=policy.min_compliance)
    report.parts = kept
    report.by_severity = summarize_facts([p.facts for p in kept])
    months: dict[str, list[TicketFacts]] = {}
    for p in kept:
        if p.month is not None:
            months.setdefault(p.month, []).append(p.facts)
    report.by_month = {month: summarize_facts(group) for month, group in sorted(months.items())}
    components = [c.id for c in config.components]
    if client is not None:
        components = list(config.client(client).components) or components
    live = [p for p in kept if not p.deleted]  # uptime of a deleted incident would run to `now`: see docs/sla.md, Limits
    windows = [h for h in maintenance if _in_scope(client, _field(h, "client", now))]
    found_uptime = availability_of([p.outage for p in live], windows, components, policy=config.uptime_for(client),
                                   zone=zone, now=now, days=SERIES_DAYS, first_day=first_day or now,
                                   since={c.id: c.since for c in config.components if c.since is not None})
    report.uptime, report.days, report.uptime_by_month = found_uptime.uptime, found_uptime.days, found_uptime.months
    report.series = found_uptime.series
    report.escalations = dict(Counter(pair for p in live for pair in p.escalations))
    report.backlog_throughput = backlog_throughput([h for h in backlog if _in_scope(client, _field(h, "client", now))], zone, now)
    report.runbook_due = overdue_runbooks([t for t in runbooks if _in_scope(client, t.client)], zone, now)
    report.overdue_runbooks = list(report.runbook_due)
    return report


class _Tickets(Sequence[TicketSla]):
    """The report's tickets, made from their parts when read (a warm JSON report never reads them)."""

    def __init__(self, parts: list[Part]) -> None:
        self._parts = parts

    def __len__(self) -> int:
        return len(self._parts)

    @overload
    def __getitem__(self, index: int) -> TicketSla: ...
    @overload
    def __getitem__(self, index: slice) -> list[TicketSla]: ...
    def __getitem__(self, index: int | slice) -> TicketSla | list[TicketSla]:
        if isinstance(index, slice):
            return [p.sla for p in self._parts[index]]
        return self._parts[index].sla

    def __iter__(self) -> Iterator[TicketSla]:
        return (p.sla for p in self._parts)


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
