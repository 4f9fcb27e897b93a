"""SLA statistics: met/breached counts, compliance, MTTA/MTTR with median and p90, escalations, backlog throughput."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable
from zoneinfo import ZoneInfo

from gitdesk.history import TicketHistory
from gitdesk.sla.clocks import Clock, TargetName, TicketSla

if TYPE_CHECKING:
    from datetime import datetime

    from gitdesk.sla.engine import SlaReport


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


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


#: what the statistics need of one applicable clock: (state, stopped, at_risk, elapsed, total elapsed);
#: plain data, so the SLA cache keeps it without rebuilding Clock objects
Facts = tuple[str, bool, bool, int | None, int | None]
#: a ticket's severity and, per target in TargetName order, its facts (None: not applicable)
TicketFacts = tuple[str | None, tuple[Facts | None, ...]]


def facts(c: Clock) -> Facts | None:
    """The figures :func:`stats` reads from a clock; None when it does not apply."""
    if not c.applicable:
        return None
    return c.state.value, c.stopped, c.at_risk, c.elapsed_seconds, c.total_elapsed_seconds


def ticket_facts(t: TicketSla) -> TicketFacts:
    """:func:`facts` of each of the ticket's targets, with its severity."""
    return t.severity, tuple(facts(t.targets[name]) for name in TargetName)


def stats(clocks: Iterable[Clock], *, total: bool = False) -> Stats:
    """Counts and elapsed statistics; ``total`` sums all cycles (MTTR) instead of the latest."""
    return stats_of([f for f in map(facts, clocks) if f is not None], total=total)


def stats_of(found: Iterable[Facts], *, total: bool = False) -> Stats:
    """:func:`stats` over the clocks' :data:`Facts`."""
    met = breached = running = at_risk = 0
    values: list[float] = []
    for state, stopped, risk, elapsed, total_elapsed in found:
        met += state == "met"
        breached += state == "breached"
        running += not stopped
        at_risk += risk
        if stopped:
            values.append(float((total_elapsed if total else elapsed) or 0))
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
    return summarize_facts([ticket_facts(t) for t in tickets])


def summarize_facts(tickets: list[TicketFacts]) -> dict[str, dict[TargetName, Stats]]:
    """:func:`summarize` over the tickets' :data:`TicketFacts`."""
    groups: dict[str, list[tuple[Facts | None, ...]]] = {}
    for severity, targets in tickets:
        if severity:
            groups.setdefault(severity, []).append(targets)
    out: dict[str, dict[TargetName, Stats]] = {}
    for severity in sorted(groups):
        by_target = {}
        for index, name in enumerate(TargetName):
            found = [f for targets in groups[severity] if (f := targets[index]) is not None]
            if found:
                by_target[name] = stats_of(found, total=name is TargetName.RESOLUTION)
        if by_target:
            out[severity] = by_target
    return out


def combined_compliance(groups: Iterable[Stats]) -> float | None:
    """met / (met + breached) pooled over several Stats (None when nothing was decided)."""
    met = breached = 0
    for s in groups:
        met, breached = met + s.met, breached + s.breached
    return met / (met + breached) if met + breached else None


def compliance(report: SlaReport) -> float | None:
    """Overall compliance: met / (met + breached) over every target of every ticket."""
    return combined_compliance(s for by_target in report.by_severity.values() for s in by_target.values())


def tickets_compliance(tickets: list[TicketSla]) -> float | None:
    """Overall compliance of a group of tickets (what ``sla check`` holds against ``min_compliance``)."""
    return combined_compliance(s for by_target in summarize(tickets).values() for s in by_target.values())


def escalations(histories: Iterable[TicketHistory], now: datetime) -> dict[tuple[str, str], int]:
    """How often the support level changed, by (from, to), counting landed changes only."""
    return dict(Counter(pair for history in histories for pair in level_changes(history, now)))


def level_changes(history: TicketHistory, now: datetime) -> list[tuple[str, str]]:
    """One ticket's support level changes landed by ``now``, oldest first, as (from, to)."""
    out = []
    previous = None
    for version in history.versions:
        if version.commit.landed_at > now:
            break
        level = version.fields.get("level")
        if isinstance(level, str):
            if previous is not None and level != previous:
                out.append((previous, level))
            previous = level
    return out


def backlog_throughput(histories: Iterable[TicketHistory], zone: ZoneInfo, now: datetime) -> dict[str, int]:
    """Backlog items per month of the first landing that made them `done`."""
    counts: Counter[str] = Counter()
    for history in histories:
        done = next((v for v in history.versions if v.fields.get("status") == "done" and v.commit.landed_at <= now), None)
        if done is not None:
            counts[done.commit.landed_at.astimezone(zone).strftime("%Y-%m")] += 1
    return dict(counts)
