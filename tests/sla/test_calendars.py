"""Business calendars: weekends, lunch, holidays and daylight saving, in both directions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from gitdesk.sla.calendars import Calendar
from gitdesk.config import CalendarSpec, Config

MADRID = ZoneInfo("Europe/Madrid")
WORKDAY = ((time(9), time(14)), (time(15), time(18)))
BUSINESS = Calendar(CalendarSpec("business", "Europe/Madrid", {d: WORKDAY for d in range(5)}, "ES", "MD", (date(2026, 12, 24),)))
ALWAYS = Calendar(Config("t").calendar("always"))
#: every day, all day, on local time: shows what DST does to a business calendar
ROUND_CLOCK = Calendar(CalendarSpec("night", "Europe/Madrid", {d: ((time(0), time(23, 59, 59, 999999)),) for d in range(7)}))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MADRID)


@pytest.mark.parametrize("start, end, hours", [
    ("2026-03-02 13:30", "2026-03-02 15:30", 1.0),      # lunch break
    ("2026-03-06 17:00", "2026-03-09 10:00", 2.0),      # weekend
    ("2026-01-05 17:00", "2026-01-07 10:00", 2.0),      # Epiphany (holidays package)
    ("2026-12-23 17:00", "2026-12-28 10:00", 2.0),      # extra holiday, Christmas, weekend
    ("2026-05-01 09:00", "2026-05-04 09:00", 0.0),      # Labour Day, Madrid Day (Saturday), Sunday
    ("2026-03-27 17:00", "2026-03-30 10:00", 2.0),      # across spring DST
    ("2026-10-23 17:00", "2026-10-26 10:00", 2.0),      # across autumn DST
    ("2026-03-02 19:00", "2026-03-02 08:00", 0.0),      # end before start
])
def test_business_hours(start: str, end: str, hours: float) -> None:
    assert BUSINESS.working_seconds(at(start), at(end)) == hours * 3600


@pytest.mark.parametrize("start, end, hours", [
    ("2026-03-28 12:00", "2026-03-29 12:00", 23),  # spring: the local day is 23 hours long
    ("2026-10-24 12:00", "2026-10-25 12:00", 25),  # autumn: 25 hours
])
def test_daylight_saving_days(start: str, end: str, hours: int) -> None:
    assert ALWAYS.working_seconds(at(start), at(end)) == hours * 3600
    assert ROUND_CLOCK.working_seconds(at(start), at(end)) == hours * 3600


def test_offsets_of_the_inputs_do_not_matter() -> None:
    start = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)  # 09:30 in Madrid
    end = datetime(2026, 3, 2, 12, 0, tzinfo=timezone(timedelta(hours=-5)))  # 18:00 in Madrid
    assert BUSINESS.working_seconds(start, end) == 7.5 * 3600


@pytest.mark.parametrize("start, seconds, expected", [
    ("2026-03-06 17:30", 3600, "2026-03-09 09:30"),
    ("2026-03-02 13:30", 3600, "2026-03-02 15:30"),
    ("2026-12-23 17:00", 2 * 3600, "2026-12-28 10:00"),
    ("2026-03-27 17:00", 2 * 3600, "2026-03-30 10:00"),
])
def test_add_working_is_the_inverse(start: str, seconds: int, expected: str) -> None:
    due = BUSINESS.add_working(at(start), seconds)
    assert due == at(expected)
    assert BUSINESS.working_seconds(at(start), due) == seconds


def test_add_working_on_always_across_dst() -> None:
    due = ALWAYS.add_working(at("2026-03-29 01:30"), 3600)
    assert due.astimezone(MADRID).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)
