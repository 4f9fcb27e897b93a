"""Calendars by property: the bisecting calendar against the day-by-day walk it replaced.

``ReferenceCalendar`` is the implementation gitdesk shipped before prefix sums
(``generator/sla/calendars.py`` at ce33d57), kept verbatim apart from its name:
the new one must give the same seconds and the same instants, to the bit,
across daylight-saving changes, 30-minute offsets, public and extra holidays.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gitdesk.config import CalendarSpec, Config
from gitdesk.sla.calendars import Calendar, UnreachableTarget

#: the reference asks the holidays package about years past its data (it warns, then knows none)
pytestmark = pytest.mark.filterwarnings("ignore:Requested Holidays:UserWarning")

_END_OF_DAY = time(23, 59, 59, 999999)
_DAY = timedelta(days=1)


class ReferenceCalendar:
    """The day-by-day calendar as it was: O(days spanned) per call."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self._always = spec.always
        self._zone = ZoneInfo(spec.timezone)
        self._extra = frozenset(spec.extra_holidays)
        self._public: Any = None
        if spec.holidays_country and not self._always:
            import holidays as holidays_lib

            self._public = holidays_lib.country_holidays(spec.holidays_country, subdiv=spec.holidays_subdiv)
        self._spans = lru_cache(maxsize=8192)(self._day_spans)

    def is_holiday(self, day: date) -> bool:
        return day in self._extra or (self._public is not None and day in self._public)

    def _day_spans(self, day: date) -> tuple[tuple[float, float], ...]:
        if self.is_holiday(day):
            return ()
        spans = []
        for start, end in self.spec.hours.get(day.weekday(), ()):
            t0 = datetime.combine(day, start, self._zone).timestamp()
            if end == _END_OF_DAY:
                t1 = datetime.combine(day + _DAY, time(0), self._zone).timestamp()
            else:
                t1 = datetime.combine(day, end, self._zone).timestamp()
            if t1 > t0:
                spans.append((t0, t1))
        return tuple(spans)

    def _local_day(self, ts: float) -> date:
        return datetime.fromtimestamp(ts, self._zone).date()

    def working_seconds(self, start: datetime, end: datetime) -> int:
        return round(self.working_between(start.timestamp(), end.timestamp()))

    def working_between(self, t0: float, t1: float) -> float:
        if t1 <= t0:
            return 0.0
        if self._always:
            return t1 - t0
        total = 0.0
        day = self._local_day(t0) - _DAY
        last = self._local_day(t1)
        while day <= last:
            for s0, s1 in self._spans(day):
                lo, hi = max(s0, t0), min(s1, t1)
                if hi > lo:
                    total += hi - lo
            day += _DAY
        return total

    def add_working(self, start: datetime, seconds: float) -> datetime:
        if seconds <= 0:
            return start
        t0 = start.timestamp()
        if self._always:
            return datetime.fromtimestamp(t0 + seconds, start.tzinfo)
        left = float(seconds)
        day = self._local_day(t0) - _DAY
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


# ---------------------------------------------------------------- strategies

#: DST both ways, a 30-minute offset with DST, a 30-minute DST shift, no DST at all
ZONES = ["Europe/Madrid", "America/New_York", "Australia/Adelaide", "Australia/Lord_Howe", "Asia/Kolkata"]
HOLIDAYS = [(None, None), ("ES", "MD"), ("US", "NY"), ("AU", "SA"), ("IN", None)]
WORKDAY = ((time(9), time(14)), (time(15), time(18)))
SCHEDULES: dict[str, dict[int, tuple[tuple[time, time], ...]]] = {
    "business": {d: WORKDAY for d in range(5)},
    "round the clock": {d: ((time(0), _END_OF_DAY),) for d in range(7)},
    # wall-clock hours that fall into the spring gap or repeat in the autumn fold
    "night shift": {d: ((time(1), time(2, 30)), (time(2, 45), time(4))) for d in range(7)},
    "one minute a week": {2: ((time(10), time(10, 1)),)},
}
LOW, HIGH = datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2029, 1, 1, tzinfo=timezone.utc)


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    """Sorted, disjoint spans of one day on a 15-minute grid, "24:00" included."""
    marks = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
    spans = []
    for a, b in zip(marks[::2], marks[1::2]):
        spans.append((time(a // 4, a % 4 * 15), _END_OF_DAY if b == 96 else time(b // 4, b % 4 * 15)))
    return tuple(spans)


@st.composite
def specs(draw: st.DrawFn) -> CalendarSpec:
    zone = draw(st.sampled_from(ZONES))
    country, subdiv = draw(st.sampled_from(HOLIDAYS))
    extra = tuple(draw(st.lists(st.dates(date(2025, 1, 1), date(2028, 12, 31)), max_size=8)))
    named = st.sampled_from(sorted(SCHEDULES)).map(SCHEDULES.__getitem__)
    drawn = st.dictionaries(st.integers(0, 6), day_hours(), min_size=1).map(lambda h: {d: s for d, s in h.items() if s})
    hours = draw(st.one_of(named, drawn))
    return CalendarSpec("drawn", zone, hours, country, subdiv, extra)


@lru_cache(maxsize=None)
def _transitions(zone: str) -> tuple[datetime, ...]:
    """The instants at which ``zone``'s UTC offset changes between LOW and HIGH (to the hour)."""
    tz = ZoneInfo(zone)
    found, t = [], LOW
    while t < HIGH:
        if (t + _DAY).astimezone(tz).utcoffset() != t.astimezone(tz).utcoffset():
            hour = t
            while (hour + timedelta(hours=1)).astimezone(tz).utcoffset() == t.astimezone(tz).utcoffset():
                hour += timedelta(hours=1)
            found.append(hour + timedelta(hours=1))
        t += _DAY
    return tuple(found)


def instants(zone: str) -> st.SearchStrategy[datetime]:
    """Aware instants in 2025–2028, half of them within a day of one of ``zone``'s offset changes."""
    anywhere = st.datetimes(LOW.replace(tzinfo=None), HIGH.replace(tzinfo=None), timezones=st.just(timezone.utc))
    near = st.tuples(st.sampled_from(_transitions(zone) or (LOW,)), st.integers(-86400_000000, 86400_000000)).map(
        lambda p: p[0] + timedelta(microseconds=p[1]))
    whole = st.one_of(anywhere, near)
    # whole seconds, or quarter hours where spans start and end: ties get exercised
    grid = whole.map(lambda t: t.replace(minute=t.minute // 15 * 15, second=0, microsecond=0))
    return st.one_of(whole, whole.map(lambda t: t.replace(microsecond=0)), grid).map(
        lambda t: t.astimezone(ZoneInfo(zone)))


def later(t: datetime, delta: timedelta) -> datetime:
    """``t + delta`` in elapsed time (aware arithmetic in one zone is wall-clock time and drops ``fold``)."""
    return (t.astimezone(timezone.utc) + delta).astimezone(t.tzinfo)


def spans_from(start: datetime) -> st.SearchStrategy[datetime]:
    """An instant after ``start``: minutes, days or a year and more later."""
    return st.one_of(st.floats(0, 3600), st.floats(0, 40 * 86400), st.floats(0, 500 * 86400)).map(
        lambda s: later(start, timedelta(seconds=s)))


def amounts() -> st.SearchStrategy[float]:
    """Working seconds to add: quarter hours, whole seconds or any float, up to 3,000 hours."""
    return st.one_of(whole_amounts().map(float), st.floats(0, 3000 * 3600))


def whole_amounts() -> st.SearchStrategy[int]:
    """Whole working seconds, up to 3,000 hours, often whole quarter hours (a span's end is hit exactly)."""
    quarters = st.one_of(st.integers(1, 48), st.integers(1, 3000 * 4)).map(lambda q: q * 900)
    return st.one_of(st.integers(1, 3000 * 3600), quarters)


def worked_until(calendar: Calendar | ReferenceCalendar, start: datetime) -> st.SearchStrategy[float]:
    """The working time from ``start`` to a quarter hour up to 60 days on: its due time often ends a span exactly."""
    return st.integers(0, 4 * 24 * 60).map(
        lambda q: calendar.working_between(start.timestamp(), later(start, timedelta(minutes=15 * q)).timestamp()))


def double_counts(ref: ReferenceCalendar, first: date, last: date) -> bool:
    """True if the old walk counted some instant twice between these days (see test_gap_is_counted_once)."""
    spans = []
    day = first - _DAY
    while day <= last + _DAY:
        spans += ref._spans(day)
        day += _DAY
    return any(b[0] < a[1] for a, b in zip(spans, spans[1:]))


PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- equivalence

@PROPS
@given(data=st.data(), spec=specs())
def test_working_between_matches_the_reference(data: st.DataObject, spec: CalendarSpec) -> None:
    new, old = Calendar(spec), ReferenceCalendar(spec)
    for _ in range(4):  # several calls per calendar: the table grows and is reused
        a = data.draw(instants(spec.timezone))
        b = data.draw(spans_from(a))
        assume(not double_counts(old, a.date(), b.date()))
        assert new.working_between(a.timestamp(), b.timestamp()) == old.working_between(a.timestamp(), b.timestamp())
        assert new.working_seconds(a, b) == old.working_seconds(a, b)
        assert new.working_seconds(b, a) == 0


@PROPS
@given(data=st.data(), spec=specs())
def test_add_working_matches_the_reference(data: st.DataObject, spec: CalendarSpec) -> None:
    new, old = Calendar(spec), ReferenceCalendar(spec)
    for _ in range(3):
        start = data.draw(instants(spec.timezone))
        seconds = data.draw(st.one_of(amounts(), worked_until(old, start)))
        try:
            expected = old.add_working(start, seconds)
        except ValueError:
            with pytest.raises(UnreachableTarget):
                new.add_working(start, seconds)
            continue
        assume(not double_counts(old, start.date(), expected.date()))
        due = new.add_working(start, seconds)
        assert due == expected
        assert due.utcoffset() == expected.utcoffset()


@settings(max_examples=60, deadline=None)
@given(data=st.data(), zone=st.sampled_from(ZONES))
def test_always_matches_the_reference(data: st.DataObject, zone: str) -> None:
    spec = Config("t").calendar("always")
    new, old = Calendar(spec), ReferenceCalendar(spec)
    a = data.draw(instants(zone))
    b = data.draw(spans_from(a))
    assert new.working_between(a.timestamp(), b.timestamp()) == old.working_between(a.timestamp(), b.timestamp())
    seconds = data.draw(amounts())
    assert new.add_working(a, seconds) == old.add_working(a, seconds)


def test_gap_is_counted_once() -> None:
    """The one deliberate difference: a wall-clock span ending inside the spring gap.

    02:30 does not exist in Madrid on 2026-03-29; Python reads it as 03:30, so
    the old walk counted 03:00–03:30 twice (5.5 h for a 5-hour night).
    """
    spec = CalendarSpec("night", "Europe/Madrid", {6: ((time(0), time(2, 30)), (time(3), time(6)))})
    night = (datetime(2026, 3, 28, 23, 0, tzinfo=timezone.utc), datetime(2026, 3, 29, 12, 0, tzinfo=timezone.utc))
    assert ReferenceCalendar(spec).working_seconds(*night) == 5.5 * 3600
    assert Calendar(spec).working_seconds(*night) == 5 * 3600


# ---------------------------------------------------------------- properties (issue 9 item 5)

@PROPS
@given(data=st.data(), spec=specs())
def test_working_time_is_additive(data: st.DataObject, spec: CalendarSpec) -> None:
    calendar = Calendar(spec)
    a = data.draw(instants(spec.timezone))
    b = data.draw(spans_from(a))
    c = data.draw(spans_from(b))
    ta, tb, tc = a.timestamp(), b.timestamp(), c.timestamp()
    assert calendar.working_between(ta, tb) + calendar.working_between(tb, tc) == calendar.working_between(ta, tc)


@PROPS
@given(data=st.data(), spec=specs())
def test_add_working_is_the_exact_inverse(data: st.DataObject, spec: CalendarSpec) -> None:
    calendar = Calendar(spec)
    start = data.draw(instants(spec.timezone)).replace(microsecond=0)
    seconds = data.draw(st.one_of(whole_amounts(), worked_until(calendar, start).map(round)))
    assume(seconds > 0)
    try:
        due = calendar.add_working(start, seconds)
    except UnreachableTarget:
        assert not calendar.reaches(seconds, start=start)
        return
    assert calendar.reaches(seconds, start=start)
    assert calendar.working_between(start.timestamp(), due.timestamp()) == seconds
    assert calendar.working_seconds(start, due) == seconds
    # the earliest such instant: a microsecond sooner, the target is not yet used up
    assert calendar.working_between(start.timestamp(), later(due, -timedelta(microseconds=1)).timestamp()) < seconds


@PROPS
@given(data=st.data(), spec=specs())
def test_add_working_inverts_fractional_starts_to_the_second(data: st.DataObject, spec: CalendarSpec) -> None:
    calendar = Calendar(spec)
    start = data.draw(instants(spec.timezone))
    seconds = data.draw(whole_amounts())
    assume(calendar.reaches(seconds, start=start))
    assert calendar.working_seconds(start, calendar.add_working(start, seconds)) == seconds
