"""Business calendars: weekends, lunch, holidays and daylight saving, in both directions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from gitdesk.sla.calendars import Calendar, UnreachableTarget
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


# A calendar that cannot work is a config error (DESIGN "Trust"); these are the answers config checks ask for.
ONE_MINUTE_A_WEEK = Calendar(CalendarSpec("sliver", "Europe/Madrid", {2: ((time(10), time(10, 1)),)}))
EMPTY_WEEK = Calendar(CalendarSpec("empty", "Europe/Madrid", {}))
NEW_YEAR = at("2026-01-01 00:00")


def test_one_minute_a_week_never_reaches_99999_hours() -> None:
    assert not ONE_MINUTE_A_WEEK.reaches(99999 * 3600, start=NEW_YEAR)
    with pytest.raises(UnreachableTarget, match="'sliver' cannot count 99999 working hours within 10 years of 2026-01-01T00:00:00\\+01:00"):
        ONE_MINUTE_A_WEEK.add_working(NEW_YEAR, 99999 * 3600)


def test_one_minute_a_week_reaches_what_ten_years_hold() -> None:
    # 522 Wednesdays from 2026-01-07 to 2036-01-02: the window ends at midnight on 2036-01-08,
    # 366 days a year counted from the day before the start, as add_working always searched
    assert ONE_MINUTE_A_WEEK.reaches(522 * 60, start=NEW_YEAR)
    assert not ONE_MINUTE_A_WEEK.reaches(523 * 60, start=NEW_YEAR)
    assert ONE_MINUTE_A_WEEK.add_working(NEW_YEAR, 522 * 60) == at("2036-01-02 10:01")
    with pytest.raises(UnreachableTarget):
        ONE_MINUTE_A_WEEK.add_working(NEW_YEAR, 523 * 60)


def test_an_empty_week_reaches_nothing() -> None:
    assert not EMPTY_WEEK.has_hours()
    assert not EMPTY_WEEK.reaches(1, start=NEW_YEAR)
    assert EMPTY_WEEK.reaches(0, start=NEW_YEAR)
    assert EMPTY_WEEK.working_seconds(NEW_YEAR, at("2027-01-01 00:00")) == 0
    with pytest.raises(UnreachableTarget):
        EMPTY_WEEK.add_working(NEW_YEAR, 1)


def test_holidays_count_against_the_window() -> None:
    # every day of 2026 is an extra holiday but Saturday 31 January: one working day in a year
    one_day = Calendar(CalendarSpec("one day", "Europe/Madrid", {d: WORKDAY for d in range(7)}, "ES", None,
                                      tuple(date(2026, 1, 1) + timedelta(days=n) for n in range(366) if n != 30)))
    assert one_day.reaches(8 * 3600, start=NEW_YEAR, within_years=1)
    assert not one_day.reaches(8 * 3600 + 1, start=NEW_YEAR, within_years=1)


def test_business_hours_reach_a_week_but_not_99999_hours() -> None:
    assert BUSINESS.has_hours()
    assert BUSINESS.reaches(40 * 3600, start=NEW_YEAR)
    assert not BUSINESS.reaches(99999 * 3600, start=NEW_YEAR)  # about 19,700 working hours in ten years


def test_always_reaches_what_fits_in_ten_years() -> None:
    assert ALWAYS.reaches(87_000 * 3600, start=NEW_YEAR)
    assert not ALWAYS.reaches(99999 * 3600, start=NEW_YEAR)
