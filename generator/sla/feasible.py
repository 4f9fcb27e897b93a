"""Targets a calendar can actually reach: a config that cannot work is a config error, not a crash.

One minute of working time a week never reaches a 99999h target: every running
clock's due time would be unanswerable. :func:`check_targets` refuses such a
gitdesk.yml up front (exit 2, naming the key), for every command that judges
clocks or validates the desk.
"""

from __future__ import annotations

from datetime import date, datetime

from gitdesk.config import CONFIG_FILE, TARGET_NAMES, CalendarSpec, Config, SlaPolicy
from gitdesk.errors import ConfigError
from gitdesk.sla.calendars import REACH_YEARS, Calendar


def _weekly_seconds(spec: CalendarSpec) -> int:
    return sum((datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds
               for spans in spec.hours.values() for start, end in spans)


def _hours(seconds: int) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or not hours else "")


def _policies(config: Config) -> list[tuple[str, SlaPolicy]]:
    return [("sla", config.sla)] + [(f"clients[{i}].sla", c.sla) for i, c in enumerate(config.clients) if c.sla is not None]


def check_targets(config: Config, *, now: datetime) -> None:
    """Raise :class:`ConfigError` (gitdesk.yml, the target's key) for a target its calendar cannot count within ten years of ``now``.

    The exact count (holidays included) runs only for targets above half of
    ten years of the calendar's weekly hours, so ordinary configs never load
    the holidays data here.
    """
    counters: dict[str, Calendar] = {}
    for where, policy in _policies(config):
        for severity, target in policy.targets.items():
            spec = config.calendar(target.calendar)
            weekly = _weekly_seconds(spec)
            for name in TARGET_NAMES:
                seconds = target.seconds(name)
                # public holidays and a short extra_holidays list never take half the working weeks
                if not seconds or spec.always or (len(spec.extra_holidays) < 365 and seconds <= weekly * 52 * REACH_YEARS // 2):
                    continue
                counter = counters.setdefault(spec.name, Calendar(spec))
                if not counter.reaches(seconds, start=now, within_years=REACH_YEARS):
                    raise ConfigError(
                        f"{_hours(seconds)} cannot be reached within ten years on calendar "
                        f"{spec.name!r} ({_hours(weekly)} of working time a week, minus holidays)",
                        file=CONFIG_FILE, key=f"{where}.targets.{severity}.{name}",
                        hint="lower the target or give the calendar more working hours")
