"""Per-call cost of the SLA calendar, bisecting (gitdesk) against the day-by-day walk it replaced.

    .venv/bin/python benchmarks/calendars.py [--calls 2000] [--repeat 5]

The walk is ``ReferenceCalendar`` from tests/sla/test_calendar_props.py (the
property tests prove both give identical results). Both run in this process on
the same instants: a Madrid business calendar (09–14, 15–18 on weekdays,
Spanish and Madrid holidays), starts spread over 2026, spans of 1, 30 and 365
days. ``add_working`` is asked for the working time of the same spans, so it
walks as far. Caches are warm, as in a long ``gitdesk sla`` run; the best of
``--repeat`` runs is kept.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time as clock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gitdesk.config import CalendarSpec
from gitdesk.sla.calendars import Calendar

ROOT = Path(__file__).resolve().parent.parent
MADRID = ZoneInfo("Europe/Madrid")
WORKDAY = ((time(9), time(14)), (time(15), time(18)))
SPEC = CalendarSpec("business", "Europe/Madrid", {d: WORKDAY for d in range(5)}, "ES", "MD", (date(2026, 12, 24),))
SPANS = (1, 30, 365)


def reference_calendar() -> Any:
    """The old implementation, loaded from the test that keeps it."""
    path = ROOT / "tests" / "sla" / "test_calendar_props.py"
    spec = importlib.util.spec_from_file_location("calendar_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ReferenceCalendar(SPEC)


def per_call(calls: list[Callable[[], object]], repeat: int) -> float:
    """Best-of-``repeat`` CPU seconds per call (CPU time: the 2 cores are shared, wall time waits for them)."""
    best = float("inf")
    for _ in range(repeat):
        began = clock.process_time()
        for call in calls:
            call()
        best = min(best, (clock.process_time() - began) / len(calls))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(15)
    new, old = Calendar(SPEC), reference_calendar()
    year = datetime(2026, 1, 1, tzinfo=MADRID).timestamp()
    print(f"{'span':>8} | {'working_between old':>19} | {'new':>8} | {'speed-up':>8} |"
          f" {'add_working old':>15} | {'new':>8} | {'speed-up':>8}")
    for days in SPANS:
        starts = [year + rng.uniform(0, 365 * 86400) for _ in range(args.calls)]
        pairs = [(t, t + days * 86400) for t in starts]
        amounts = [(datetime.fromtimestamp(t0, MADRID), old.working_between(t0, t1)) for t0, t1 in pairs]
        for t0, t1 in pairs:  # the same answers, and warm caches on both sides
            assert new.working_between(t0, t1) == old.working_between(t0, t1)
        for start, seconds in amounts:
            assert new.add_working(start, seconds) == old.add_working(start, seconds)
        between = [per_call([(lambda c=c, a=a, b=b: c.working_between(a, b)) for a, b in pairs], args.repeat)
                   for c in (old, new)]
        adding = [per_call([(lambda c=c, s=s, n=n: c.add_working(s, n)) for s, n in amounts], args.repeat)
                  for c in (old, new)]
        print(f"{days:>5} d  | {between[0] * 1e6:>16.1f} µs | {between[1] * 1e6:>5.1f} µs | {between[0] / between[1]:>7.1f}× |"
              f" {adding[0] * 1e6:>12.1f} µs | {adding[1] * 1e6:>5.1f} µs | {adding[0] / adding[1]:>7.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
