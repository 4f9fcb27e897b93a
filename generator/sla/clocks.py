"""SLA clocks: one incident's response, mitigation and resolution clocks from its landed steps.

The rules are DESIGN.md's "The SLA clock: evidence from Git". Everything is
judged as of ``now``: landings after ``now`` have not happened yet, which makes
``--now`` in the past reproduce an old report exactly.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from gitdesk.config import Config, SlaPolicy, TargetSpec
from gitdesk.history import TicketHistory, Version
from gitdesk.model import IncidentStatus, Ticket, parse_time
from gitdesk.sla.calendars import Calendar


class ClockState(str, enum.Enum):
    MET = "met"
    BREACHED = "breached"
    RUNNING = "running"
    PAUSED = "paused"
    NOT_APPLICABLE = "not_applicable"


class Evidence(str, enum.Enum):
    """What a clock's stop rests on: a landing on the branch, or a source's declared time (see sla/declared.py)."""

    GIT = "git"
    DECLARED = "declared"


class TargetName(str, enum.Enum):
    RESPONSE = "response"
    MITIGATION = "mitigation"
    RESOLUTION = "resolution"


def _stops_when(predicate: Callable[[IncidentStatus], bool]) -> Callable[[str], bool]:
    def stops(status: str) -> bool:
        parsed = IncidentStatus.parse(status)
        return parsed is not None and predicate(parsed)
    return stops


#: which landed statuses stop each clock (the vocabulary's predicates, DESIGN.md's clock table)
_STOPS: dict[TargetName, Callable[[str], bool]] = {
    # DESIGN: "any status other than reported", a misspelt one included
    TargetName.RESPONSE: lambda status: status != IncidentStatus.REPORTED,
    TargetName.MITIGATION: _stops_when(lambda s: s.mitigated),
    TargetName.RESOLUTION: _stops_when(lambda s: s.resolved),
}
_PAUSES = {TargetName.RESPONSE: False, TargetName.MITIGATION: True, TargetName.RESOLUTION: True}
#: only resolution starts again when a resolved ticket is reopened
_RESTARTS = {TargetName.RESPONSE: False, TargetName.MITIGATION: False, TargetName.RESOLUTION: True}


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
    evidence: Evidence = Evidence.GIT

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
    timeline = [Step(start, IncidentStatus.REPORTED, steps[0].severity)] + steps if start < steps[0].at else steps
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
class Judge:
    """What a ticket's clocks are judged against: the client's policy, the calendars and ``now``."""

    policy: SlaPolicy
    calendars: dict[str, Calendar]
    now: datetime

    def spec(self, severity: str | None) -> TargetSpec | None:
        return self.policy.targets.get(severity) if severity else None

    def paused(self, name: TargetName, status: str) -> bool:
        """Whether ``status`` stops clock ``name`` from counting (the policy's ``pause_statuses``)."""
        parsed = IncidentStatus.parse(status)
        return _PAUSES[name] and parsed is not None and parsed.paused(self.policy.pause_statuses)

    def elapsed(self, name: TargetName, cycle: _Cycle, calendar: Calendar, until: datetime) -> float:
        """Counted seconds of ``cycle`` up to ``until``, minus paused spans."""
        end = min(until, cycle.stop or self.now).timestamp()
        total = 0.0
        for mark, nxt in zip(cycle.marks, cycle.marks[1:] + [None]):
            t0 = mark.at.timestamp()
            t1 = min(nxt.at.timestamp() if nxt else end, end)
            if t1 > t0 and not self.paused(name, mark.status):
                total += calendar.working_between(t0, t1)
        return total


def _judge_cycle(name: TargetName, cycle: _Cycle, judge: Judge) -> tuple[int, int | None, bool, str | None]:
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


def clock(name: TargetName, start: datetime, steps: list[Step], judge: Judge) -> Clock:
    """One target's clock from the landed steps (at least one), judged at ``judge.now``."""
    cycles = _cycles(name, start, steps)
    judged = [_judge_cycle(name, cycle, judge) for cycle in cycles]
    elapsed, target, breached, calendar = judged[-1]
    if target is None:
        return NOT_APPLICABLE
    last = cycles[-1]
    ever = any(b for _, _, b, _ in judged)
    running = last.stop is None
    paused = running and judge.paused(name, last.marks[-1].status)
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


def latest(history: TicketHistory, now: datetime) -> Version | None:
    """The ticket's version in force at ``now`` (None if it had not landed by then)."""
    landed = None
    for version in history.versions:
        if version.commit.landed_at > now:
            break
        landed = version
    return landed


def ticket_start(history: TicketHistory, now: datetime) -> datetime:
    """First landing, or the declared ``reported_at`` when earlier (declared times only make it stricter)."""
    first = history.first_landed
    version = latest(history, now)
    declared = parse_time(version.fields.get("reported_at")) if version else None
    return declared if declared is not None and declared < first else first


def ticket_sla(ticket: Ticket, history: TicketHistory, config: Config, calendars: dict[str, Calendar], now: datetime) -> TicketSla | None:
    """One incident's clocks at ``now``; None if it had not landed by then."""
    version = latest(history, now)
    steps = steps_of(history.versions, now)
    if version is None or not steps:
        return None
    fields = version.fields
    client = fields.get("client") if isinstance(fields.get("client"), str) else None
    start = ticket_start(history, now)
    last = steps[-1]
    status = IncidentStatus.parse(last.status)
    if (status is not None and status.withdrawn) or fields.get("coverage") == "out-of-scope":
        targets = {name: NOT_APPLICABLE for name in TargetName}
    else:
        judge = Judge(config.policy_for(client), calendars, now)
        targets = {name: clock(name, start, steps, judge) for name in TargetName}
    reason = ticket.get("breach_reason")
    return TicketSla(history.id, last.severity, last.status, client, targets, start, ticket.path,
                     reason if isinstance(reason, str) and reason.strip() else None, str(fields.get("title", "")))
