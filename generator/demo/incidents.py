"""Incidents: P0 outages, P1/P2 faults and P3 requests, from the first report to closure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from gitdesk.demo import vocab
from gitdesk.demo.render import iso
from gitdesk.demo.stories import QUEUED_THEMES
from gitdesk.demo.timeline import BREACH_SHARE, HOUR, MADRID, SAFE_SHARE, Edit, Fmt, Ref, Style, Timeline
from gitdesk.demo.vocab import Person, Theme
from gitdesk.model import Kind

#: share of random tickets that breach a target (P1/P2 resolution, P3 response); P0 breaches are scripted
BREACH_RATES = {"P1": 0.04, "P2": 0.03, "P3": 0.02}


@dataclass(frozen=True)
class Deferral:
    """A P3 deferred to the backlog: the backlog planner files it under an item."""

    decided: datetime
    theme: Theme
    ref: Ref
    client: str
    login: str


class IncidentPlanner:
    """Lands incidents on the timeline; remembers what the backlog planner needs from them."""

    def __init__(self, timeline: Timeline) -> None:
        self.tl = timeline
        self.client_components = {cid: comps for cid, _, comps, _ in vocab.CLIENTS}
        self.incidents_by_component: dict[str, list[tuple[datetime, Ref]]] = {}
        self.deferrals: list[Deferral] = []
        #: incidents planned so far
        self.count = 0

    def incident_mix(self, count: int) -> list[str]:
        """Severities in the realistic proportions (P0 rare, P3 the bulk), shuffled."""
        shares = (("P0", 0.01), ("P1", 0.12), ("P2", 0.40))
        mix = [sev for sev, share in shares for _ in range(max(1 if sev != "P0" else 0, round(count * share)))]
        mix += ["P3"] * (count - len(mix))
        self.tl.rng.shuffle(mix)
        return mix

    def open_time(self, severity: str) -> datetime:
        """When a random incident lands: more of them as the service grows, mostly in office hours."""
        tl = self.tl
        while True:
            day = (tl.start + timedelta(days=1) + (tl.end - tl.start - timedelta(days=2)) * tl.ramp()).date()
            if severity == "P0" or tl.rng.random() < 0.12:
                moment = datetime.combine(day, time(tl.rng.randrange(0, 24), tl.rng.randrange(60)), MADRID)
            else:
                moment = tl.office_time(day)
            if tl.start < moment < tl.end:
                return moment

    def random_incidents(self, count: int) -> None:
        """``count`` incidents in realistic proportions, times and outcomes; a fixed share of them breach."""
        tl = self.tl
        late = tl.end - timedelta(days=25)
        specs = []
        for severity in self.incident_mix(count):
            opened = self.open_time(severity)
            client = tl.rng.choices([c[0] for c in vocab.CLIENTS], [c[3] for c in vocab.CLIENTS])[0]
            specs.append((opened, severity, client))
        specs.sort(key=lambda s: s[0])
        themes = [t for t in vocab.THEMES if t.incident not in QUEUED_THEMES]
        # A fixed share of breaches per severity (not a coin per ticket), so the compliance figures
        # hold whatever else the seed changes; only tickets that finish before the end may breach.
        breaches: set[int] = set()
        for severity, share in BREACH_RATES.items():
            eligible = [i for i, (opened, sev, _) in enumerate(specs) if sev == severity and opened < late]
            breaches.update(tl.rng.sample(eligible, min(len(eligible), round(share * len(eligible)))))
        for index, (opened, severity, client) in enumerate(specs):
            comps = self.client_components[client]
            early = opened < late
            if severity == "P3":
                pool = [t for t in themes if t.component in comps]
                theme = tl.rng.choice(pool)
                roll = tl.rng.random()
                outcome = "deferred" if roll < 0.72 else "resolved" if roll < 0.92 else "cancelled"
                self.p3(opened, client, theme, outcome, breach=index in breaches)
                continue
            component = tl.pick(c for c in comps if c in vocab.FAULTS[severity])
            title = tl.pick(vocab.FAULTS[severity][component])
            if severity == "P0":
                self.p0(opened, client, component, title, breach=False)
            else:
                self.fault(opened, severity, client, component, title,
                           breach=index in breaches,
                           waiting=tl.rng.random() < (0.2 if severity == "P1" else 0.25),
                           reopen=early and tl.rng.random() < 0.06,
                           phone=tl.rng.random() < 0.25,
                           internal=severity == "P2" and tl.rng.random() < 0.05)

    def new_incident(self, opened: datetime, severity: str, client: str, component: str, title: str, *,
                     level: str = "L1", reporter: str | None = None, phone_minutes: float | None = None,
                     impact: str = "none", started_at: datetime | None = None, extra: dict[str, Any] | None = None,
                     status: str = "reported", body: str | None = None, author: Person | None = None,
                     style: Style | None = None) -> tuple[Ref, Person, datetime]:
        """Land the incident's first version; return it, its L1 person and its SLA start."""
        tl = self.tl
        ref = Ref(Kind.INCIDENT)
        self.count += 1
        self.incidents_by_component.setdefault(component, []).append((opened, ref))
        first = author or tl.person("L1")
        fields: dict[str, Any] = {
            "title": title, "severity": severity, "status": status, "client": client, "components": [component],
            "impact": impact, "level": level, "assignee": first.login,
            "reporter": reporter or tl.pick(vocab.REPORTERS[client]), "reports": 1,
        }
        start = opened
        if phone_minutes is not None:
            start = opened - timedelta(minutes=phone_minutes)
            fields["reported_at"] = iso(start)
        if started_at is not None:
            fields["started_at"] = iso(min(started_at, opened))
        fields["update"] = tl.pick(vocab.UPDATES[status])
        if tl.rng.random() < 0.3:
            fields["internal"] = {"notes": tl.pick(vocab.INTERNAL_NOTES)}
        fields.update(extra or {})
        text = body or incident_body(title, component, client, tl.pick(vocab.SYMPTOMS[severity]))
        tl.land(opened, Fmt(f"{{}}: {status} — {title}", ref), [Edit(ref, set=fields, body=text, create=True)], first,
                style=style or (Style.DIRECT if severity == "P0" else None))
        return ref, first, start

    def step(self, ref: Ref, when: datetime, title: str, status: str, who: Person, *, update: str | Fmt | None = None,
             extra: dict[str, Any] | None = None, style: Style | None = None) -> bool:
        """Land a status change (a stock update text unless given); False when it falls after the end."""
        tl = self.tl
        fields: dict[str, Any] = {"status": status, "update": update or tl.pick(vocab.UPDATES[status])}
        fields.update(extra or {})
        return tl.land(when, Fmt(f"{{}}: {status} — {title}", ref), [Edit(ref, set=fields)], who, style=style)

    def postmortem(self, component: str, severity: str) -> dict[str, str]:
        """Root cause, resolution and prevention: each P0 component's own, a random one otherwise."""
        if severity == "P0":
            cause, fix, prevent = vocab.P0_CAUSES[component]
        else:
            cause, fix, prevent = self.tl.rng.choice(vocab.CAUSES)
        return {"root_cause": cause, "resolution": fix, "prevention": prevent}

    def p0(self, opened: datetime, client: str, component: str, title: str, *, breach: bool) -> Ref:
        """System down: 24/7 clock, direct commits, L1→L2→L3 (→L4 when it breaches), postmortem."""
        tl = self.tl
        clock, rng = tl.always, tl.rng
        began = opened - timedelta(minutes=rng.uniform(6, 14))
        ref, first, start = self.new_incident(opened, "P0", client, component, title, phone_minutes=rng.uniform(2, 5),
                                              impact="outage", started_at=began)
        l2, l3 = tl.person("L2"), tl.person("L3")

        def minutes(m: float) -> datetime:
            return clock.add_working(start, m * 60)

        self.step(ref, minutes(rng.uniform(5, 10)), title, "investigating", l2, extra={"level": "L2", "assignee": l2.login},
                  update="Equipo técnico trabajando en la caída; próxima actualización en 30 minutos.", style=Style.DIRECT)
        self.step(ref, minutes(rng.uniform(14, 24)), title, "identified", l3, extra={"level": "L3", "assignee": l3.login},
                  style=Style.DIRECT)
        if breach:
            mitigated = minutes(rng.uniform(80, 95))
            self.step(ref, minutes(rng.uniform(40, 50)), title, "identified", l3, extra={"level": "L4"},
                      update="Escalado al proveedor de hosting (L4); seguimos trabajando con ellos.", style=Style.DIRECT)
            reason = "La mitigación requería al proveedor de hosting (L4), que tardó 50 minutos en intervenir."
            self.step(ref, mitigated, title, "mitigated", l3, extra={"breach_reason": reason}, style=Style.DIRECT)
        else:
            self.step(ref, minutes(rng.uniform(32, 48)), title, "mitigated", l3, style=Style.DIRECT)
        self.step(ref, minutes(rng.uniform(110, 130)), title, "monitoring", l3, style=Style.SQUASH)
        resolved = minutes(rng.uniform(150, 195))
        self.step(ref, resolved, title, "resolved", l3, extra=self.postmortem(component, "P0"), style=Style.MERGE)
        self.step(ref, tl.workday_at(resolved + timedelta(days=3), 10, rng.randrange(60)), title, "closed", l3)
        return ref

    def fault(self, opened: datetime, severity: str, client: str, component: str, title: str, *, breach: bool,
              waiting: bool, reopen: bool, phone: bool, internal: bool = False, reports: int = 1,
              upgrade_at: float | None = None, mitigate: bool | None = None, hours: float | None = None) -> Ref:
        """A P1/P2 on the business calendar: response, escalation, maybe a pause, resolution, maybe a reopen."""
        tl = self.tl
        rng, clock = tl.rng, tl.business
        policy_sev = "P2" if upgrade_at is not None else severity
        response_target = 3600 if severity == "P1" else 4 * HOUR  # an upgrade re-picks the stricter target
        resolution_target = 8 * HOUR if severity == "P1" else 40 * HOUR
        if hours is not None:
            total = hours * HOUR
        elif breach:
            total = rng.uniform(BREACH_SHARE + 0.05, 1.6) * resolution_target
        elif severity == "P1":
            total = rng.triangular(1.5 * HOUR, 6.4 * HOUR, 3.5 * HOUR)
        else:
            total = rng.triangular(3 * HOUR, 0.75 * resolution_target, 10 * HOUR)
        extra: dict[str, Any] = {}
        if internal:
            extra["visibility"] = "internal"
        if reports > 1:
            extra["reports"] = reports
        phone_minutes = rng.uniform(5, 40) if phone else None
        # degraded time runs until mitigation or resolution in wall time: only some faults are worth it
        impact = "degraded" if (severity == "P1" and rng.random() < 0.6) or rng.random() < 0.08 else "none"
        ref, first, start = self.new_incident(opened, policy_sev, client, component, title, phone_minutes=phone_minutes,
                                              impact=impact, extra=extra,
                                              started_at=(opened - timedelta(minutes=rng.uniform(10, 60))) if severity == "P1" else None)
        response = rng.uniform(0.1, 0.7) * response_target
        if phone_minutes is not None:
            response = max(response, clock.working_seconds(start, opened + timedelta(minutes=rng.uniform(3, 10))))
        response = min(response, 0.5 * total, SAFE_SHARE * response_target)
        anchor_t, anchor_c = start, 0.0

        def at(counted: float) -> datetime:
            moment = clock.add_working(anchor_t, counted - anchor_c)
            return max(moment, opened + timedelta(minutes=1))

        helper = tl.person("L2") if rng.random() < 0.6 or severity == "P1" else first
        self.step(ref, at(response), title, "investigating", helper,
                  extra={"level": helper.level, "assignee": helper.login} if helper is not first else None)
        owner = helper
        if upgrade_at is not None:
            self.step(ref, at(upgrade_at * total), title, "investigating", owner, extra={"severity": "P1"},
                      update="Se eleva a P1: afecta al cierre diario del cliente.")
        if rng.random() < (0.3 if severity == "P1" else 0.1):
            owner = tl.person("L3")
            self.step(ref, at(0.45 * total), title, "identified", owner, extra={"level": "L3", "assignee": owner.login})
        else:
            self.step(ref, at(0.45 * total), title, "identified", owner)
        if waiting:
            paused = at(0.55 * total)
            self.step(ref, paused, title, "waiting", owner)
            anchor_t = clock.add_working(paused, rng.uniform(1, 14) * HOUR)
            anchor_c = 0.55 * total
            self.step(ref, at(0.56 * total), title, "identified", owner,
                      update="El cliente nos envía lo pedido; seguimos con la corrección.")
        if mitigate if mitigate is not None else rng.random() < (0.4 if severity == "P1" else 0.1):
            self.step(ref, at(0.75 * total), title, "mitigated", owner)
        done: dict[str, Any] = self.postmortem(component, severity) if severity == "P1" else {}
        if breach:
            done["breach_reason"] = tl.pick(vocab.BREACH_REASONS)
        resolved = at(total)
        if not self.step(ref, resolved, title, "resolved", owner, extra=done):
            return ref
        if reopen:
            back = tl.office_time((resolved + timedelta(days=rng.randint(1, 4))).date())
            self.step(ref, back, title, "investigating", owner, extra={"reports": reports + 1},
                      update="El cliente informa de que vuelve a ocurrir; reabrimos.")
            resolved = clock.add_working(back, rng.uniform(0.8, 3) * HOUR)
            self.step(ref, resolved, title, "resolved", owner, update="Corregido también el caso que faltaba; verificado con el cliente.")
        if rng.random() < 0.5:
            self.step(ref, tl.workday_at(resolved + timedelta(days=rng.randint(3, 7)), 9, rng.randrange(50)),
                      title, "closed", first, style=Style.DIRECT)
        return ref

    def p3(self, opened: datetime, client: str, theme: Theme, outcome: str, *, breach: bool = False,
           when: datetime | None = None) -> Ref:
        """A minor request: triage within 16 working hours, then mostly deferred to the backlog."""
        tl = self.tl
        rng, clock = tl.rng, tl.business
        ref, first, start = self.new_incident(opened, "P3", client, theme.component, theme.incident)
        response = rng.uniform(1.15, 1.4) * 16 * HOUR if breach else rng.uniform(0.5, 10) * HOUR
        extra = {"breach_reason": tl.pick(vocab.BREACH_REASONS)} if breach else None
        triaged = clock.add_working(start, response)
        self.step(ref, triaged, theme.incident, "triaged", first, extra=extra)
        decided = when or clock.add_working(triaged, rng.uniform(2, 30) * HOUR)
        if outcome == "deferred":
            self.deferrals.append(Deferral(decided, theme, ref, client, first.login))
        elif outcome == "resolved":
            self.step(ref, decided, theme.incident, "resolved", first,
                      update="Ajuste hecho y desplegado con la siguiente versión.")
        elif outcome == "cancelled":
            earlier = [(t, r) for t, r in self.incidents_by_component.get(theme.component, []) if t < opened]
            related = {"related": [max(earlier, key=lambda e: e[0])[1]]} if earlier else {}
            self.step(ref, decided, theme.incident, "cancelled", first, extra=related)
        return ref


def incident_body(title: str, component: str, client: str, symptom: str) -> str:
    """The public description a reporter would write."""
    name = dict((c[0], c[1]) for c in vocab.COMPONENTS)[component]
    who = dict((c[0], c[1]) for c in vocab.CLIENTS)[client]
    return f"## Qué ocurre\n\n{title}. {symptom}\n\n## A quién afecta\n\nUsuarios de {who} en {name}.\n"
