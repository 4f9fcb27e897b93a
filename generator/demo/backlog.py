"""The evolution backlog: deferred requests and the team's own proposals, from proposal to delivery."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from gitdesk.demo import vocab
from gitdesk.demo.incidents import IncidentPlanner
from gitdesk.demo.stories import QUEUED_THEMES
from gitdesk.demo.timeline import Edit, Fmt, Ref, Timeline
from gitdesk.model import Kind


class BacklogPlanner:
    """Lands backlog items and their lifecycle; delivery capacity grows as the service matures."""

    def __init__(self, timeline: Timeline) -> None:
        self.tl = timeline
        self.items: dict[str, tuple[Ref, datetime | None]] = {}  # theme item title -> (ref, done at)
        self.delivered: dict[str, int] = {}  # "YYYY-MM" -> backlog items done

    def capacity(self, when: datetime) -> int:
        """Backlog items the team can finish in ``when``'s month: 2 at the start of the story, 12 at its end."""
        tl = self.tl
        return round(2 + 10 * (when - tl.start) / (tl.end - tl.start))

    def resolve_deferrals(self, incidents: IncidentPlanner) -> None:
        """Deferred P3s become backlog items (or join one), in the order they landed."""
        for deferral in sorted(incidents.deferrals, key=lambda d: d.decided):
            decided, theme, ref = deferral.decided, deferral.theme, deferral.ref
            who = next(p for p in vocab.TEAM if p.login == deferral.login)
            known = self.items.get(theme.item)
            if known and known[1] is not None and known[1] <= decided:
                incidents.step(ref, decided, theme.incident, "resolved", who, extra={"related": [known[0]]},
                               update=Fmt("Ya disponible: se entregó con {}.", known[0]))
                continue
            if known:
                item = known[0]
                edits = [Edit(item, append={"origin": ref})]
            else:
                item = Ref(Kind.BACKLOG)
                edits = self.new_item(item, theme.item, theme.category, theme.effort, theme.impact, theme.component,
                                      deferral.client, origin=[ref])
            fields = {"status": "deferred", "related": [item],
                      "update": Fmt("Es una mejora: pasa al backlog evolutivo como {}.", item)}
            edits.insert(0, Edit(ref, set=fields))
            if self.tl.land(decided, Fmt("{}: deferred to {} — " + theme.incident, ref, item), edits, who) and not known:
                done = self.item_lifecycle(item, decided, theme.effort, queued_for=QUEUED_THEMES.get(theme.incident))
                self.items[theme.item] = (item, done)

    def new_item(self, item: Ref, title: str, category: str, effort: str, impact: tuple[str, str, str],
                 component: str, client: str | None, origin: list[Ref] | None = None) -> list[Edit]:
        """The edit that creates a proposed item (``client`` None: service-wide work)."""
        fields: dict[str, Any] = {
            "title": title, "status": "proposed", "category": category,
            "impact": dict(zip(("time_saved", "errors_avoided", "control_gained"), impact)),
            "effort": effort,
        }
        if origin:
            fields["origin"] = origin
        fields["coverage"] = "separate-estimate" if effort == "XL" else "included"
        if client:
            fields["client"] = client
        fields["components"] = [component]
        body = (f"## Qué\n\n{title}.\n\n## Por qué\n\nImpacto esperado: tiempo ahorrado {impact[0]}, "
                f"errores evitados {impact[1]}, control ganado {impact[2]}.\n")
        return [Edit(item, set=fields, body=body, create=True)]

    def item_lifecycle(self, item: Ref, created: datetime, effort: str, *, queued_for: str | None = None) -> datetime | None:
        """proposed → accepted → planned → in-progress → done; returns when it is done (None if not by the end).

        An item ``queued_for`` a quarter is accepted and planned for it, and still waits at the end.
        """
        tl = self.tl
        rng = tl.rng
        scale = {"XS": 0.5, "S": 0.8, "M": 1.2, "L": 2.0, "XL": 3.0}[effort]
        manager, dev = vocab.MANAGER, tl.person(rng.choice(("L2", "L3")))
        if queued_for is not None:
            accepted = tl.office_time((created + timedelta(days=1)).date())
            tl.land(accepted, Fmt("{}: accepted", item), [Edit(item, set={"status": "accepted"})], manager)
            tl.land(tl.office_time((accepted + timedelta(days=1)).date()), Fmt(f"{{}}: planned for {queued_for}", item),
                    [Edit(item, set={"status": "planned", "target": queued_for})], manager)
            return None
        if rng.random() < 0.08:
            tl.land(tl.office_time((created + timedelta(days=rng.randint(3, 15))).date()), Fmt("{}: rejected", item),
                    [Edit(item, set={"status": "rejected"},
                          body=f"## Decisión\n\nRechazado en la revisión del backlog: el impacto no compensa el esfuerzo ({effort}).\n")],
                    manager)
            return None
        if effort == "XL":
            tl.land(tl.office_time((created + timedelta(days=rng.randint(5, 20))).date()),
                    Fmt("{}: accepted (separate estimate)", item), [Edit(item, set={"status": "accepted"})], manager)
            return None
        accepted = tl.office_time((created + timedelta(days=rng.uniform(1, 6))).date())
        planned = tl.office_time((accepted + timedelta(days=rng.uniform(1, 8))).date())
        # Delivery speeds up as the service matures: done dates follow a ramp and each month has a
        # capacity growing from 2 to 12 items, so the last months deliver about a dozen each.
        earliest = planned + timedelta(days=rng.uniform(3, 10) * scale)
        queued = tl.end + timedelta(days=rng.uniform(5, 60))
        wanted = next((w for w in (tl.frac(tl.ramp(3.0)) for _ in range(6)) if w > earliest), queued)
        if rng.random() < 0.12:  # a living backlog: some accepted work is still queued at the end
            wanted = queued
        done = tl.office_time(wanted.date())
        while done <= tl.end and self.delivered.get(done.strftime("%Y-%m"), 0) >= self.capacity(done):
            next_month = (done.replace(day=28) + timedelta(days=4)).replace(day=1)
            done = tl.office_time((next_month + timedelta(days=rng.uniform(0, 12))).date())
        if done <= tl.end:
            self.delivered[done.strftime("%Y-%m")] = self.delivered.get(done.strftime("%Y-%m"), 0) + 1
        started = tl.office_time(max(planned + timedelta(days=1), done - timedelta(days=rng.uniform(2, 9) * scale)).date())
        target = f"{done.year}-Q{(done.month - 1) // 3 + 1}"
        tl.land(accepted, Fmt("{}: accepted", item), [Edit(item, set={"status": "accepted"})], manager)
        tl.land(planned, Fmt(f"{{}}: planned for {target}", item), [Edit(item, set={"status": "planned", "target": target})], manager)
        tl.land(started, Fmt("{}: in progress", item), [Edit(item, set={"status": "in-progress", "assignee": dev.login})], dev)
        if not tl.land(done, Fmt("{}: done", item), [Edit(item, set={"status": "done"})], dev):
            return None
        return done

    def planned_items(self, count: int) -> None:
        """Work the team proposes itself: preventive tasks, automation, reports."""
        tl = self.tl
        chosen = tl.rng.sample(vocab.PLANNED, count)
        for component, title, category, effort, impact in chosen:
            created = tl.office_time(tl.frac(0.02 + 0.9 * tl.ramp(2.5)).date())
            item = Ref(Kind.BACKLOG)
            # service-wide work: no client, every client's backlog shows it
            if tl.land(created, Fmt(f"{{}}: proposed — {title}", item),
                       self.new_item(item, title, category, effort, impact, component, None), vocab.MANAGER):
                self.item_lifecycle(item, created, effort)
