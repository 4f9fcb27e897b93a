"""SLA statistics: met/breached counts, compliance, MTTA/MTTR with median and p90, escalations, backlog throughput."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable
from zoneinfo import ZoneInfo

from gitdesk.history import TicketHistory
from gitdesk.sla.clocks import Clock, ClockState, TargetName, TicketSla

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
