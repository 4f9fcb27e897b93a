"""Stage 3: SLA clocks and summaries. Pure: versions + policy + calendar + now.

The rules are DESIGN.md's "The SLA clock: evidence from Git". Everything is
judged as of ``now``: landings after ``now`` have not happened yet, which makes
``--now`` in the past reproduce an old report exactly.

Tickets that exist only in the working tree (not landed on the branch) have not
started for the client and are left out of the report.
"""

from __future__ import annotations

import enum
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from gitdesk.sla.calendars import Calendar, calendars_for
from gitdesk.config import Config, SlaPolicy, TargetSpec
from gitdesk.history import Anomaly, History, TicketHistory, Version
from gitdesk.model import Kind, Ticket, parse_time


class ClockState(str, enum.Enum):
    MET = "met"
    BREACHED = "breached"
    RUNNING = "running"
    PAUSED = "paused"
    NOT_APPLICABLE = "not_applicable"


class TargetName(str, enum.Enum):
    RESPONSE = "response"
    MITIGATION = "mitigation"
    RESOLUTION = "resolution"


#: statuses whose first landing stops each clock (response: anything but `reported`)
MITIGATED = frozenset({"mitigated", "monitoring", "resolved", "closed", "deferred"})
RESOLVED = frozenset({"resolved", "closed", "deferred"})
_STOPS: dict[TargetName, Callable[[str], bool]] = {
    TargetName.RESPONSE: lambda status: status != "reported",
    TargetName.MITIGATION: lambda status: status in MITIGATED,
    TargetName.RESOLUTION: lambda status: status in RESOLVED,
}
_PAUSES = {TargetName.RESPONSE: False, TargetName.MITIGATION: True, TargetName.RESOLUTION: True}
#: only resolution starts again when a resolved ticket is reopened
_RESTARTS = {TargetName.RESPONSE: False, TargetName.MITIGATION: False, TargetName.RESOLUTION: True}


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(timezone.utc).isoformat() if when is not None else None


@dataclass(frozen=True)
class Clock:
    """One target's clock for one ticket (the latest cycle for reopened tickets)."""

    state: ClockState
    target_seconds: int | None = None
    elapsed_seconds: int | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    breached: bool = False
    ever_breached: bool = False
    cycles: int = 0
    at_risk: bool = False
    calendar: str | None = None
    #: counted seconds summed over all cycles (MTTR uses this)
    total_elapsed_seconds: int | None = None
    #: for a running clock within target: when the target is used up if nothing lands (None if paused or decided)
    due_at: datetime | None = None

    @property
    def applicable(self) -> bool:
        return self.state is not ClockState.NOT_APPLICABLE

    @property
    def stopped(self) -> bool:
        return self.applicable and self.stopped_at is not None

    @property
    def used_share(self) -> float | None:
        """Elapsed / target for the latest cycle (None when not applicable)."""
        if not self.applicable or not self.target_seconds or self.elapsed_seconds is None:
            return None
        return self.elapsed_seconds / self.target_seconds

    def to_json(self) -> dict[str, Any]:
        if not self.applicable:
            return {"state": self.state.value}
        return {
            "state": self.state.value,
            "target_seconds": self.target_seconds,
            "elapsed_seconds": self.elapsed_seconds,
            "started_at": _iso(self.started_at),
            "stopped_at": _iso(self.stopped_at),
            "breached": self.breached,
            "ever_breached": self.ever_breached,
            "cycles": self.cycles,
            "at_risk": self.at_risk,
            "calendar": self.calendar,
            "total_elapsed_seconds": self.total_elapsed_seconds,
            "due_at": _iso(self.due_at),
        }


NOT_APPLICABLE = Clock(ClockState.NOT_APPLICABLE)


@dataclass(frozen=True)
class TicketSla:
    id: str
    severity: str | None
    status: str | None
    client: str | None
    targets: dict[TargetName, Clock]
    started_at: datetime | None = None
    #: the ticket's file in the working tree (what `sla check` tells to edit)
    path: str | None = None
    breach_reason: str | None = None
    title: str = ""

    @property
    def ever_breached(self) -> bool:
        return any(clock.ever_breached for clock in self.targets.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "status": self.status,
            "client": self.client,
            "file": self.path,
            "started_at": _iso(self.started_at),
            "breach_reason": self.breach_reason,
            "targets": {name.value: self.targets.get(name, NOT_APPLICABLE).to_json() for name in TargetName},
        }


@dataclass(frozen=True)
class Stats:
    """Met/breached counts and elapsed-time statistics for one target."""

    met: int = 0
    breached: int = 0
    running: int = 0
    at_risk: int = 0
    compliance: float | None = None
    mean_seconds: float | None = None
    median_seconds: float | None = None
    p90_seconds: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "met": self.met,
            "breached": self.breached,
            "running": self.running,
            "at_risk": self.at_risk,
            "compliance": None if self.compliance is None else round(self.compliance, 3),
            "mean_seconds": _round(self.mean_seconds),
            "median_seconds": _round(self.median_seconds),
            "p90_seconds": _round(self.p90_seconds),
        }


def _round(value: float | None) -> int | None:
    return None if value is None else round(value)


@dataclass(frozen=True)
class Uptime:
    """One component over one window of days."""

    component: str
    days: int
    uptime: float  # 0..1
    outage_seconds: int
    degraded_seconds: int
    maintenance_seconds: int
    error_budget_seconds: int
    budget_left_seconds: int
    target: float = 99.8

    def to_json(self) -> dict[str, Any]:
        return {
            "uptime": round(self.uptime, 6),
            "target": self.target,
            "outage_seconds": self.outage_seconds,
            "degraded_seconds": self.degraded_seconds,
            "maintenance_seconds": self.maintenance_seconds,
            "error_budget_seconds": self.error_budget_seconds,
            "budget_left_seconds": self.budget_left_seconds,
        }


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

    def to_json(self) -> dict[str, Any]:
        """The ``sla --format json`` document (DESIGN.md, CLI contract)."""
        return {
            "now": _iso(self.now),
            "tickets": [t.to_json() for t in self.tickets],
            "summary": {
                "by_severity": _stats_json(self.by_severity),
                "by_month": {month: _stats_json(sev) for month, sev in self.by_month.items()},
                "uptime": {c: {str(days): u.to_json() for days, u in windows.items()} for c, windows in self.uptime.items()},
                "escalations": {f"{a}->{b}": n for (a, b), n in sorted(self.escalations.items())},
                "backlog_throughput": dict(sorted(self.backlog_throughput.items())),
                "overdue_runbooks": [{"id": rid, "due_at": _iso(self.runbook_due.get(rid))} for rid in self.overdue_runbooks],
            },
            "anomalies": [{"sha": a.sha, "kind": a.kind, "message": a.message} for a in self.anomalies],
        }


def _stats_json(stats: dict[str, dict[TargetName, Stats]]) -> dict[str, Any]:
    return {sev: {t.value: s.to_json() for t, s in by_target.items()} for sev, by_target in sorted(stats.items())}


# --- clocks ---------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """A landed state of an incident: from ``at`` on it had this status and severity."""

    at: datetime
    status: str
    severity: str | None


def steps_of(versions: Iterable[Version], now: datetime) -> list[Step]:
    """Status/severity changes landed at or before ``now``, oldest first."""
    out: list[Step] = []
    for version in versions:
        if version.commit.landed_at > now:
            break
        status, severity = version.fields.get("status"), version.fields.get("severity")
        if not isinstance(status, str):
            continue
        severity = severity if isinstance(severity, str) else None
        if out and out[-1].status == status and out[-1].severity == severity:
            continue
        out.append(Step(version.commit.landed_at, status, severity))
    return out


@dataclass
class _Cycle:
    start: datetime
    marks: list[Step]  # the state in force from each mark on; the first is at `start`
    stop: datetime | None = None


def _cycles(name: TargetName, start: datetime, steps: list[Step]) -> list[_Cycle]:
    """Split the timeline into the clock's cycles (several only for reopened resolution)."""
    stops = _STOPS[name]
    # before its first landing a ticket counts as reported (from an earlier reported_at)
    timeline = [Step(start, "reported", steps[0].severity)] + steps if start < steps[0].at else steps
    cycles: list[_Cycle] = []
    current: _Cycle | None = None
    for step in timeline:
        if current is None:
            if cycles and not (_RESTARTS[name] and not stops(step.status)):
                continue
            current = _Cycle(step.at if cycles else start, [])
        current.marks.append(Step(max(step.at, current.start), step.status, step.severity))
        if stops(step.status):
            current.stop = step.at
            cycles.append(current)
            current = None
    if current is not None:
        cycles.append(current)
    return cycles


@dataclass(frozen=True)
class _Judge:
    """What a ticket's clocks are judged against."""

    policy: SlaPolicy
    calendars: dict[str, Calendar]
    now: datetime

    def spec(self, severity: str | None) -> TargetSpec | None:
        return self.policy.targets.get(severity) if severity else None

    def elapsed(self, name: TargetName, cycle: _Cycle, calendar: Calendar, until: datetime) -> float:
        """Counted seconds of ``cycle`` up to ``until``, minus paused spans."""
        pause = set(self.policy.pause_statuses) if _PAUSES[name] else set()
        end = min(until, cycle.stop or self.now).timestamp()
        total = 0.0
        for mark, nxt in zip(cycle.marks, cycle.marks[1:] + [None]):
            t0 = mark.at.timestamp()
            t1 = min(nxt.at.timestamp() if nxt else end, end)
            if t1 > t0 and mark.status not in pause:
                total += calendar.working_between(t0, t1)
        return total


def _judge_cycle(name: TargetName, cycle: _Cycle, judge: _Judge) -> tuple[int, int | None, bool, str | None]:
    """(elapsed, target, breached, calendar) of one cycle under the severity in force at its end.

    A severity change re-picks the target and keeps the start, but a breach under
    the old severity stays: each change is a checkpoint judged by the old target.
    """
    breached = False
    for before, after in zip(cycle.marks, cycle.marks[1:]):
        if before.severity == after.severity:
            continue
        old = judge.spec(before.severity)
        old_target = old.seconds(name.value) if old else None
        if old is not None and old_target is not None:
            breached |= judge.elapsed(name, cycle, judge.calendars[old.calendar], after.at) > old_target
    spec = judge.spec(cycle.marks[-1].severity)
    target = spec.seconds(name.value) if spec else None
    if spec is None or target is None:
        return 0, None, breached, None
    elapsed = round(judge.elapsed(name, cycle, judge.calendars[spec.calendar], cycle.stop or judge.now))
    return elapsed, target, breached or elapsed > target, spec.calendar


def clock(name: TargetName, start: datetime, steps: list[Step], judge: _Judge) -> Clock:
    """One target's clock from the landed steps, judged at ``judge.now``."""
    cycles = _cycles(name, start, steps)
    judged = [_judge_cycle(name, cycle, judge) for cycle in cycles]
    elapsed, target, breached, calendar = judged[-1]
    if target is None:
        return NOT_APPLICABLE
    last = cycles[-1]
    ever = any(b for _, _, b, _ in judged)
    running = last.stop is None
    paused = running and _PAUSES[name] and last.marks[-1].status in judge.policy.pause_statuses
    if breached:
        state = ClockState.BREACHED
    elif not running:
        state = ClockState.MET
    else:
        state = ClockState.PAUSED if paused else ClockState.RUNNING
    at_risk = running and not breached and target > 0 and elapsed / target >= judge.policy.at_risk
    # when the target is used up if the clock keeps running; any later stop breaches it
    due = (judge.calendars[calendar].add_working(judge.now, target - elapsed)
           if state is ClockState.RUNNING and calendar is not None else None)
    return Clock(state, target, elapsed, last.start, last.stop, breached, ever, len(cycles), at_risk, calendar,
                 sum(e for e, _, _, _ in judged), due)


def ticket_start(history: TicketHistory, now: datetime) -> datetime:
    """First landing, or the declared ``reported_at`` when earlier (declared times only make it stricter)."""
    first = history.first_landed
    latest = _latest(history, now)
    declared = parse_time(latest.fields.get("reported_at")) if latest else None
    return declared if declared is not None and declared < first else first


def _latest(history: TicketHistory, now: datetime) -> Version | None:
    landed = None
    for version in history.versions:
        if version.commit.landed_at > now:
            break
        landed = version
    return landed


def ticket_sla(ticket: Ticket, history: TicketHistory, config: Config, calendars: dict[str, Calendar], now: datetime) -> TicketSla | None:
    """One incident's clocks at ``now``; None if it had not landed by then."""
    latest = _latest(history, now)
    steps = steps_of(history.versions, now)
    if latest is None or not steps:
        return None
    fields = latest.fields
    client = fields.get("client") if isinstance(fields.get("client"), str) else None
    start = ticket_start(history, now)
    last = steps[-1]
    if last.status == "cancelled" or fields.get("coverage") == "out-of-scope":
        targets = {name: NOT_APPLICABLE for name in TargetName}
    else:
        judge = _Judge(config.policy_for(client), calendars, now)
        targets = {name: clock(name, start, steps, judge) for name in TargetName}
    reason = ticket.get("breach_reason")
    return TicketSla(history.id, last.severity, last.status, client, targets, start, ticket.path,
                     reason if isinstance(reason, str) and reason.strip() else None, str(fields.get("title", "")))


# --- summaries --------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def stats(clocks: Iterable[Clock], *, total: bool = False) -> Stats:
    """Counts and elapsed statistics; ``total`` sums all cycles (MTTR) instead of the latest."""
    met = breached = running = at_risk = 0
    values: list[float] = []
    for c in clocks:
        if not c.applicable:
            continue
        met += c.state is ClockState.MET
        breached += c.state is ClockState.BREACHED
        running += c.stopped_at is None
        at_risk += c.at_risk
        if c.stopped:
            values.append(float((c.total_elapsed_seconds if total else c.elapsed_seconds) or 0))
    decided = met + breached
    return Stats(
        met, breached, running, at_risk,
        compliance=met / decided if decided else None,
        mean_seconds=statistics.fmean(values) if values else None,
        median_seconds=statistics.median(values) if values else None,
        p90_seconds=percentile(values, 0.9) if values else None,
    )


def summarize(tickets: list[TicketSla]) -> dict[str, dict[TargetName, Stats]]:
    """severity -> target -> Stats over the tickets (targets with no applicable clock left out)."""
    out: dict[str, dict[TargetName, Stats]] = {}
    for severity in sorted({t.severity for t in tickets if t.severity}):
        group = [t for t in tickets if t.severity == severity]
        by_target = {}
        for name in TargetName:
            clocks = [t.targets[name] for t in group if t.targets[name].applicable]
            if clocks:
                by_target[name] = stats(clocks, total=name is TargetName.RESOLUTION)
        if by_target:
            out[severity] = by_target
    return out


def compliance(report: SlaReport) -> float | None:
    """Overall compliance: met / (met + breached) over every target of every ticket."""
    met = sum(s.met for by_target in report.by_severity.values() for s in by_target.values())
    breached = sum(s.breached for by_target in report.by_severity.values() for s in by_target.values())
    return met / (met + breached) if met + breached else None


# --- uptime -----------------------------------------------------------------------

Interval = tuple[float, float]


def _union(spans: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for lo, hi in sorted(s for s in spans if s[1] > s[0]):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _minus(spans: list[Interval], holes: list[Interval]) -> list[Interval]:
    out = []
    for lo, hi in spans:
        pieces = [(lo, hi)]
        for h0, h1 in holes:
            pieces = [p for a, b in pieces for p in ((a, min(b, h0)), (max(a, h1), b)) if p[1] > p[0]]
        out.extend(pieces)
    return out


def _measure(spans: Iterable[Interval], lo: float, hi: float) -> float:
    return sum(max(0.0, min(b, hi) - max(a, lo)) for a, b in spans)


@dataclass
class _Impacts:
    outage: dict[str, list[Interval]] = field(default_factory=dict)
    degraded: dict[str, list[Interval]] = field(default_factory=dict)
    maintenance: dict[str, list[Interval]] = field(default_factory=dict)

    def add(self, impact: Any, components: list[str], span: Interval) -> None:
        target = self.outage if impact == "outage" else self.degraded if impact == "degraded" else None
        if target is not None:
            for component in components:
                target.setdefault(component, []).append(span)


def _components(fields: Any, all_components: list[str]) -> list[str]:
    value = fields.get("components")
    listed = [c for c in value if isinstance(c, str)] if isinstance(value, list) else []
    return [c for c in listed if c in all_components] or ([] if listed else all_components)


def _impacts(incidents: list[tuple[TicketHistory, datetime]], windows: list[TicketHistory], components: list[str],
             notice: int, now: datetime) -> _Impacts:
    impacts = _Impacts()
    for history, start in incidents:
        latest = _latest(history, now)
        if latest is None or latest.fields.get("status") == "cancelled":
            continue
        began = parse_time(latest.fields.get("started_at")) or start
        ended = next((s.at for s in steps_of(history.versions, now) if s.status in MITIGATED), now)
        impacts.add(latest.fields.get("impact"), _components(latest.fields, components), (began.timestamp(), ended.timestamp()))
    for history in windows:
        latest = _latest(history, now)
        if latest is None or latest.fields.get("status") == "cancelled":
            continue
        starts, ends = parse_time(latest.fields.get("starts_at")), parse_time(latest.fields.get("ends_at"))
        if starts is None or ends is None:
            continue
        span = (starts.timestamp(), min(ends, now).timestamp())
        announced = history.declared_by("starts_at")
        affected = _components(latest.fields, components)
        if announced is not None and announced.commit.landed_at <= starts - timedelta(seconds=notice):
            for component in affected:
                impacts.maintenance.setdefault(component, []).append(span)
        else:  # announced too late: its impact counts like an incident's
            impacts.add(latest.fields.get("impact"), affected, span)
    return impacts


def uptime(impacts: _Impacts, components: list[str], target: float, windows: Iterable[int], now: datetime) -> dict[str, dict[int, Uptime]]:
    """Per component and window: uptime, outage, degraded and announced maintenance time, error budget."""
    out: dict[str, dict[int, Uptime]] = {}
    hi = now.timestamp()
    for component in components:
        maintenance = _union(impacts.maintenance.get(component, []))
        outage = _minus(_union(impacts.outage.get(component, [])), maintenance)
        degraded = _minus(_minus(_union(impacts.degraded.get(component, [])), maintenance), outage)
        out[component] = {}
        for days in windows:
            lo = hi - days * 86400
            seconds = days * 86400
            down = round(_measure(outage, lo, hi))
            budget = round((1 - target / 100) * seconds)
            out[component][days] = Uptime(component, days, 1 - down / seconds, down, round(_measure(degraded, lo, hi)),
                                          round(_measure(maintenance, lo, hi)), budget, budget - down, target)
    return out


# --- escalations, backlog, runbooks ---------------------------------------------------

def escalations(histories: Iterable[TicketHistory], now: datetime) -> dict[tuple[str, str], int]:
    """How often the support level changed, by (from, to), counting landed changes only."""
    counts: Counter[tuple[str, str]] = Counter()
    for history in histories:
        previous = None
        for version in history.versions:
            if version.commit.landed_at > now:
                break
            level = version.fields.get("level")
            if isinstance(level, str):
                if previous is not None and level != previous:
                    counts[(previous, level)] += 1
                previous = level
    return dict(counts)


def backlog_throughput(histories: Iterable[TicketHistory], zone: ZoneInfo, now: datetime) -> dict[str, int]:
    """Backlog items per month of the first landing that made them `done`."""
    counts: Counter[str] = Counter()
    for history in histories:
        done = next((v for v in history.versions if v.fields.get("status") == "done" and v.commit.landed_at <= now), None)
        if done is not None:
            counts[done.commit.landed_at.astimezone(zone).strftime("%Y-%m")] += 1
    return dict(counts)


def _add_every(when: datetime, every: str) -> datetime:
    count_text, unit = every.split()
    count, unit = int(count_text), unit.rstrip("s")
    if unit in ("day", "week"):
        return when + timedelta(days=count * (7 if unit == "week" else 1))
    months = count * (12 if unit == "year" else 1)
    year, month = divmod(when.month - 1 + months, 12)
    year += when.year
    day = when.day
    while True:  # the 31st of a short month is its last day
        try:
            return when.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


def runbook_due(runbook: Ticket, zone: ZoneInfo) -> datetime | None:
    """When a preventive runbook is next due: last ok run + every (None if never run ok)."""
    every = runbook.get("every")
    runs = runbook.get("runs") if isinstance(runbook.get("runs"), list) else []
    last: datetime | None = None
    for run in runs:
        if not isinstance(run, dict) or run.get("result") != "ok":
            continue
        at = parse_time(run.get("at"))
        if at is None and isinstance(run.get("at"), str):
            try:  # a bare date means that day in the service's time zone
                at = datetime.combine(date.fromisoformat(run["at"]), time(0), zone)
            except ValueError:
                at = None
        if at is not None and (last is None or at > last):
            last = at
    return _add_every(last, str(every)) if last is not None else None


def overdue_runbooks(runbooks: Iterable[Ticket], zone: ZoneInfo, now: datetime) -> dict[str, datetime | None]:
    """Preventive runbooks whose last ok run + every is before ``now`` (or that never ran ok)."""
    out: dict[str, datetime | None] = {}
    for runbook in sorted(runbooks, key=lambda r: r.id):
        if not isinstance(runbook.get("every"), str):
            continue
        due = runbook_due(runbook, zone)
        if due is None or due < now:
            out[runbook.id] = due
    return out


# --- the whole report -------------------------------------------------------------

def _in_scope(client: str | None, owner: Any) -> bool:
    return client is None or owner in (None, client)


def compute(tickets: list[Ticket], history: History, config: Config, *, now: datetime,
            client: str | None = None, since: datetime | None = None, until: datetime | None = None) -> SlaReport:
    """Every ticket's clocks at ``now`` and the summaries. Pure.

    ``tickets`` is the working tree (for ``breach_reason`` and file paths);
    ``history`` supplies what landed. ``client`` keeps that client's tickets;
    ``since``/``until`` keep tickets whose start is in [since, until).
    """
    zone = ZoneInfo(config.timezone)
    calendars = calendars_for(config)
    policy = config.policy_for(client)
    report = SlaReport(now=now, anomalies=list(history.anomalies), min_compliance=policy.min_compliance)
    incidents: list[tuple[TicketHistory, datetime]] = []
    for ticket in sorted(tickets, key=lambda t: t.id):
        found = history.tickets.get(ticket.id)
        if ticket.kind is not Kind.INCIDENT or found is None or found.kind is not Kind.INCIDENT:
            continue
        sla = ticket_sla(ticket, found, config, calendars, now)
        if sla is None or (client is not None and sla.client != client):
            continue
        if (since and sla.started_at and sla.started_at < since) or (until and sla.started_at and sla.started_at >= until):
            continue
        report.tickets.append(sla)
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
    up = config.uptime_for(client)
    impacts = _impacts([(h, s) for h, s in incidents], windows, components, up.notice, now)
    report.uptime = uptime(impacts, components, up.target, up.windows, now)
    report.escalations = escalations((h for h, _ in incidents), now)
    backlog = [h for h in by_kind.get(Kind.BACKLOG, []) if _in_scope(client, _field(h, "client", now))]
    report.backlog_throughput = backlog_throughput(backlog, zone, now)
    runbooks = [t for t in tickets if t.kind is Kind.RUNBOOK and _in_scope(client, t.client)]
    report.runbook_due = overdue_runbooks(runbooks, zone, now)
    report.overdue_runbooks = list(report.runbook_due)
    return report


def _by_kind(history: History) -> dict[Kind, list[TicketHistory]]:
    out: dict[Kind, list[TicketHistory]] = {}
    for ticket in history.tickets.values():
        if ticket.deleted is None and ticket.versions:
            out.setdefault(ticket.kind, []).append(ticket)
    return out


def _field(history: TicketHistory, key: str, now: datetime) -> Any:
    latest = _latest(history, now)
    return latest.fields.get(key) if latest else None
