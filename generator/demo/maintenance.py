"""Maintenance windows: scheduled with notice, then completed or cancelled."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from gitdesk.demo import vocab
from gitdesk.demo.render import iso
from gitdesk.demo.stories import CANCELLED_WINDOW, UPCOMING_WINDOW
from gitdesk.demo.timeline import MADRID, Edit, Fmt, Ref, Style, Timeline
from gitdesk.model import Kind


class MaintenancePlanner:
    """Lands maintenance windows on the timeline."""

    def __init__(self, timeline: Timeline, *, windows: int) -> None:
        self.tl = timeline
        self.windows = windows

    def plan(self) -> None:
        """Regular windows (Thursdays until the window decision moved them to Tuesdays) and the next one."""
        tl = self.tl
        for index in range(self.windows):
            share = 0.06 + 0.8 * index / max(1, self.windows)
            starts = tuesday_window(tl.frac(share))
            if share < 0.45:
                starts = starts + timedelta(days=2, hours=1)
            title, comps = vocab.WINDOWS[index % len(vocab.WINDOWS)]
            self.window(starts, tl.rng.choice((45, 60, 90)), title, list(comps), tl.rng.choice(("outage", "degraded")),
                        notice=timedelta(days=tl.rng.randint(3, 8), hours=tl.rng.randint(0, 5)),
                        status_after="cancelled" if index == CANCELLED_WINDOW else "completed")
        upcoming = tuesday_window(tl.end + timedelta(days=1))
        announced = UPCOMING_WINDOW.announced.moment(tl, tl.end)
        self.window(upcoming, UPCOMING_WINDOW.minutes, UPCOMING_WINDOW.title, list(UPCOMING_WINDOW.components),
                    UPCOMING_WINDOW.impact, notice=upcoming - announced)

    def window(self, starts: datetime, minutes: int, title: str, components: list[str], impact: str, *,
               notice: timedelta, status_after: str = "completed") -> Ref:
        """Schedule one window ``notice`` before it starts, then close it as ``status_after``."""
        tl = self.tl
        ref = Ref(Kind.MAINTENANCE)
        who = tl.person("L3")
        ends = starts + timedelta(minutes=minutes)
        fields = {"title": title, "starts_at": iso(starts), "ends_at": iso(ends), "status": "scheduled",
                  "components": components, "impact": impact,
                  "update": "Ventana programada; el servicio puede no estar disponible durante la intervención."}
        body = f"{title}.\n\nDurante la ventana los módulos afectados pueden no responder.\n"
        tl.land(starts - notice, Fmt(f"{{}}: schedule — {title}", ref), [Edit(ref, set=fields, body=body, create=True)], who,
                style=Style.MERGE)
        if status_after == "cancelled":
            tl.land(starts - notice / 2, Fmt("{}: cancelled", ref),
                    [Edit(ref, set={"status": "cancelled", "update": "Ventana cancelada: el cambio se aplaza."})], who)
        else:
            tl.land(tl.workday_at(ends + timedelta(hours=6), 9, 10 + tl.rng.randrange(30)), Fmt("{}: completed", ref),
                    [Edit(ref, set={"status": "completed", "update": "Completada sin incidencias."})], who, style=Style.DIRECT)
        return ref


def tuesday_window(around: datetime) -> datetime:
    """21:00 on the first Tuesday on or after ``around``: when maintenance windows open."""
    day = around.date()
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime.combine(day, time(21), MADRID)
