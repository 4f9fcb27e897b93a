"""Declared evidence: clocks of imported incidents whose history predates ``sla.since``.

An imported incident carries what its source declared (``imported.declared``:
``started_at``, ``resolved_at``, a ``timeline`` of steps). Before ``sla.since``
(the import's time) Git only shows when a status-page change was merged, not
when the incident happened, so those clocks use the declared times and say so
(:attr:`Evidence.DECLARED`). A declared stop that is missing falls back to Git
landings (:attr:`Evidence.GIT`). Everything that starts at or after ``since``,
a reopen included, is judged from Git as usual, and only that is held against
``sla check`` (:func:`judged_part`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

from gitdesk.config import Config
from gitdesk.history import TicketHistory
from gitdesk.model import IncidentStatus, parse_time
from gitdesk.sla.calendars import Calendar
from gitdesk.sla.clocks import NOT_APPLICABLE, Clock, Evidence, Judge, Step, TargetName, TicketSla, clock, latest, steps_of

#: timeline steps (any case) that say the impact was under control: they stop the mitigation clock
MITIGATING_STEPS = frozenset({"monitoring", "identified", "mitigated", "update"})
#: the status a declared stop stands for, so the Git clock rules read it as that target's stop
_STOP_STATUS = {
    TargetName.RESPONSE: IncidentStatus.INVESTIGATING.value,
    TargetName.MITIGATION: IncidentStatus.MITIGATED.value,
    TargetName.RESOLUTION: IncidentStatus.RESOLVED.value,
}


@dataclass(frozen=True)
class Declared:
    """What an imported incident's source declared, as times (unparseable values left out)."""

    started_at: datetime | None
    resolved_at: datetime | None
    #: (when, step name or None), oldest first
    timeline: tuple[tuple[datetime, str | None], ...]
    #: the source's own word ("resolved", "unresolved", ...), lower case
    status: str = ""

    @property
    def unresolved(self) -> bool:
        return self.status == "unresolved"


def declared_of(fields: Mapping[str, Any]) -> Declared | None:
    """The ``imported.declared`` block of a ticket's fields, or None when it was not imported."""
    imported = fields.get("imported")
    block = imported.get("declared") if isinstance(imported, dict) else None
    if not isinstance(block, dict):
        return None
    entries = block.get("timeline")
    timeline = []
    for entry in entries if isinstance(entries, list) else []:
        at = parse_time(entry.get("at")) if isinstance(entry, dict) else None
        if at is not None:
            step = entry.get("step")
            timeline.append((at, step if isinstance(step, str) else None))
    return Declared(parse_time(block.get("started_at")), parse_time(block.get("resolved_at")),
                    tuple(sorted(timeline, key=lambda e: e[0])), str(block.get("status", "")).lower())


def resolved_before(fields: Mapping[str, Any], since: datetime | None) -> bool:
    """Whether an imported ticket's source had resolved it before ``since`` (no postmortem is owed for it)."""
    declared = declared_of(fields)
    if since is None or declared is None:
        return False
    if declared.resolved_at is not None:
        return declared.resolved_at < since
    return declared.status in ("resolved", "closed")


def declared_stop(name: TargetName, declared: Declared, start: datetime) -> datetime | None:
    """When the source says clock ``name`` stopped (None: it does not say).

    Response: the first timeline entry at or after the start; mitigation: the
    first Monitoring/Identified/Mitigated/Update step; both else the resolution,
    and never after it. A resolution before the start, or of a post the source
    calls unresolved, is no stop.
    """
    resolved = declared.resolved_at if declared.resolved_at and declared.resolved_at >= start and not declared.unresolved else None
    entries = [(at, step) for at, step in declared.timeline if at >= start]
    if name is TargetName.RESPONSE:
        candidates = [at for at, _ in entries[:1]]
    elif name is TargetName.MITIGATION:
        candidates = [at for at, step in entries if step and step.strip().lower() in MITIGATING_STEPS][:1]
    else:
        candidates = []
    return min(candidates + ([resolved] if resolved else []), default=None)


def declared_sla(sla: TicketSla, history: TicketHistory, config: Config, calendars: dict[str, Calendar], now: datetime) -> TicketSla:
    """``sla`` with declared clocks when the ticket is imported and its clock starts before ``sla.since``.

    Otherwise ``sla`` unchanged. Withdrawn and out-of-scope tickets keep no targets.
    """
    version = latest(history, now)
    declared = declared_of(version.fields) if version else None
    policy = config.policy_for(sla.client)
    if declared is None or policy.since is None:
        return sla
    start = declared.started_at or history.first_landed
    if start >= policy.since or not any(c.applicable for c in sla.targets.values()):
        return sla
    steps = steps_of(history.versions, now)
    judge = Judge(policy, calendars, now)
    targets = {name: _clock(name, start, declared, steps, judge, policy.since) for name in TargetName}
    return replace(sla, targets=targets, started_at=start)


def _clock(name: TargetName, start: datetime, declared: Declared, steps: list[Step], judge: Judge, since: datetime) -> Clock:
    stop = declared_stop(name, declared, start)
    landed = clock(name, start, steps, judge)
    if stop is None or stop > judge.now:  # not declared (or not yet, as of now): the Git landings decide
        return landed
    if landed.applicable and landed.stopped_at is not None and landed.stopped_at < stop:
        # The source's change landed saying so before the time it declares (a post published already
        # "investigating" with no timeline entry, whose only declared stop is its resolution): what
        # the client was shown, and when, is the earlier evidence.
        return landed
    before = [s for s in steps if s.at < since] or steps
    later = [s for s in steps if s.at >= since and s.at > stop]
    whole = clock(name, start, [Step(stop, _STOP_STATUS[name], before[-1].severity)] + later, judge)
    # only resolution starts again, when the ticket is reopened on the branch after since
    reopened = next((s for s in later if not _resolved(s)), None) if name is TargetName.RESOLUTION else None
    if not whole.applicable or reopened is None:
        return replace(whole, evidence=Evidence.DECLARED) if whole.applicable else whole
    # the latest cycles are Git's, and only their breaches are judged
    since_reopen = clock(name, reopened.at, [s for s in later if s.at >= reopened.at], judge)
    return replace(whole, ever_breached=since_reopen.ever_breached, breach_started_at=since_reopen.breach_started_at)


def _resolved(step: Step) -> bool:
    status = IncidentStatus.parse(step.status)
    return status is not None and status.resolved


def judged_part(sla: TicketSla, since: datetime | None) -> TicketSla:
    """``sla`` with the clocks whose (latest) cycle started before ``since`` made not applicable.

    What ``sla check`` holds against a breach reason and ``min_compliance``:
    clocks that started before ``since`` are history, reported but not judged.
    """
    if since is None:
        return sla
    targets = {name: NOT_APPLICABLE if c.started_at is not None and c.started_at < since else _breaches_since(c, since)
               for name, c in sla.targets.items()}
    return replace(sla, targets=targets)


def _breaches_since(c: Clock, since: datetime) -> Clock:
    """``c`` without a breach of a cycle that started before ``since`` (a reopened ticket's first cycle, say): history too."""
    if c.ever_breached and not c.breached and c.breach_started_at is not None and c.breach_started_at < since:
        return replace(c, ever_breached=False, breach_started_at=None)
    return c


def declared_outage(fields: Mapping[str, Any], since: datetime | None, now: datetime) -> tuple[datetime, datetime] | None:
    """An imported incident's outage from its declared start to its declared resolution, when it started before ``since``.

    None when Git decides: not imported, no ``since``, started at or after it, or a declared time missing.
    """
    declared = declared_of(fields)
    if since is None or declared is None or declared.started_at is None or declared.resolved_at is None:
        return None
    if declared.started_at >= since or declared.unresolved or declared.resolved_at < declared.started_at:
        return None
    return declared.started_at, min(declared.resolved_at, now)
