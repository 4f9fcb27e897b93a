"""Preventive runbooks: when each is next due (last ok run + ``every``) and which are overdue."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from gitdesk.model import Ticket, parse_time


def _add_every(when: datetime, every: str) -> datetime:
    count_text, unit = every.split()
    count, unit = int(count_text), unit.rstrip("s")
    if unit in ("day", "week"):
        return when + timedelta(days=count * (7 if unit == "week" else 1))
    months = count * (12 if unit == "year" else 1)
    year, month = divmod(when.month - 1 + months, 12)
    year += when.year
    day = when.day
    while True:  # the 31st of a short month is its last day
        try:
            return when.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


def runbook_due(runbook: Ticket, zone: ZoneInfo) -> datetime | None:
    """When a preventive runbook is next due: last ok run + every, counted on the service's clock (None if never run ok).

    The run's own offset is not kept: a weekly run at 10:00 in winter is due at 10:00 a week later in summer.
    """
    last = last_ok_run(runbook, zone)
    return _add_every(last.astimezone(zone), str(runbook.get("every"))) if last is not None else None


def last_ok_run(runbook: Ticket, zone: ZoneInfo) -> datetime | None:
    """A runbook's latest run whose result is ``ok`` (a bare date is midnight in the service's zone); None if none."""
    return max((at for at, result in runs_of(runbook, zone) if result == "ok"), default=None)


def last_run(runbook: Ticket, zone: ZoneInfo) -> tuple[datetime, str] | None:
    """A runbook's latest run, whatever its result: (when, result); None if it never ran."""
    return max(runs_of(runbook, zone), key=lambda run: run[0], default=None)


def runs_of(runbook: Ticket, zone: ZoneInfo) -> list[tuple[datetime, str]]:
    """A runbook's runs as (when, result), those with a readable time; a bare date is midnight in the service's zone."""
    runs = runbook.get("runs") if isinstance(runbook.get("runs"), list) else []
    out = []
    for run in runs:
        if not isinstance(run, dict):
            continue
        at = parse_time(run.get("at"))
        if at is None and isinstance(run.get("at"), str):
            try:
                at = datetime.combine(date.fromisoformat(run["at"]), time(0), zone)
            except ValueError:
                at = None
        if at is not None:
            out.append((at, str(run.get("result"))))
    return out


def overdue_runbooks(runbooks: Iterable[Ticket], zone: ZoneInfo, now: datetime) -> dict[str, datetime | None]:
    """Preventive runbooks whose last ok run + every is before ``now`` (or that never ran ok)."""
    out: dict[str, datetime | None] = {}
    for runbook in sorted(runbooks, key=lambda r: r.id):
        if not isinstance(runbook.get("every"), str):
            continue
        due = runbook_due(runbook, zone)
        if due is None or due < now:
            out[runbook.id] = due
    return out
