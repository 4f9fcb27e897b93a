"""Uptime per component: outage, degraded and announced-maintenance time, the error budget, and the per-day series.

Uptime counts from when there is evidence (the desk's first landed record,
:meth:`gitdesk.history.History.first_day`), or from a component's own ``since``
in gitdesk.yml: a window reaching further back is measured from there, and days
before it are :attr:`DayImpact.NO_DATA`, never invented perfect days. Computed
once, here: the site only draws :attr:`SlaReport.days` beside the percentages
from :attr:`SlaReport.uptime`, so a bar and its number always agree, and the
monthly report quotes :attr:`Availability.months` as ``sla`` does.
An incident or late-announced window that names no component is service-wide:
it counts against every component.
"""

from __future__ import annotations

import bisect

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from gitdesk.config import UptimePolicy
from gitdesk.history import TicketHistory
from gitdesk.model import IncidentStatus, maintenance_withdrawn, parse_time
from gitdesk.sla.clocks import latest, steps_of
from gitdesk.sla.declared import declared_outage

#: how many days the per-day series covers (the status page's bars)
SERIES_DAYS = 90

Interval = tuple[float, float]


class DayImpact(enum.StrEnum):
    """The worst thing that happened to a component on one day."""

    NONE = "none"
    DEGRADED = "degraded"
    OUTAGE = "outage"
    #: before the evidence begins: nothing is known, so nothing is claimed
    NO_DATA = "no_data"


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
    #: when the measurement starts, if later than the window's start (the desk did not exist yet)
    since: datetime | None = None
    #: the span measured: ``uptime = 1 − outage / (end − start)``
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Day:
    """One local day of one component: its worst impact, how long each impact lasted, and the records behind them."""

    day: str
    impact: DayImpact
    outage_seconds: int = 0
    degraded_seconds: int = 0
    #: ids of the incidents (and late-announced windows) whose impact touched the component that day
    records: tuple[str, ...] = ()


@dataclass(frozen=True)
class Availability:
    """Uptime per component and window, per calendar month, and per component the day-by-day impact, oldest day first."""

    uptime: dict[str, dict[int, Uptime]]
    days: dict[str, list[tuple[str, DayImpact]]]
    #: "YYYY-MM" (service time zone) -> component -> that month's uptime, from the component's start to ``now`` at most
    months: dict[str, dict[str, Uptime]] = field(default_factory=dict)
    #: the same days as ``days`` with their durations and records (the status page's bar tooltips)
    series: dict[str, list[Day]] = field(default_factory=dict)


def _union(spans: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for lo, hi in sorted(s for s in spans if s[1] > s[0]):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _minus(spans: list[Interval], holes: list[Interval]) -> list[Interval]:
    if holes and all(h0 < h1 for h0, h1 in holes) and all(a[1] <= b[0] for a, b in zip(holes, holes[1:])):
        return _minus_sorted(spans, holes)
    out = []
    for lo, hi in spans:
        pieces = [(lo, hi)]
        for h0, h1 in holes:
            pieces = [p for a, b in pieces for p in ((a, min(b, h0)), (max(a, h1), b)) if p[1] > p[0]]
        out.extend(pieces)
    return out


def _minus_sorted(spans: list[Interval], holes: list[Interval]) -> list[Interval]:
    """:func:`_minus` for sorted, disjoint, non-empty ``holes``: each span meets only the run of holes bisection finds."""
    ends = [h1 for _, h1 in holes]
    out = []
    for lo, hi in spans:
        k = bisect.bisect_right(ends, lo)
        while k < len(holes) and holes[k][0] < hi and lo < hi:
            if holes[k][0] > lo:
                out.append((lo, holes[k][0]))
            lo = max(lo, holes[k][1])
            k += 1
        if hi > lo:
            out.append((lo, hi))
    return out


def _measure(spans: Iterable[Interval], lo: float, hi: float) -> float:
    return sum(max(0.0, min(b, hi) - max(a, lo)) for a, b in spans)


def _overlapping(spans: list[Interval], lo: float, hi: float) -> list[Interval]:
    """The spans that overlap [lo, hi]: :func:`_measure` within it is the same on them as on all."""
    return [span for span in spans if min(span[1], hi) > max(span[0], lo)]


@dataclass
class _Impacts:
    outage: dict[str, list[Interval]] = field(default_factory=dict)
    degraded: dict[str, list[Interval]] = field(default_factory=dict)
    maintenance: dict[str, list[Interval]] = field(default_factory=dict)
    #: component -> earliest start of an outage or degradation that names it (not a service-wide one)
    named: dict[str, float] = field(default_factory=dict)
    #: component -> (record id, span) of every impact added
    sources: dict[str, list[tuple[str, Interval]]] = field(default_factory=dict)

    def add(self, impact: Any, components: list[str], span: Interval, source: str, *, named: bool = False) -> None:
        target = self.outage if impact == "outage" else self.degraded if impact == "degraded" else None
        if target is not None:
            for component in components:
                target.setdefault(component, []).append(span)
                self.sources.setdefault(component, []).append((source, span))
                if named:
                    self.named[component] = min(self.named.get(component, span[0]), span[0])

    def earliest(self) -> float | None:
        """When the first outage or degradation began, whatever it names."""
        return min((lo for spans in (self.outage, self.degraded) for found in spans.values() for lo, _ in found), default=None)

    def spans(self, component: str) -> tuple[list[Interval], list[Interval], list[Interval]]:
        """(outage, degraded, maintenance) of one component: disjoint, maintenance first, then outage."""
        maintenance = _union(self.maintenance.get(component, []))
        outage = _minus(_union(self.outage.get(component, [])), maintenance)
        degraded = _minus(_minus(_union(self.degraded.get(component, [])), maintenance), outage)
        return outage, degraded, maintenance


def _listed(fields: Any) -> list[str]:
    value = fields.get("components")
    return [c for c in value if isinstance(c, str)] if isinstance(value, list) else []


def affected_components(fields: Any, all_components: list[str]) -> list[str]:
    """The known components a record names; none named means the whole service."""
    listed = _listed(fields)
    return [c for c in listed if c in all_components] or ([] if listed else all_components)


#: one incident's impact on uptime: (impact, its ``components`` field, outage start, outage end as timestamps, incident id)
Outage = tuple[Any, Any, float, float, str]


def incident_outage(history: TicketHistory, start: datetime, now: datetime, since: datetime | None = None) -> Outage | None:
    """What an incident takes from uptime at ``now``: from ``started_at`` (else ``start``) to its first mitigated landing (else ``now``).

    None for an incident withdrawn or not landed by ``now``. ``since`` is
    ``sla.since``: imported incidents before it use their declared times.
    """
    version = latest(history, now)
    status = IncidentStatus.parse(version.fields.get("status")) if version else None
    if version is None or (status is not None and status.withdrawn):
        return None
    began = parse_time(version.fields.get("started_at")) or start
    ended = next((s.at for s in steps_of(history.versions, now)
                  if (parsed := IncidentStatus.parse(s.status)) is not None and parsed.mitigated), now)
    began, ended = declared_outage(version.fields, since, now) or (began, ended)
    return version.fields.get("impact"), version.fields.get("components"), began.timestamp(), ended.timestamp(), history.id


def _impacts(outages: Iterable[Outage | None], windows: list[TicketHistory], components: list[str],
             notice: int, now: datetime) -> _Impacts:
    impacts = _Impacts()
    for outage in outages:
        if outage is not None:
            impact, listed, began, ended, source = outage
            fields = {"components": listed}
            impacts.add(impact, affected_components(fields, components), (began, ended), source, named=bool(_listed(fields)))
    for history in windows:
        version = latest(history, now)
        if version is None or maintenance_withdrawn(version.fields.get("status")):
            continue
        starts, ends = parse_time(version.fields.get("starts_at")), parse_time(version.fields.get("ends_at"))
        if starts is None or ends is None:
            continue
        span = (starts.timestamp(), min(ends, now).timestamp())
        announced = history.declared_by("starts_at")
        affected = affected_components(version.fields, components)
        if announced is not None and announced.commit.landed_at <= starts - timedelta(seconds=notice):
            for component in affected:
                impacts.maintenance.setdefault(component, []).append(span)
        else:  # announced too late: its impact counts like an incident's
            impacts.add(version.fields.get("impact"), affected, span, history.id, named=bool(_listed(version.fields)))
    return impacts


def _figures(component: str, spans: tuple[list[Interval], list[Interval], list[Interval]], lo: float, hi: float, *,
             target: float, days: int, zone: ZoneInfo) -> Uptime:
    """One component's figures over [lo, hi) (seconds since the epoch; hi > lo)."""
    outage, degraded, maintenance = spans
    seconds = hi - lo
    down = round(_measure(outage, lo, hi))
    budget = round((1 - target / 100) * seconds)
    return Uptime(component, days, 1 - down / seconds, down, round(_measure(degraded, lo, hi)), round(_measure(maintenance, lo, hi)),
                  budget, budget - down, target, start=datetime.fromtimestamp(lo, zone), end=datetime.fromtimestamp(hi, zone))


def _uptime(impacts: _Impacts, components: list[str], target: float, windows: Iterable[int], zone: ZoneInfo, now: datetime,
            starts: dict[str, datetime | None]) -> dict[str, dict[int, Uptime]]:
    out: dict[str, dict[int, Uptime]] = {}
    hi = now.timestamp()
    for component in components:
        spans = impacts.spans(component)
        since = starts.get(component)
        out[component] = {}
        for days in windows:
            lo = max(hi - days * 86400, since.timestamp() if since is not None else float("-inf"))
            if hi - lo <= 0:
                continue
            found = _figures(component, spans, lo, hi, target=target, days=days, zone=zone)
            out[component][days] = replace(found, since=since if lo > hi - days * 86400 else None)
    return out


def _month_edges(zone: ZoneInfo, first: datetime, now: datetime) -> list[tuple[str, float, float]]:
    """("YYYY-MM", start, end) of each local calendar month from ``first``'s to ``now``'s, as timestamps."""
    month = first.astimezone(zone).date().replace(day=1)
    last = now.astimezone(zone).date().replace(day=1)
    out = []
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        out.append((f"{month:%Y-%m}", datetime.combine(month, time(0), zone).timestamp(),
                    datetime.combine(following, time(0), zone).timestamp()))
        month = following
    return out


def _months(impacts: _Impacts, components: list[str], target: float, zone: ZoneInfo, now: datetime,
            starts: dict[str, datetime | None]) -> dict[str, dict[str, Uptime]]:
    known = [s for s in (starts.get(c) for c in components) if s is not None]
    if not known:  # no evidence at all: no month to report
        return {}
    out: dict[str, dict[str, Uptime]] = {}
    spans = {component: impacts.spans(component) for component in components}  # once, not once a month
    for month, month_lo, month_hi in _month_edges(zone, min(known), now):
        for component in components:
            since = starts.get(component)
            lo = max(month_lo, since.timestamp()) if since is not None else month_lo
            hi = min(month_hi, now.timestamp())
            if hi > lo:
                days = round((month_hi - month_lo) / 86400)
                out.setdefault(month, {})[component] = _figures(component, spans[component], lo, hi, target=target,
                                                                 days=days, zone=zone)
    return out


def _days(impacts: _Impacts, components: list[str], zone: ZoneInfo, now: datetime, days: int,
          starts: dict[str, datetime | None]) -> dict[str, list[Day]]:
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    # local midnights, so a day is the client's calendar day across daylight-saving changes
    edges = [datetime.combine(first + timedelta(days=i), time(0), zone).timestamp() for i in range(days + 1)]
    out: dict[str, list[Day]] = {}
    for component in components:
        since = starts.get(component)
        begins = since.timestamp() if since is not None else float("-inf")
        # only what overlaps the series can touch one of its days: of 10,000 incidents, a few dozen
        series_lo, series_hi = edges[0], min(edges[-1], now.timestamp())
        outage, degraded, _ = impacts.spans(component)
        outage, degraded = _overlapping(outage, series_lo, series_hi), _overlapping(degraded, series_lo, series_hi)
        sources = [(source, span) for source, span in impacts.sources.get(component, [])
                   if _overlapping([span], series_lo, series_hi)]
        series = []
        for index in range(days):
            lo, hi = max(edges[index], begins), min(edges[index + 1], now.timestamp())
            day = str(first + timedelta(days=index))
            if lo >= hi:
                series.append(Day(day, DayImpact.NO_DATA))
                continue
            down, slow = _measure(outage, lo, hi), _measure(degraded, lo, hi)
            state = DayImpact.OUTAGE if down > 0 else DayImpact.DEGRADED if slow > 0 else DayImpact.NONE
            records = sorted({source for source, span in sources if _measure([span], lo, hi) > 0})
            series.append(Day(day, state, round(down), round(slow), tuple(records)))
        out[component] = series
    return out


def component_starts(impacts_first: float | None, named: dict[str, float], components: list[str], *,
                     first_day: datetime | None, since: dict[str, datetime]) -> dict[str, datetime | None]:
    """When each component's uptime starts counting.

    A component with its own ``since`` (gitdesk.yml) starts there, the others
    at the desk's ``first_day``. Evidence only moves a start earlier, never
    later: an outage or degradation that began before the start moves it back
    to that moment; for a component with ``since`` only one that names it
    (a service-wide one says nothing about a component that did not exist yet).
    ``first_day`` None and no ``since`` means whole windows (None).
    """
    out: dict[str, datetime | None] = {}
    for component in components:
        own = since.get(component)
        start = own if own is not None else first_day
        if start is None:
            out[component] = None
            continue
        earlier = named.get(component) if own is not None else impacts_first
        out[component] = start if earlier is None else min(start, datetime.fromtimestamp(earlier, start.tzinfo))
    return out


def availability(incidents: list[tuple[TicketHistory, datetime]], windows: list[TicketHistory], components: list[str], *,
                 policy: UptimePolicy, zone: ZoneInfo, now: datetime, days: int = SERIES_DAYS,
                 first_day: datetime | None = None, declared_before: datetime | None = None,
                 since: dict[str, datetime] | None = None) -> Availability:
    """Uptime per component and window and per calendar month, and the last ``days`` local days' worst impact per component.

    All count from each component's start (:func:`component_starts`): its own
    ``since`` from ``since``, else ``first_day``, when the desk's evidence
    begins. A window is measured from there (absent when the start is ``now``
    or later: no figure rather than 100 %), earlier days are
    :attr:`DayImpact.NO_DATA`, and a month is measured from the start to the
    month's end or ``now``, whichever comes first (months before the start
    are absent). ``first_day`` None measures whole windows.

    ``incidents`` pairs each incident's history with its SLA start (the outage
    starts at ``started_at``, else there, and ends at the first mitigated
    landing, else ``now``); ``windows`` are maintenance histories: announced at
    least ``policy.notice`` ahead they are maintenance, later they count as impact.
    Imported incidents that started before ``declared_before`` (``sla.since``) run
    from their declared start to their declared resolution instead
    (:func:`~gitdesk.sla.declared.declared_outage`).
    """
    outages = [incident_outage(history, start, now, declared_before) for history, start in incidents]
    return availability_of(outages, windows, components, policy=policy, zone=zone, now=now, days=days, first_day=first_day,
                           since=since)


def availability_of(outages: Iterable[Outage | None], windows: list[TicketHistory], components: list[str], *,
                    policy: UptimePolicy, zone: ZoneInfo, now: datetime, days: int = SERIES_DAYS,
                    first_day: datetime | None = None, since: dict[str, datetime] | None = None) -> Availability:
    """:func:`availability` from each incident's :func:`incident_outage` (what the SLA cache keeps)."""
    impacts = _impacts(outages, windows, components, policy.notice, now)
    starts = component_starts(impacts.earliest(), impacts.named, components, first_day=first_day, since=since or {})
    series = _days(impacts, components, zone, now, days, starts)
    return Availability(_uptime(impacts, components, policy.target, policy.windows, zone, now, starts),
                        {component: [(d.day, d.impact) for d in found] for component, found in series.items()},
                        _months(impacts, components, policy.target, zone, now, starts), series)
