"""Preventive runbooks' due dates, counted on the service's clock across daylight-saving changes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from gitdesk.model import Kind, Ticket
from gitdesk.sla.schedule import last_ok_run, runbook_due

MADRID = ZoneInfo("Europe/Madrid")


def runbook(every: str, *runs: dict[str, str]) -> Ticket:
    return Ticket(Kind.RUNBOOK, "backup-check", "runbooks/backup-check.md", {"every": every, "runs": list(runs)})


@pytest.mark.parametrize(("every", "run", "due"), [
    # winter run, due in summer: 10:00 on the wall clock both times (it was 11:00 CEST, the winter offset kept)
    ("1 week", "2026-03-25T10:00:00+01:00", "2026-04-01T10:00:00+02:00"),
    ("1 month", "2026-03-01T10:00:00+01:00", "2026-04-01T10:00:00+02:00"),
    # summer run, due in winter
    ("1 week", "2026-10-22T09:30:00+02:00", "2026-10-29T09:30:00+01:00"),
    # a run written in UTC is the same instant, read on the service's clock
    ("1 week", "2026-03-25T09:00:00+00:00", "2026-04-01T10:00:00+02:00"),
])
def test_a_run_is_due_again_at_the_same_time_on_the_services_clock(every: str, run: str, due: str) -> None:
    found = runbook_due(runbook(every, {"at": run, "result": "ok"}), MADRID)
    assert found == datetime.fromisoformat(due) and found is not None and found.utcoffset() == datetime.fromisoformat(due).utcoffset()


def test_the_last_ok_run_is_the_latest_instant_not_the_latest_text() -> None:
    # as text "2026-05-02T01:00:00+02:00" sorts after "2026-05-01T23:30:00-03:00", which is later
    later, earlier = "2026-05-01T23:30:00-03:00", "2026-05-02T01:00:00+02:00"
    book = runbook("1 week", {"at": earlier, "result": "ok"}, {"at": later, "result": "ok"}, {"at": "2026-05-03", "result": "failed"})
    assert last_ok_run(book, MADRID) == datetime.fromisoformat(later)
