"""Business calendars: how many seconds of a span count towards an SLA target.

A calendar is weekly working hours in an IANA time zone, minus public holidays
(the ``holidays`` package) and ``extra_holidays``; ``always`` counts every
second. All arithmetic happens on UTC timestamps: subtracting two aware
datetimes that share a ``ZoneInfo`` is wall-clock arithmetic in Python and
would be an hour off across a daylight-saving change.

Both directions cost O(log n) per call. A calendar keeps, for a range of local
years grown on demand, its working spans as sorted, disjoint UTC timestamps
and the prefix sums of their lengths; :meth:`Calendar.working_between` is two
bisections and :meth:`Calendar.add_working` two more. Span edges are whole
seconds and every sum is an integer, so the float arithmetic that remains
rounds the same real numbers as a day-by-day walk would: results are identical
to it, not merely close.
"""

from __future__ import annotations

import warnings
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil
from typing import Any
from zoneinfo import ZoneInfo

from gitdesk.config import ALWAYS, CalendarSpec, Config

_END_OF_DAY = time(23, 59, 59, 999999)  # how config spells "24:00"
_DAY = timedelta(days=1)
#: how far :meth:`Calendar.add_working` searches, in years of 366 days
REACH_YEARS = 10


class UnreachableTarget(ValueError):
    """A calendar cannot count ``seconds`` of working time within ``years`` of ``start``.

    Raised by :meth:`Calendar.add_working`. A configuration that can produce it
    (an empty week, a target too large for its calendar) is a config error:
    check it up front with :meth:`Calendar.reaches`.
    """

    def __init__(self, calendar: str, seconds: float, start: datetime, years: int) -> None:
        self.calendar = calendar
        self.seconds = seconds
        self.start = start
        self.years = years
        super().__init__(f"calendar {calendar!r} cannot count {seconds / 3600:g} working hours"
                         f" within {years} years of {start.isoformat()}")


@dataclass(frozen=True)
class _Table:
    """Working spans of local years ``first``..``last`` with the prefix sums of their lengths.

    ``starts`` and ``ends`` are sorted and disjoint (touching spans are merged);
    ``cum[i]`` is the working time of the spans before span ``i``.
    """

    first: int
    last: int
    starts: list[int]
    ends: list[int]
    cum: list[int]
    #: instants between which any ``t`` has its local day and both neighbours in the table
    lo: float
    hi: float


_EMPTY = _Table(0, -1, [], [], [0], float("inf"), float("-inf"))


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
        self._years: dict[int, list[tuple[int, int]]] = {}
        # replaced whole, never mutated: a reader always sees one consistent table
        self._table = _EMPTY

    def is_holiday(self, day: date) -> bool:
        """True if ``day`` is a public or extra holiday (no working hours at all)."""
        return day in self._extra or (self._public is not None and day in self._public)

    def has_hours(self) -> bool:
        """True if the weekly schedule has any working time at all (``always`` has)."""
        return self._always or any(end > start for spans in self.spec.hours.values() for start, end in spans)

    def _day_spans(self, day: date) -> list[tuple[int, int]]:
        """The working spans of one local working day as (start, end) UTC timestamps."""
        spans = []
        for start, end in self.spec.hours.get(day.weekday(), ()):
            t0 = int(datetime.combine(day, start, self._zone).timestamp())
            if end == _END_OF_DAY:
                t1 = int(datetime.combine(day + _DAY, time(0), self._zone).timestamp())
            else:
                t1 = int(datetime.combine(day, end, self._zone).timestamp())
            if t1 > t0:  # a span swallowed by a DST gap counts nothing
                spans.append((t0, t1))
        return spans

    def _holidays_in(self, year: int) -> set[date]:
        """Every holiday of ``year``: one set lookup a day instead of the library's slower ``in``."""
        days = {d for d in self._extra if d.year == year}
        if self._public is not None:
            # asking about one day makes the library compute its whole year, observed days included;
            # past its data (2035 for Spain) it warns and knows none, which only adds working time
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                _ = date(year, 1, 1) in self._public
            days.update(d for d in self._public if d.year == year)
        return days

    def _year_spans(self, year: int) -> list[tuple[int, int]]:
        spans = self._years.get(year)
        if spans is None:
            spans = []
            off = self._holidays_in(year)
            day, stop = date(year, 1, 1), date(year + 1, 1, 1)
            while day < stop:
                if day not in off:
                    spans += self._day_spans(day)
                day += _DAY
            self._years[year] = spans
        return spans

    def _midnight(self, day: date) -> float:
        return datetime.combine(day, time(0), self._zone).timestamp()

    def _local_day(self, ts: float) -> date:
        return datetime.fromtimestamp(ts, self._zone).date()

    def _build(self, first: int, last: int) -> _Table:
        """The table of years ``first``..``last``, installed as the calendar's table."""
        merged: list[list[int]] = []
        # a wall-clock span that ends inside a DST gap maps past the hour after it:
        # merging keeps each instant counted once
        for a, b in sorted(s for year in range(first, last + 1) for s in self._year_spans(year)):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        cum = [0]
        for a, b in merged:
            cum.append(cum[-1] + b - a)
        table = _Table(first, last, [a for a, _ in merged], [b for _, b in merged], cum,
                       self._midnight(date(first, 1, 2)), self._midnight(date(last, 12, 31)))
        self._table = table
        return table

    def _covering(self, t0: float, t1: float) -> _Table:
        """A table holding every span that can touch [t0, t1], with a day to spare each side."""
        table = self._table
        if table.lo <= t0 and t1 < table.hi:
            return table
        first = (self._local_day(t0) - _DAY).year
        last = (self._local_day(t1) + _DAY).year
        if table.first <= table.last:
            first, last = min(first, table.first), max(last, table.last)
        return self._build(first, last)

    def working_seconds(self, start: datetime, end: datetime) -> int:
        """Counted seconds in [start, end), rounded to the second; 0 if end <= start."""
        return round(self.working_between(start.timestamp(), end.timestamp()))

    def working_between(self, t0: float, t1: float) -> float:
        """Counted seconds between two UTC timestamps (fractional); 0 if t1 <= t0."""
        if t1 <= t0:
            return 0.0
        if self._always:
            return t1 - t0
        table = self._covering(t0, t1)
        ends, cum = table.ends, table.cum
        # working time up to t = cum[k] minus what span k-1 still has after t,
        # where k counts the spans that start at or before t
        k0 = bisect_right(table.starts, t0)
        k1 = bisect_right(table.starts, t1)
        over0 = max(ends[k0 - 1] - t0, 0) if k0 else 0
        over1 = max(ends[k1 - 1] - t1, 0) if k1 else 0
        return float(cum[k1] - cum[k0] - over1 + over0)

    def add_working(self, start: datetime, seconds: float) -> datetime:
        """The earliest instant at which ``seconds`` counted seconds from ``start`` are used up.

        The inverse of :meth:`working_seconds`: ``working_seconds(start,
        add_working(start, n)) == n``. With ``seconds <= 0`` it returns ``start``.
        Raises :class:`UnreachableTarget` when the calendar has not that much
        working time within ten years (``always`` never raises).
        """
        if seconds <= 0:
            return start
        t0 = start.timestamp()
        if self._always:
            return datetime.fromtimestamp(t0 + seconds, start.tzinfo)
        due = self._due(t0, float(seconds), REACH_YEARS)
        if due is None:
            raise UnreachableTarget(self.name, seconds, start, REACH_YEARS)
        return datetime.fromtimestamp(due, start.tzinfo)

    def reaches(self, seconds: float, *, start: datetime, within_years: int = REACH_YEARS) -> bool:
        """True if ``seconds`` of working time accumulate within ``within_years`` of ``start``.

        A target on a calendar for which this is False cannot work: an empty
        week never reaches anything, one minute a week never reaches 99999 h.
        With the default, True means :meth:`add_working` from ``start`` returns
        rather than raising :class:`UnreachableTarget`. The ``always`` calendar
        reaches whatever fits in the window.
        """
        if seconds <= 0:
            return True
        if not self.has_hours():
            return False
        t0 = start.timestamp()
        if self._always:
            return seconds <= self._window_end(t0, within_years) - t0
        return self._due(t0, float(seconds), within_years) is not None

    def _window_end(self, t0: float, years: int) -> float:
        # the day-by-day walk this replaces looked at 366 days a year from the day before t0
        return self._midnight(self._local_day(t0) + timedelta(days=366 * years - 1))

    def _due(self, t0: float, left: float, years: int) -> float | None:
        """The UTC timestamp at which ``left`` working seconds after ``t0`` are used up, or None past the window."""
        # the window's end costs two zone conversions; a due time well inside it needs neither
        surely_inside = t0 + (366 * years - 3) * 86400
        table = self._covering(t0, t0)
        while True:
            starts, ends, cum = table.starts, table.ends, table.cum
            k = bisect_right(ends, t0)  # the first span that still has time after t0
            if k < len(starts):
                lo = max(starts[k], t0)
                if ends[k] - lo >= left:
                    return self._within(lo, left, surely_inside, t0, years)
                rest = left - (ends[k] - lo)
                # cum holds integers: comparing with ceil(rest) is exact where adding rest would round
                j = bisect_left(cum, cum[k + 1] + ceil(rest), k + 2)
                if j < len(cum):
                    return self._within(starts[j - 1], rest - (cum[j - 1] - cum[k + 1]), surely_inside, t0, years)
            last_year = self._local_day(self._window_end(t0, years)).year
            if table.last > last_year:
                return None
            # double the years held, so that a long search rebuilds the table O(log n) times
            table = self._build(table.first, min(last_year + 1, table.last + table.last - table.first + 1))

    def _within(self, lo: float, rest: float, surely_inside: float, t0: float, years: int) -> float | None:
        """``lo + rest`` if that instant lies in the search window of ``t0``, else None."""
        if rest <= surely_inside - lo:
            return lo + rest
        return lo + rest if rest <= self._window_end(t0, years) - lo else None


def calendars_for(config: Config) -> dict[str, Calendar]:
    """One :class:`Calendar` per calendar of ``config``, plus the built-in ``always``."""
    return {name: Calendar(config.calendar(name)) for name in (*config.calendars, ALWAYS)}
