"""Business calendars: how many seconds of a span count towards an SLA target.

A calendar is weekly working hours in an IANA time zone, minus public holidays
(the ``holidays`` package) and ``extra_holidays``; ``always`` counts every
second. All arithmetic happens on UTC timestamps: subtracting two aware
datetimes that share a ``ZoneInfo`` is wall-clock arithmetic in Python and
would be an hour off across a daylight-saving change.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from gitdesk.config import ALWAYS, CalendarSpec, Config

_END_OF_DAY = time(23, 59, 59, 999999)  # how config spells "24:00"
_DAY = timedelta(days=1)


class Calendar:
    """Counts working seconds between instants on one :class:`CalendarSpec`."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self._always = spec.always
        self._zone = ZoneInfo(spec.timezone)
        self._extra = frozenset(spec.extra_holidays)
        self._public: Any = None
        if spec.holidays_country and not self._always:
            import holidays as holidays_lib  # imported lazily: it takes ~0.1 s

            self._public = holidays_lib.country_holidays(spec.holidays_country, subdiv=spec.holidays_subdiv)
        # per-instance cache of each local day's working spans as UTC timestamps
        self._spans = lru_cache(maxsize=8192)(self._day_spans)

    def is_holiday(self, day: date) -> bool:
        """True if ``day`` is a public or extra holiday (no working hours at all)."""
        return day in self._extra or (self._public is not None and day in self._public)

    def _day_spans(self, day: date) -> tuple[tuple[float, float], ...]:
        """The working spans of one local day as (start, end) UTC timestamps."""
        if self.is_holiday(day):
            return ()
        spans = []
        for start, end in self.spec.hours.get(day.weekday(), ()):
            t0 = datetime.combine(day, start, self._zone).timestamp()
            if end == _END_OF_DAY:
                t1 = datetime.combine(day + _DAY, time(0), self._zone).timestamp()
            else:
                t1 = datetime.combine(day, end, self._zone).timestamp()
            if t1 > t0:  # a span swallowed by a DST gap counts nothing
                spans.append((t0, t1))
        return tuple(spans)

    def _local_day(self, ts: float) -> date:
        return datetime.fromtimestamp(ts, self._zone).date()

    def working_seconds(self, start: datetime, end: datetime) -> int:
        """Counted seconds in [start, end), rounded to the second; 0 if end <= start."""
        return round(self.working_between(start.timestamp(), end.timestamp()))

    def working_between(self, t0: float, t1: float) -> float:
        """Counted seconds between two UTC timestamps (fractional)."""
        if t1 <= t0:
            return 0.0
        if self._always:
            return t1 - t0
        total = 0.0
        day = self._local_day(t0) - _DAY  # a span of the day before may run past midnight UTC
        last = self._local_day(t1)
        while day <= last:
            for s0, s1 in self._spans(day):
                lo, hi = max(s0, t0), min(s1, t1)
                if hi > lo:
                    total += hi - lo
            day += _DAY
        return total

    def add_working(self, start: datetime, seconds: float) -> datetime:
        """The instant at which ``seconds`` counted seconds from ``start`` are used up.

        The inverse of :meth:`working_seconds`: ``working_seconds(start,
        add_working(start, n)) == n``. With ``seconds <= 0`` it returns ``start``.
        """
        if seconds <= 0:
            return start
        t0 = start.timestamp()
        if self._always:
            return datetime.fromtimestamp(t0 + seconds, start.tzinfo)
        left = float(seconds)
        day = self._local_day(t0) - _DAY
        # 3660 days bounds the search: a calendar with hours always has some within ten years
        for _ in range(3660):
            for s0, s1 in self._spans(day):
                lo = max(s0, t0)
                if s1 <= lo:
                    continue
                if s1 - lo >= left:
                    return datetime.fromtimestamp(lo + left, start.tzinfo)
                left -= s1 - lo
            day += _DAY
        raise ValueError(f"calendar {self.name!r} has no working time within ten years of {start.isoformat()}")


def calendars_for(config: Config) -> dict[str, Calendar]:
    """One :class:`Calendar` per calendar of ``config``, plus the built-in ``always``."""
    return {name: Calendar(config.calendar(name)) for name in (*config.calendars, ALWAYS)}
