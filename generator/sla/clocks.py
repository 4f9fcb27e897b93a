"""SLA clocks: one incident's response, mitigation and resolution clocks from its landed steps.

The rules are docs/sla.md's (the SLA clock: evidence from Git). Everything is
judged as of ``now``: landings after ``now`` have not happened yet, which makes
``--now`` in the past reproduce an old report exactly.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

from gitdesk.config import Config, SlaPolicy, TargetSpec
from gitdesk.history import Commit, TicketHistory, Version
from gitdesk.model import IncidentStatus, Ticket, parse_time
from gitdesk.sla.calendars import Calendar, UnreachableTarget


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


#: which landed statuses stop each clock (the vocabulary's predicates, docs/sla.md's clock table)
_STOPS: dict[TargetName, Callable[[str], bool]] = {
    # docs/sla.md: "any status other than reported", a misspelt one included
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
    #: every landing this clock's figures rest on carries a witness note (see gitdesk.history.witness)
    witnessed: bool = False
    #: when the latest cycle that breached started (None: none did); `sla check` judges only breaches from ``sla.since`` on
    breach_started_at: datetime | None = None

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
    #: the commit that deleted the ticket's file on the branch (the ticket is reported with status "deleted")
    deleted: Commit | None = None

    @property
    def ever_breached(self) -> bool:
        return any(clock.ever_breached for clock in self.targets.values())


@dataclass(frozen=True)
class Step:
    """A landed state of an incident: from ``at`` on it had this status and severity."""

    at: datetime
    status: str
    severity: str | None
    #: ``at`` is a landing with a witness note (a declared or synthetic time is not)
    witnessed: bool = False


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
        out.append(Step(version.commit.landed_at, status, severity, version.commit.witnessed))
    return out


@dataclass
class _Cycle:
    start: datetime
    marks: list[Step]  # the state in force from each mark on; the first is at `start`
    stop: datetime | None = None


def _cycles(name: TargetName, start: datetime, steps: list[Step]) -> list[_Cycle]:
    """Split the timeline into the clock's cycles (several only for reopened resolution)."""
    stops = _STOPS[name]
    # before its first landing a ticket counts as reported (from an earlier reported_at); that declared
    # start can only be earlier (stricter) than the landing that declared it, so it is as witnessed as that landing
    timeline = [Step(start, IncidentStatus.REPORTED, steps[0].severity, steps[0].witnessed)] + steps if start < steps[0].at else steps
    cycles: list[_Cycle] = []
    current: _Cycle | None = None
    for step in timeline:
        if current is None:
            if cycles and not (_RESTARTS[name] and not stops(step.status)):
                continue
            current = _Cycle(step.at if cycles else start, [])
        current.marks.append(Step(max(step.at, current.start), step.status, step.severity, step.witnessed))
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
    When the new severity has no such target, a breach reached before the change
    is what the cycle reports (its figures at the change), never nothing.
    """
    breached = False
    kept: tuple[int, int, str] | None = None
    for before, after in zip(cycle.marks, cycle.marks[1:]):
        if before.severity == after.severity:
            continue
        old = judge.spec(before.severity)
        old_target = old.seconds(name.value) if old else None
        if old is not None and old_target is not None:
            at_change = judge.elapsed(name, cycle, judge.calendars[old.calendar], after.at)
            if at_change > old_target:
                breached, kept = True, (round(at_change), old_target, old.calendar)
    spec = judge.spec(cycle.marks[-1].severity)
    target = spec.seconds(name.value) if spec else None
    if spec is None or target is None:
        return (kept[0], kept[1], True, kept[2]) if kept else (0, None, False, None)
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
    due = _due(judge, calendar, target - elapsed) if state is ClockState.RUNNING else None
    witnessed = all(mark.witnessed for cycle in cycles for mark in cycle.marks)
    breach_started = max((cycle.start for cycle, (_, _, b, _) in zip(cycles, judged) if b), default=None)
    return Clock(state, target, elapsed, last.start, last.stop, breached, ever, len(cycles), at_risk, calendar,
                 sum(e for e, _, _, _ in judged), due, witnessed=witnessed, breach_started_at=breach_started)


def _due(judge: Judge, calendar: str | None, left: int) -> datetime | None:
    """When ``left`` counted seconds from ``judge.now`` are used up; None when the calendar has no such time ahead."""
    if calendar is None:
        return None
    try:
        return judge.calendars[calendar].add_working(judge.now, left)
    except UnreachableTarget:
        return None  # config checks refuse such targets up front; a holiday-heavy future must still not crash a report


def latest(history: TicketHistory, now: datetime) -> Version | None:
    """The ticket's version in force at ``now`` (None if it had not landed by then)."""
    landed = None
    for version in history.versions:
        if version.commit.landed_at > now:
            break
        landed = version
    return landed


def _start_of(versions: Sequence[Version]) -> datetime:
    """First landing of ``versions``, or the last one's declared ``reported_at`` when earlier."""
    first = versions[0].commit.landed_at
    declared = parse_time(versions[-1].fields.get("reported_at"))
    return declared if declared is not None and declared < first else first


def ticket_start(history: TicketHistory, now: datetime) -> datetime:
    """First landing, or the declared ``reported_at`` when earlier (declared times only make it stricter)."""
    return _start_of(_landed(history, now) or history.versions)


def _landed(history: TicketHistory, now: datetime) -> list[Version]:
    return [v for v in history.versions if v.commit.landed_at <= now]


def _client(fields: Mapping[str, Any]) -> str | None:
    value = fields.get("client")
    return value if isinstance(value, str) else None


def _withdrawn(fields: Mapping[str, Any]) -> bool:
    """Cancelled or out of scope: a ticket in this state has no running clock."""
    status = IncidentStatus.parse(fields.get("status"))
    return (status is not None and status.withdrawn) or fields.get("coverage") == "out-of-scope"


def _terms(fields: Mapping[str, Any]) -> tuple[object, ...]:
    """What picks a ticket's targets: a change of any of these re-judges its clocks."""
    return fields.get("severity"), _client(fields), _withdrawn(fields)


def _clocks_of(versions: Sequence[Version], config: Config, calendars: dict[str, Calendar], now: datetime) -> dict[TargetName, Clock]:
    """The clocks of ``versions`` (all landed by ``now``) as if the ticket were live, judged at ``now``."""
    steps = steps_of(versions, now)
    if not steps:
        return {name: NOT_APPLICABLE for name in TargetName}
    judge = Judge(config.policy_for(_client(versions[-1].fields)), calendars, now)
    start = _start_of(versions)
    return {name: clock(name, start, steps, judge) for name in TargetName}


def _checkpoints(versions: Sequence[Version], deleted: Commit | None) -> list[tuple[int, datetime]]:
    """(versions before it, when) for each landing that re-judged a live ticket's clocks, and the deletion.

    A breach the evidence showed at any of these moments is final: what came
    after (a cancellation, ``coverage: out-of-scope``, another severity or
    client, the file's removal) stops the clocks but cannot take it back.
    """
    out = [(i, versions[i].commit.landed_at) for i in range(1, len(versions))
           if _terms(versions[i].fields) != _terms(versions[i - 1].fields) and not _withdrawn(versions[i - 1].fields)]
    if deleted is not None and versions and not _withdrawn(versions[-1].fields):
        out.append((len(versions), deleted.landed_at))
    return out


def _kept(current: Clock, earlier: Clock, at: datetime) -> Clock:
    """``current`` with the breach ``earlier`` (judged at ``at``) had reached; ``current`` if it kept it itself."""
    if current.ever_breached or not earlier.ever_breached:
        return current
    if not current.applicable:  # withdrawn, deleted or no longer targeted: the clock stopped where it stood
        return replace(earlier, state=ClockState.BREACHED, breached=True, stopped_at=earlier.stopped_at or at,
                       at_risk=False, due_at=None)
    same_cycle = earlier.breached and earlier.cycles == current.cycles
    return replace(current, state=ClockState.BREACHED if same_cycle else current.state, breached=current.breached or same_cycle,
                   ever_breached=True, at_risk=current.at_risk and not same_cycle, due_at=None if same_cycle else current.due_at,
                   breach_started_at=earlier.breach_started_at)


def final_clocks(history: TicketHistory, config: Config, calendars: dict[str, Calendar], now: datetime) -> dict[TargetName, Clock]:
    """A ticket's clocks at ``now`` with every breach it ever reached kept (docs/sla.md, breaches that stay)."""
    versions = _landed(history, now)
    deleted = history.deleted if history.deleted is not None and history.deleted.landed_at <= now else None
    live = deleted is None and not _withdrawn(versions[-1].fields)
    targets = _clocks_of(versions, config, calendars, now) if live else {name: NOT_APPLICABLE for name in TargetName}
    for count, at in _checkpoints(versions, deleted):
        earlier = _clocks_of(versions[:count], config, calendars, at)
        targets = {name: _kept(targets[name], earlier[name], at) for name in TargetName}
    return targets


def ticket_sla(ticket: Ticket | None, history: TicketHistory, config: Config, calendars: dict[str, Calendar], now: datetime) -> TicketSla | None:
    """One incident's clocks at ``now``; None if it had not landed by then.

    ``ticket`` is the working-tree file (its ``breach_reason`` and path); None
    for a ticket whose file was deleted on the branch, which is still reported
    (status ``deleted``), from its last landed version.
    """
    version = latest(history, now)
    steps = steps_of(history.versions, now)
    if version is None or not steps:
        return None
    fields = version.fields
    deleted = history.deleted if history.deleted is not None and history.deleted.landed_at <= now else None
    targets = final_clocks(history, config, calendars, now)
    reason = ticket.get("breach_reason") if ticket is not None else fields.get("breach_reason")
    return TicketSla(history.id, steps[-1].severity, "deleted" if deleted else steps[-1].status, _client(fields), targets,
                     ticket_start(history, now), ticket.path if ticket is not None else version.path,
                     reason if isinstance(reason, str) and reason.strip() else None, str(fields.get("title", "")), deleted)
