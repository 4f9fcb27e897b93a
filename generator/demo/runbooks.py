"""Runbooks: procedures in the first commit; preventive ones log each run as a landed commit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from gitdesk.demo import vocab
from gitdesk.demo.render import iso, render
from gitdesk.demo.stories import PREVENTIVE, PreventiveRunbook
from gitdesk.demo.timeline import HOUR, MADRID, Edit, Ref, Style, Timeline
from gitdesk.model import Kind


class RunbookPlanner:
    """Writes the runbook files of the first commit and lands the preventive runs after it."""

    def __init__(self, timeline: Timeline) -> None:
        self.tl = timeline
        #: path -> file text, for the first commit
        self.files: dict[str, str] = {}

    def plan(self) -> dict[str, str]:
        """Plan every runbook; return the files the first commit holds."""
        tl = self.tl
        origin = (tl.start - timedelta(days=120)).date()
        for runbook in PREVENTIVE:
            self.preventive(runbook, self.schedule(runbook, origin))
        for slug, title, components, body, public in vocab.STATIC_RUNBOOKS:
            fields: dict[str, Any] = {"title": title, "components": components, "owner": "elena.vidal",
                                      "last_reviewed": (tl.start - timedelta(days=30)).date().isoformat()}
            if public:
                fields["visibility"] = "public"
            self.files[f"runbooks/{slug}.md"] = render(Kind.RUNBOOK, fields, body)
        return self.files

    def schedule(self, runbook: PreventiveRunbook, origin: date) -> list[datetime]:
        """When ``runbook`` is due, from its first due day on or after ``origin`` to the end of the story."""
        count, unit = runbook.every.split()
        if unit.startswith("month"):
            firsts = [date(origin.year + (origin.month - 1 + n) // 12, (origin.month - 1 + n) % 12 + 1, 1)
                      for n in range(0, 18, int(count))]
            return [_weekday_on_or_after(runbook.weekday, d) for d in firsts if d < self.tl.end.date()]
        return self.every(_weekday_on_or_after(runbook.weekday, origin), timedelta(weeks=int(count)))

    def preventive(self, runbook: PreventiveRunbook, schedule: list[datetime]) -> None:
        """Runs before the story are in the first commit; each later run lands as its own commit."""
        tl, rng = self.tl, self.tl.rng
        ref = Ref(Kind.RUNBOOK, runbook.slug)
        owner = next(p for p in vocab.TEAM if p.login == runbook.owner)
        reviewed = (tl.start - timedelta(days=20)).date().isoformat()
        before = [{"at": iso(m), "result": "ok", "by": owner.login} for m in schedule if m < tl.start]
        fields: dict[str, Any] = {"title": runbook.title, "components": list(runbook.components), "owner": owner.login,
                                  "last_reviewed": reviewed, "every": runbook.every, "runs": before[-3:]}
        if runbook.internal:
            fields["internal"] = {"notes": runbook.internal}
        self.files[ref.path] = render(Kind.RUNBOOK, fields, runbook.body)
        l2 = [p for p in vocab.TEAM if p.level == "L2"]
        failure, failed = runbook.fails, None
        if failure is not None:
            breaks = failure.moment(tl)
            failed = next((m for m, due_next in zip(schedule, [*schedule[1:], None])
                           if m <= breaks and (due_next is None or breaks < due_next)), None)
        for moment in schedule:
            if moment < tl.start or (runbook.stop is not None and moment >= runbook.stop):
                continue
            at = tl.business.add_working(moment, rng.uniform(0, 1.5 * HOUR))
            who = rng.choice(l2)
            run: dict[str, Any] = {"at": iso(at), "result": "ok", "by": who.login}
            if failure is not None and moment == failed:
                run.update(result="failed", notes=failure.note)
            tl.land(at + timedelta(minutes=rng.uniform(20, 50)),
                    f"{runbook.slug}: run {at.date().isoformat()} {run['result']}", [Edit(ref, append={"runs": run})], who,
                    style=Style.DIRECT if rng.random() < 0.7 else Style.SQUASH, lead_minutes=10)

    def every(self, first: datetime, step: timedelta) -> list[datetime]:
        """``first`` and each ``step`` after it, up to the end of the story."""
        moments = [first]
        while moments[-1] + step <= self.tl.end:
            moments.append(moments[-1] + step)
        return moments


def _weekday_on_or_after(weekday: int, day: date) -> datetime:
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, time(10), MADRID)
