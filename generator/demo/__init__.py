"""A year of a maintenance service's life, synthesized as a gitdesk repo.

Two stages, one way:

* :func:`build_plan` is pure: a seeded :class:`random.Random` and a fixed end
  date (:data:`END`) turn into a :class:`Plan`: the files of the first commit
  and a list of :class:`Change`\\ s, each one landed commit on ``main`` with
  the ticket edits it carries. No wall clock, no file system: the same seed
  gives the same plan, so the same repo, byte for byte.
* :func:`write_plan` replays the plan into a :class:`~gitdesk.history.fastimport.FastImport`
  stream: most changes as PR branches merged with ``--no-ff`` (the merge's
  committer time is the landed time the SLA clock reads), some squashes, a few
  direct commits.

Times are planned on the same business calendar the SLA stage counts on, so
the figures a newcomer sees (mean P1 resolution near 4 h, a few breaches, each
with its reason) come out as designed rather than by luck: every clock meant
to be met stays under 85 % of its target, every breach is over 115 %.
"""

from __future__ import annotations

import enum
import json
import math
import random
import subprocess
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

import yaml

from gitdesk.demo import vocab
from gitdesk.pipeline import DEFAULT_MKDOCS
from gitdesk.sla.calendars import Calendar
from gitdesk.config import ALWAYS, Config, parse_config
from gitdesk.demo.vocab import Person, Theme
from gitdesk.history.fastimport import FastImport
from gitdesk.model import Kind

SEED = 20261120
MADRID = ZoneInfo("Europe/Madrid")
#: The demo's "now": the history ends on a Friday afternoon, whatever today is.
END = datetime(2026, 11, 20, 17, 45, tzinfo=MADRID)
DEMO_NOW = END

#: Met clocks stay under this share of their target; breaches go over BREACH_SHARE.
SAFE_SHARE = 0.85
BREACH_SHARE = 1.15
#: share of random tickets that breach a target (P1/P2 resolution, P3 response); P0 breaches are scripted
BREACH_RATES = {"P1": 0.04, "P2": 0.03, "P3": 0.02}
HOUR = 3600


@dataclass(frozen=True)
class DemoSize:
    """How much life to synthesize."""

    name: str
    days: int
    incidents: int
    planned_items: int
    decisions: int
    windows: int


SIZES: dict[str, DemoSize] = {
    "full": DemoSize("full", 365, 300, 38, 35, 9),
    "small": DemoSize("small", 61, 30, 4, 3, 1),
}


# --- the plan ---------------------------------------------------------------------


class Ref:
    """A ticket whose id is given when the plan is replayed (ids follow landing order)."""

    def __init__(self, kind: Kind, fixed: str | None = None) -> None:
        self.kind = kind
        self.id: str | None = fixed
        self.year: int | None = None

    @property
    def path(self) -> str:
        assert self.id is not None, "ids are assigned before paths are asked for"
        if self.kind is Kind.INCIDENT:
            return f"{self.kind.folder}/{self.year}/{self.id}.md"
        return f"{self.kind.folder}/{self.id}.md"

    def __str__(self) -> str:
        assert self.id is not None
        return self.id


class Fmt:
    """Text naming tickets whose ids are not known yet: ``Fmt("see {}", ref)``."""

    def __init__(self, template: str, *refs: Ref) -> None:
        self.template = template
        self.refs = refs

    def __str__(self) -> str:
        return self.template.format(*(str(r) for r in self.refs))


class Style(str, enum.Enum):
    """How a change lands on main."""

    MERGE = "merge"    # PR branch + --no-ff merge commit
    SQUASH = "squash"  # one commit on main, authored earlier
    DIRECT = "direct"  # pushed straight to main


@dataclass
class Edit:
    """What one change does to one ticket: set fields, append to lists, replace the body."""

    ref: Ref
    set: dict[str, Any] = field(default_factory=dict)
    append: dict[str, Any] = field(default_factory=dict)
    body: str | None = None
    create: bool = False


@dataclass
class Change:
    """One landed commit on main."""

    when: datetime
    message: str | Fmt
    edits: list[Edit]
    style: Style
    author: Person
    #: how long before landing the work was authored (clamped by the writer)
    lead: timedelta = timedelta(0)
    #: planning order: breaks ties between changes planned for the same second
    seq: int = 0


@dataclass
class Plan:
    start: datetime
    end: datetime
    static: dict[str, str]
    changes: list[Change]
    setup_at: datetime


# --- the planner ------------------------------------------------------------------


def demo_config_text() -> str:
    """The demo's gitdesk.yml (valid against the config schema; see the test)."""
    components = "\n".join(f"  - {{id: {cid}, name: \"{name}\", group: {group}}}" for cid, name, group in vocab.COMPONENTS)
    clients = "\n".join(f"  - {{id: {cid}, name: {name}, components: [{', '.join(comps)}]}}" for cid, name, comps, _ in vocab.CLIENTS)
    hours = "\n".join(f"      {d}: [\"09:00-14:00\", \"15:00-18:00\"]" for d in ("mon", "tue", "wed", "thu", "fri"))
    return f"""\
# A demo service desk, generated by `gitdesk demo`: a year of an ERP maintenance
# service for two clients. Every ticket change landed on main through Git.
title: {vocab.TITLE}
timezone: Europe/Madrid
default_visibility: public

components:
{components}

calendars:
  business:
    timezone: Europe/Madrid
    hours:
{hours}
    holidays: {{country: ES, subdiv: MD}}
    extra_holidays: ["2025-12-24", "2025-12-31", "2026-12-24", "2026-12-31"]

sla:
  clock: landed
  pause_statuses: [waiting]
  at_risk: 0.75
  min_compliance: 0.9
  targets:
    P0: {{calendar: always,   response: 15m, mitigation: 1h, resolution: 4h}}
    P1: {{calendar: business, response: 1h,  resolution: 8h}}
    P2: {{calendar: business, response: 4h,  resolution: 40h}}
    P3: {{calendar: business, response: 16h}}

uptime: {{target: 99.8, notice: 48h, windows: [30, 90]}}

clients:
{clients}
"""


#: the site's own pages beside the generated ones (mkdocs.yml is the site stage's default)
ABOUT_MD = """\
# About this service

Acme ERP is maintained under a maintenance and evolution agreement: incidents
are resolved, problems prevented, dependencies kept up to date and the system
improved with planned changes.

## What it covers

- Incident support: analysis, reproduction, resolution and follow-up.
- Fixes: bugs, data errors, inconsistencies and functional failures.
- Preventive maintenance: dependency review, reasonable updates, basic hardening.
- Evolution: planned improvements (new screens, process adjustments, automations).

Large new modules, complex infrastructure changes and third-party tools are
estimated separately. There is no 24/7 on-call except for P0 (system down).

## Severities

| severity | meaning | response | resolution |
|---|---|---|---|
| P0 | system down or blocked | 15 min, 24/7 | 4 h (mitigation 1 h) |
| P1 | key function affected | 1 working hour | 8 working hours |
| P2 | annoying or intermittent error | 4 working hours | 40 working hours |
| P3 | minor adjustment or improvement | 16 working hours | goes to the backlog |

Working hours: Monday to Friday 09:00–14:00 and 15:00–18:00 (Madrid), except
public holidays. Maintenance windows are announced at least 48 hours ahead.
"""

README = """\
# Acme ERP — service desk (demo)

This repository was generated by `gitdesk demo`. It holds a year of an ERP
maintenance service for two clients (Acme Corp and Norte Logística):
incidents under `tickets/incidents/`, decisions under `tickets/decisions/`,
maintenance windows under `tickets/maintenance/`, the evolution backlog under
`backlog/` and runbooks under `runbooks/`.

Every change landed on `main` as a commit, mostly through pull requests; the
SLA clocks are read from those landed times:

    gitdesk validate
    gitdesk sla --now 2026-11-20T17:45:00+01:00
    gitdesk history INC-0001
    gitdesk serve
"""


class Planner:
    """Builds a :class:`Plan`; all randomness comes from one seeded generator."""

    def __init__(self, size: DemoSize, seed: int) -> None:
        self.size = size
        self.seed = seed
        self.rng = random.Random(seed)
        self.end = END
        self.start = (END - timedelta(days=size.days)).replace(hour=9, minute=0)
        problems, config = parse_config(demo_config_text())
        assert config is not None, problems
        self.config: Config = config
        # the SLA stage's own calendars: planned times are the exact inverse of how clocks are counted
        self.business = Calendar(config.calendar("business"))
        self.always = Calendar(config.calendar(ALWAYS))
        self.changes: list[Change] = []
        self.client_components = {cid: comps for cid, _, comps, _ in vocab.CLIENTS}
        self.incidents_by_component: dict[str, list[tuple[datetime, Ref]]] = {}
        self.deferrals: list[tuple[datetime, Theme, Ref, str, str]] = []
        self.items: dict[str, tuple[Ref, datetime | None]] = {}  # theme item title -> (ref, done at)
        self.delivered: dict[str, int] = {}  # "YYYY-MM" -> backlog items done
        self.scripted_incidents = 0  # set by stories(); random incidents make up the rest
        self.late_notice_decision = self.end  # set by stories(): when the 72-hour notice decision is proposed

    # -- basics --

    def land(self, when: datetime, message: str | Fmt, edits: list[Edit], author: Person,
             style: Style | None = None, lead_minutes: float | None = None) -> bool:
        """Queue one landed commit; changes after the end of the story never happen."""
        if when > self.end:
            return False
        if style is None:
            style = self.rng.choices((Style.MERGE, Style.SQUASH, Style.DIRECT), (70, 20, 10))[0]
        if lead_minutes is None:
            lead_minutes = self.rng.uniform(4, 90) if style is not Style.DIRECT else 0
        self.changes.append(Change(when, message, edits, style, author, timedelta(minutes=lead_minutes), len(self.changes)))
        return True

    def frac(self, share: float) -> datetime:
        """A point ``share`` of the way through the story."""
        return self.start + (self.end - self.start) * share

    def workday_at(self, when: datetime, hour: int, minute: int = 0) -> datetime:
        """``when``'s day at hh:mm, moved forward to the next working day if needed."""
        moment = datetime.combine(when.astimezone(MADRID).date(), time(hour, minute), MADRID)
        while not self.business.working_seconds(moment, moment + timedelta(minutes=1)):
            moment = datetime.combine(moment.date() + timedelta(days=1), time(hour, minute), MADRID)
        return moment

    def office_time(self, day: date) -> datetime:
        """A random moment of working time on or after ``day``."""
        moment = datetime.combine(day, time(9), MADRID)
        return self.business.add_working(moment, self.rng.uniform(0, 8 * HOUR - 60))

    def ramp(self, growth: float = 3.0) -> float:
        """A share of the story drawn with density rising linearly (1 + growth·x): the service grows."""
        u = self.rng.random()
        return (-1 + math.sqrt(1 + 4 * (growth / 2) * (1 + growth / 2) * u)) / growth

    def capacity(self, when: datetime) -> int:
        """Backlog items the team can finish in ``when``'s month: 2 at the start of the story, 12 at its end."""
        return round(2 + 10 * (when - self.start) / (self.end - self.start))

    def person(self, level: str) -> Person:
        return self.rng.choice([p for p in vocab.TEAM if p.level == level])

    def pick(self, options: Iterable[str]) -> str:
        return self.rng.choice(tuple(options))

    # -- the whole story --

    def plan(self) -> Plan:
        for stage in (self.runbooks, self.maintenance, self.stories, self.random_incidents, self.resolve_deferrals,
                      self.planned_items, self.decisions):
            # one random stream per stage: tuning one part of the story leaves the others as they were
            self.rng = random.Random(f"{self.seed}/{stage.__name__}")
            stage()
        static = {
            "gitdesk.yml": demo_config_text(),
            "mkdocs.yml": DEFAULT_MKDOCS.format(title=json.dumps(vocab.TITLE, ensure_ascii=False)),
            "docs/about.md": ABOUT_MD,
            "README.md": README,
            ".gitignore": "site/\nsite-*/\n.gitdesk-cache/\n",  # site-*: where `make demo` builds
        }
        static.update(self.runbook_files)
        return Plan(self.start, self.end, static, self.changes, self.start - timedelta(days=10))

    # -- incidents --

    def incident_mix(self, count: int) -> list[str]:
        """Severities in the realistic proportions (P0 rare, P3 the bulk), shuffled."""
        shares = (("P0", 0.01), ("P1", 0.12), ("P2", 0.40))
        mix = [sev for sev, share in shares for _ in range(max(1 if sev != "P0" else 0, round(count * share)))]
        mix += ["P3"] * (count - len(mix))
        self.rng.shuffle(mix)
        return mix

    def open_time(self, severity: str) -> datetime:
        """When a random incident lands: more of them as the service grows, mostly in office hours."""
        while True:
            day = (self.start + timedelta(days=1) + (self.end - self.start - timedelta(days=2)) * self.ramp()).date()
            if severity == "P0" or self.rng.random() < 0.12:
                moment = datetime.combine(day, time(self.rng.randrange(0, 24), self.rng.randrange(60)), MADRID)
            else:
                moment = self.office_time(day)
            if self.start < moment < self.end:
                return moment

    def random_incidents(self) -> None:
        count = self.size.incidents - self.scripted_incidents
        late = self.end - timedelta(days=25)
        specs = []
        for severity in self.incident_mix(count):
            opened = self.open_time(severity)
            client = self.rng.choices([c[0] for c in vocab.CLIENTS], [c[3] for c in vocab.CLIENTS])[0]
            specs.append((opened, severity, client))
        specs.sort(key=lambda s: s[0])
        themes = [t for t in vocab.THEMES if t.incident != SEED_QUEUE_THEME]
        # A fixed share of breaches per severity (not a coin per ticket), so the compliance figures
        # hold whatever else the seed changes; only tickets that finish before the end may breach.
        breaches: set[int] = set()
        for severity, share in BREACH_RATES.items():
            eligible = [i for i, (opened, sev, _) in enumerate(specs) if sev == severity and opened < late]
            breaches.update(self.rng.sample(eligible, min(len(eligible), round(share * len(eligible)))))
        for index, (opened, severity, client) in enumerate(specs):
            comps = self.client_components[client]
            early = opened < late
            if severity == "P3":
                pool = [t for t in themes if t.component in comps]
                theme = self.rng.choice(pool)
                roll = self.rng.random()
                outcome = "deferred" if roll < 0.72 else "resolved" if roll < 0.92 else "cancelled"
                self.p3(opened, client, theme, outcome, breach=index in breaches)
                continue
            component = self.pick(c for c in comps if c in vocab.FAULTS[severity])
            title = self.pick(vocab.FAULTS[severity][component])
            if severity == "P0":
                self.p0(opened, client, component, title, breach=False)
            else:
                self.fault(opened, severity, client, component, title,
                           breach=index in breaches,
                           waiting=self.rng.random() < (0.2 if severity == "P1" else 0.25),
                           reopen=early and self.rng.random() < 0.06,
                           phone=self.rng.random() < 0.25,
                           internal=severity == "P2" and self.rng.random() < 0.05)

    def new_incident(self, opened: datetime, severity: str, client: str, component: str, title: str, *,
                     level: str = "L1", reporter: str | None = None, phone_minutes: float | None = None,
                     impact: str = "none", started_at: datetime | None = None, extra: dict[str, Any] | None = None,
                     status: str = "reported", body: str | None = None, author: Person | None = None,
                     style: Style | None = None) -> tuple[Ref, Person, datetime]:
        """Land the incident's first version; return it, its L1 person and its SLA start."""
        ref = Ref(Kind.INCIDENT)
        self.incidents_by_component.setdefault(component, []).append((opened, ref))
        first = author or self.person("L1")
        fields: dict[str, Any] = {
            "title": title, "severity": severity, "status": status, "client": client, "components": [component],
            "impact": impact, "level": level, "assignee": first.login,
            "reporter": reporter or self.pick(vocab.REPORTERS[client]), "reports": 1,
        }
        start = opened
        if phone_minutes is not None:
            start = opened - timedelta(minutes=phone_minutes)
            fields["reported_at"] = iso(start)
        if started_at is not None:
            fields["started_at"] = iso(min(started_at, opened))
        fields["update"] = self.pick(vocab.UPDATES[status])
        if self.rng.random() < 0.3:
            fields["internal"] = {"notes": self.pick(vocab.INTERNAL_NOTES)}
        fields.update(extra or {})
        text = body or incident_body(title, component, client, self.pick(vocab.SYMPTOMS[severity]))
        self.land(opened, Fmt(f"{{}}: {status} — {title}", ref), [Edit(ref, set=fields, body=text, create=True)], first,
                  style=style or (Style.DIRECT if severity == "P0" else None))
        return ref, first, start

    def step(self, ref: Ref, when: datetime, title: str, status: str, who: Person, *, update: str | Fmt | None = None,
             extra: dict[str, Any] | None = None, style: Style | None = None) -> bool:
        fields: dict[str, Any] = {"status": status, "update": update or self.pick(vocab.UPDATES[status])}
        fields.update(extra or {})
        return self.land(when, Fmt(f"{{}}: {status} — {title}", ref), [Edit(ref, set=fields)], who, style=style)

    def postmortem(self, component: str, severity: str) -> dict[str, str]:
        if severity == "P0":
            cause, fix, prevent = vocab.P0_CAUSES[component]
        else:
            cause, fix, prevent = self.rng.choice(vocab.CAUSES)
        return {"root_cause": cause, "resolution": fix, "prevention": prevent}

    def p0(self, opened: datetime, client: str, component: str, title: str, *, breach: bool) -> Ref:
        """System down: 24/7 clock, direct commits, L1→L2→L3 (→L4 when it breaches), postmortem."""
        clock, rng = self.always, self.rng
        began = opened - timedelta(minutes=rng.uniform(6, 14))
        ref, first, start = self.new_incident(opened, "P0", client, component, title, phone_minutes=rng.uniform(2, 5),
                                              impact="outage", started_at=began)
        l2, l3 = self.person("L2"), self.person("L3")

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
        self.step(ref, self.workday_at(resolved + timedelta(days=3), 10, rng.randrange(60)), title, "closed", l3)
        return ref

    def fault(self, opened: datetime, severity: str, client: str, component: str, title: str, *, breach: bool,
              waiting: bool, reopen: bool, phone: bool, internal: bool = False, reports: int = 1,
              upgrade_at: float | None = None, mitigate: bool | None = None, hours: float | None = None) -> Ref:
        """A P1/P2 on the business calendar: response, escalation, maybe a pause, resolution, maybe a reopen."""
        rng, clock = self.rng, self.business
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

        helper = self.person("L2") if rng.random() < 0.6 or severity == "P1" else first
        self.step(ref, at(response), title, "investigating", helper,
                  extra={"level": helper.level, "assignee": helper.login} if helper is not first else None)
        owner = helper
        if upgrade_at is not None:
            self.step(ref, at(upgrade_at * total), title, "investigating", owner, extra={"severity": "P1"},
                      update="Se eleva a P1: afecta al cierre diario del cliente.")
        if rng.random() < (0.3 if severity == "P1" else 0.1):
            owner = self.person("L3")
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
            done["breach_reason"] = self.pick(vocab.BREACH_REASONS)
        resolved = at(total)
        if not self.step(ref, resolved, title, "resolved", owner, extra=done):
            return ref
        if reopen:
            back = self.office_time((resolved + timedelta(days=rng.randint(1, 4))).date())
            self.step(ref, back, title, "investigating", owner, extra={"reports": reports + 1},
                      update="El cliente informa de que vuelve a ocurrir; reabrimos.")
            resolved = clock.add_working(back, rng.uniform(0.8, 3) * HOUR)
            self.step(ref, resolved, title, "resolved", owner, update="Corregido también el caso que faltaba; verificado con el cliente.")
        if rng.random() < 0.5:
            self.step(ref, self.workday_at(resolved + timedelta(days=rng.randint(3, 7)), 9, rng.randrange(50)),
                      title, "closed", first, style=Style.DIRECT)
        return ref

    def p3(self, opened: datetime, client: str, theme: Theme, outcome: str, *, breach: bool = False,
           when: datetime | None = None) -> Ref:
        """A minor request: triage within 16 working hours, then mostly deferred to the backlog."""
        rng, clock = self.rng, self.business
        ref, first, start = self.new_incident(opened, "P3", client, theme.component, theme.incident)
        response = rng.uniform(1.15, 1.4) * 16 * HOUR if breach else rng.uniform(0.5, 10) * HOUR
        extra = {"breach_reason": self.pick(vocab.BREACH_REASONS)} if breach else None
        triaged = clock.add_working(start, response)
        self.step(ref, triaged, theme.incident, "triaged", first, extra=extra)
        decided = when or clock.add_working(triaged, rng.uniform(2, 30) * HOUR)
        if outcome == "deferred":
            self.deferrals.append((decided, theme, ref, client, first.login))
        elif outcome == "resolved":
            self.step(ref, decided, theme.incident, "resolved", first,
                      update="Ajuste hecho y desplegado con la siguiente versión.")
        elif outcome == "cancelled":
            earlier = [(t, r) for t, r in self.incidents_by_component.get(theme.component, []) if t < opened]
            related = {"related": [max(earlier, key=lambda e: e[0])[1]]} if earlier else {}
            self.step(ref, decided, theme.incident, "cancelled", first, extra=related)
        return ref

    def resolve_deferrals(self) -> None:
        """Deferred P3s become backlog items (or join one), in the order they landed."""
        for decided, theme, ref, client, login in sorted(self.deferrals, key=lambda d: d[0]):
            who = next(p for p in vocab.TEAM if p.login == login)
            known = self.items.get(theme.item)
            if known and known[1] is not None and known[1] <= decided:
                self.step(ref, decided, theme.incident, "resolved", who, extra={"related": [known[0]]},
                          update=Fmt("Ya disponible: se entregó con {}.", known[0]))
                continue
            if known:
                item = known[0]
                edits = [Edit(item, append={"origin": ref})]
            else:
                item = Ref(Kind.BACKLOG)
                edits = self.new_item(item, theme.item, theme.category, theme.effort, theme.impact, theme.component,
                                      client, origin=[ref])
            fields = {"status": "deferred", "related": [item],
                      "update": Fmt("Es una mejora: pasa al backlog evolutivo como {}.", item)}
            edits.insert(0, Edit(ref, set=fields))
            if self.land(decided, Fmt("{}: deferred to {} — " + theme.incident, ref, item), edits, who) and not known:
                done = self.item_lifecycle(item, decided, theme.effort, seed_queue=theme.incident == SEED_QUEUE_THEME)
                self.items[theme.item] = (item, done)

    # -- backlog --

    def new_item(self, item: Ref, title: str, category: str, effort: str, impact: tuple[str, str, str],
                 component: str, client: str | None, origin: list[Ref] | None = None) -> list[Edit]:
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

    def item_lifecycle(self, item: Ref, created: datetime, effort: str, *, seed_queue: bool = False) -> datetime | None:
        """proposed → accepted → planned → in-progress → done; returns when it is done (None if not by the end)."""
        rng = self.rng
        scale = {"XS": 0.5, "S": 0.8, "M": 1.2, "L": 2.0, "XL": 3.0}[effort]
        manager, dev = vocab.MANAGER, self.person(rng.choice(("L2", "L3")))
        if seed_queue:
            accepted = self.office_time((created + timedelta(days=1)).date())
            self.land(accepted, Fmt("{}: accepted", item), [Edit(item, set={"status": "accepted"})], manager)
            self.land(self.office_time((accepted + timedelta(days=1)).date()), Fmt("{}: planned for 2027-Q2", item),
                      [Edit(item, set={"status": "planned", "target": "2027-Q2"})], manager)
            return None
        if rng.random() < 0.08:
            self.land(self.office_time((created + timedelta(days=rng.randint(3, 15))).date()), Fmt("{}: rejected", item),
                      [Edit(item, set={"status": "rejected"},
                            body=f"## Decisión\n\nRechazado en la revisión del backlog: el impacto no compensa el esfuerzo ({effort}).\n")],
                      manager)
            return None
        if effort == "XL":
            self.land(self.office_time((created + timedelta(days=rng.randint(5, 20))).date()),
                      Fmt("{}: accepted (separate estimate)", item), [Edit(item, set={"status": "accepted"})], manager)
            return None
        accepted = self.office_time((created + timedelta(days=rng.uniform(1, 6))).date())
        planned = self.office_time((accepted + timedelta(days=rng.uniform(1, 8))).date())
        # Delivery speeds up as the service matures: done dates follow a ramp and each month has a
        # capacity growing from 2 to 12 items, so the last months deliver about a dozen each.
        earliest = planned + timedelta(days=rng.uniform(3, 10) * scale)
        queued = self.end + timedelta(days=rng.uniform(5, 60))
        wanted = next((w for w in (self.frac(self.ramp(3.0)) for _ in range(6)) if w > earliest), queued)
        if rng.random() < 0.12:  # a living backlog: some accepted work is still queued at the end
            wanted = queued
        done = self.office_time(wanted.date())
        while done <= self.end and self.delivered.get(done.strftime("%Y-%m"), 0) >= self.capacity(done):
            next_month = (done.replace(day=28) + timedelta(days=4)).replace(day=1)
            done = self.office_time((next_month + timedelta(days=rng.uniform(0, 12))).date())
        if done <= self.end:
            self.delivered[done.strftime("%Y-%m")] = self.delivered.get(done.strftime("%Y-%m"), 0) + 1
        started = self.office_time(max(planned + timedelta(days=1), done - timedelta(days=rng.uniform(2, 9) * scale)).date())
        target = f"{done.year}-Q{(done.month - 1) // 3 + 1}"
        self.land(accepted, Fmt("{}: accepted", item), [Edit(item, set={"status": "accepted"})], manager)
        self.land(planned, Fmt(f"{{}}: planned for {target}", item), [Edit(item, set={"status": "planned", "target": target})], manager)
        self.land(started, Fmt("{}: in progress", item), [Edit(item, set={"status": "in-progress", "assignee": dev.login})], dev)
        if not self.land(done, Fmt("{}: done", item), [Edit(item, set={"status": "done"})], dev):
            return None
        return done

    def planned_items(self) -> None:
        """Work the team proposes itself: preventive tasks, automation, reports."""
        chosen = self.rng.sample(vocab.PLANNED, self.size.planned_items)
        for component, title, category, effort, impact in chosen:
            created = self.office_time(self.frac(0.02 + 0.9 * self.ramp(2.5)).date())
            item = Ref(Kind.BACKLOG)
            # service-wide work: no client, every client's backlog shows it
            if self.land(created, Fmt(f"{{}}: proposed — {title}", item),
                         self.new_item(item, title, category, effort, impact, component, None), vocab.MANAGER):
                self.item_lifecycle(item, created, effort)

    # -- decisions --

    def decision(self, when: datetime, title: str, context: str, decision: str, consequences: str,
                 components: tuple[str, ...] = (), *, outcome: str = "accepted", supersedes: Ref | None = None,
                 internal: bool = False) -> Ref:
        ref = Ref(Kind.DECISION)
        author = self.rng.choice((vocab.MANAGER, self.person("L3")))
        fields: dict[str, Any] = {"title": title, "status": "proposed", "date": when.date().isoformat(),
                                  "deciders": sorted({vocab.MANAGER.login, author.login})}
        if components:
            fields["components"] = list(components)
        if internal:
            fields["visibility"] = "internal"
        body = f"## Context\n\n{context}\n\n## Decision\n\n{decision}\n\n## Consequences\n\n{consequences}\n"
        self.land(when, Fmt(f"{{}}: propose — {title}", ref), [Edit(ref, set=fields, body=body, create=True)], author,
                  style=Style.MERGE)
        if outcome == "proposed":
            return ref
        decided = self.office_time((when + timedelta(days=self.rng.randint(1, 6))).date())
        edits = [Edit(ref, set={"status": outcome, "date": decided.date().isoformat()})]
        if supersedes is not None and outcome == "accepted":
            edits[0].set["supersedes"] = supersedes
            edits.append(Edit(supersedes, set={"status": "superseded", "superseded_by": ref}))
        self.land(decided, Fmt(f"{{}}: {outcome} — {title}", ref), edits, vocab.MANAGER, style=Style.MERGE)
        return ref

    def decisions(self) -> None:
        chains = ((vocab.WINDOW_CHAIN, (0.01, 0.45, None)), (vocab.BACKUP_CHAIN, (0.05, 0.6)))
        for chain, shares in chains:
            previous: Ref | None = None
            for (title, context, decision, consequences), share in zip(chain, shares):
                # the last window decision answers the late announcement; earlier links come before it
                when = self.late_notice_decision if share is None else self.office_time(
                    min(self.frac(share), self.late_notice_decision - timedelta(days=7 * (2 - chain.index((title, context, decision, consequences))))).date())
                previous = self.decision(when, title, context, decision, consequences, supersedes=previous)
        count = self.size.decisions
        picks = vocab.DECISIONS[:count]
        for index, (title, context, decision, consequences, components) in enumerate(picks):
            share = 0.03 + 0.9 * index / max(1, count)
            outcome = "proposed" if index >= count - 2 and count > 3 else "accepted"
            if index in REJECTED_DECISIONS:
                outcome = "rejected"
            ref = self.decision(self.office_time(self.frac(share).date()), title, context, decision, consequences,
                                components, outcome=outcome, internal=index == INTERNAL_DECISION)
            if index == DEPRECATED_DECISION and outcome == "accepted":
                self.land(self.office_time(self.frac(0.97).date()), Fmt(f"{{}}: deprecated — {title}", ref),
                          [Edit(ref, set={"status": "deprecated"})], vocab.MANAGER)

    # -- maintenance, the scripted stories, runbooks --

    def window(self, starts: datetime, minutes: int, title: str, components: list[str], impact: str, *,
               notice: timedelta, status_after: str = "completed") -> Ref:
        ref = Ref(Kind.MAINTENANCE)
        who = self.person("L3")
        ends = starts + timedelta(minutes=minutes)
        fields = {"title": title, "starts_at": iso(starts), "ends_at": iso(ends), "status": "scheduled",
                  "components": components, "impact": impact,
                  "update": "Ventana programada; el servicio puede no estar disponible durante la intervención."}
        body = f"{title}.\n\nDurante la ventana los módulos afectados pueden no responder.\n"
        self.land(starts - notice, Fmt(f"{{}}: schedule — {title}", ref), [Edit(ref, set=fields, body=body, create=True)], who,
                  style=Style.MERGE)
        if status_after == "cancelled":
            self.land(starts - notice / 2, Fmt("{}: cancelled", ref),
                      [Edit(ref, set={"status": "cancelled", "update": "Ventana cancelada: el cambio se aplaza."})], who)
        else:
            self.land(self.workday_at(ends + timedelta(hours=6), 9, 10 + self.rng.randrange(30)), Fmt("{}: completed", ref),
                      [Edit(ref, set={"status": "completed", "update": "Completada sin incidencias."})], who, style=Style.DIRECT)
        return ref

    def tuesday_window(self, around: datetime) -> datetime:
        day = around.date()
        while day.weekday() != 1:
            day += timedelta(days=1)
        return datetime.combine(day, time(21), MADRID)

    def maintenance(self) -> None:
        """Regular windows (Thursdays until the window decision moved them to Tuesdays) and the next one."""
        rng, end = self.rng, self.end
        for index in range(self.size.windows):
            share = 0.06 + 0.8 * index / max(1, self.size.windows)
            starts = self.tuesday_window(self.frac(share))
            if share < 0.45:
                starts = starts + timedelta(days=2, hours=1)
            title, comps = vocab.WINDOWS[index % len(vocab.WINDOWS)]
            self.window(starts, rng.choice((45, 60, 90)), title, list(comps), rng.choice(("outage", "degraded")),
                        notice=timedelta(days=rng.randint(3, 8), hours=rng.randint(0, 5)),
                        status_after="cancelled" if index == 3 else "completed")
        upcoming = self.tuesday_window(end + timedelta(days=1))
        self.window(upcoming, 60, "Actualización del módulo contable a v3.2.1", ["accounting"], "degraded",
                    notice=upcoming - self.workday_at(end - timedelta(days=2), 11, 20))

    def stories(self) -> None:
        """The stories every demo tells, whatever its size, placed counting back from the end."""
        end = self.end
        count = 0
        # The window announced too late: its outage counts against uptime, and a P1 records it.
        late = self.tuesday_window(end - timedelta(days=46))
        self.window(late, 90, "Migración de la base de datos de facturación", ["billing"], "outage",
                    notice=timedelta(hours=28, minutes=30))
        title = "Facturación no disponible durante la migración"
        ref, first, start = self.new_incident(late + timedelta(minutes=6), "P1", "acme", "billing", title, impact="outage",
                                              started_at=late, level="L3", author=self.person("L3"), status="investigating",
                                              phone_minutes=3)
        self.step(ref, late + timedelta(minutes=96), title, "resolved", self.person("L3"), extra={
            "root_cause": "La ventana se anunció con 28 horas de antelación, por debajo de las 48 horas del contrato.",
            "resolution": "La migración terminó a las 22:30 y se verificó la emisión de facturas.",
            "prevention": "Las ventanas se anuncian con al menos 72 horas (decisión de ventanas actualizada).",
        }, style=Style.SQUASH)
        self.late_notice_decision = self.office_time((late + timedelta(days=3)).date())
        count += 1

        # P0: login down, L1 → L2 → L3, mitigated within the hour.
        self.p0(datetime.combine((end - timedelta(days=40)).date(), time(11, 20), MADRID), "acme", "auth",
                vocab.FAULTS["P0"]["auth"][0], breach=False)
        # P0 over its mitigation target, escalated to L4, with its reason.
        self.p0(datetime.combine((end - timedelta(days=52)).date(), time(7, 40), MADRID), "norte", "api",
                vocab.FAULTS["P0"]["api"][0], breach=True)
        count += 2
        # P1 over its resolution target, with its reason.
        self.fault(self.workday_at(end - timedelta(days=33), 10, 5), "P1", "acme", "accounting",
                   "Descuadre en el cierre mensual del módulo contable", breach=True, waiting=False, reopen=False, phone=True)
        # P1 reopened after the client saw it again.
        self.fault(self.workday_at(end - timedelta(days=26), 9, 40), "P1", "acme", "billing", "Facturas duplicadas al reintentar el envío",
                   breach=False, waiting=False, reopen=True, phone=False, mitigate=True)
        # P2 paused while waiting on the client.
        self.fault(self.workday_at(end - timedelta(days=19), 12, 15), "P2", "acme", "reports", "Informe de márgenes con totales descuadrados",
                   breach=False, waiting=True, reopen=False, phone=False, reports=2)
        # P2 raised to P1 once its impact was clear.
        self.fault(self.workday_at(end - timedelta(days=12), 9, 30), "P1", "norte", "integrations", "Pedidos sin sincronizar con el almacén",
                   breach=False, waiting=False, reopen=False, phone=True, upgrade_at=0.15)
        # This month's P1s for the first client, so its status page shows a mean P1 resolution near 4 h.
        self.fault(self.workday_at(end - timedelta(days=10), 10, 20), "P1", "acme", "auth", "Usuarios bloqueados tras cambiar la contraseña",
                   breach=False, waiting=False, reopen=False, phone=True, hours=3.6)
        self.fault(self.workday_at(end - timedelta(days=5), 9, 50), "P1", "acme", "billing", "El envío de facturas por correo falla",
                   breach=False, waiting=False, reopen=False, phone=False, hours=4.4, mitigate=True)
        count += 6
        # Out of scope: a third-party SaaS problem carries no SLA.
        oos = "Las campañas del SaaS de marketing no se envían"
        ref, first, start = self.new_incident(self.workday_at(end - timedelta(days=15), 16, 10), "P2", "norte", "integrations", oos,
                                              extra={"coverage": "out-of-scope"})
        self.step(ref, self.workday_at(end - timedelta(days=14), 10, 0), oos, "closed", first,
                  update="Fuera del alcance del contrato: es un problema del proveedor del SaaS; se le deriva.")
        count += 1
        # An internal-only alert: never on a client site, only on the internal one.
        disk = "Alerta de disco lleno en el servidor de copias"
        ref, first, start = self.new_incident(self.workday_at(end - timedelta(days=23), 9, 5), "P2", "acme", "billing", disk,
                                              extra={"visibility": "internal",
                                                     "internal": {"notes": "Ampliado el volumen de copias de 500 GB a 1 TB; coste a repercutir."}},
                                              reporter="monitorización")
        l2 = self.person("L2")
        self.step(ref, self.business.add_working(start, 0.5 * HOUR), disk, "investigating", l2, extra={"level": "L2", "assignee": l2.login})
        self.step(ref, self.business.add_working(start, 3 * HOUR), disk, "resolved", l2,
                  update="Volumen ampliado; las copias de la noche se completan.")
        count += 1
        # The queue at the end of the story, as in the seeds: a P1 in progress for 2 h, a P2 reported ×3, a P3 deferred.
        export = "Error exportación contabilidad"
        opened = datetime.combine(end.date(), time(15, 35), MADRID)
        ref, first, start = self.new_incident(opened, "P1", "acme", "accounting", export, impact="degraded",
                                              started_at=opened - timedelta(minutes=30), reporter="Carmen López (Acme)")
        l2 = self.person("L2")
        self.step(ref, opened + timedelta(minutes=18), export, "investigating", l2, extra={"level": "L2", "assignee": l2.login},
                  update="Reproducido en staging: falla la exportación del libro diario en v3.2.")
        slow = "Filtro lento en listado pedidos"
        opened = datetime.combine((end - timedelta(days=1)).date(), time(16, 5), MADRID)
        ref, first, start = self.new_incident(opened, "P2", "norte", "orders", slow, impact="degraded")
        self.step(ref, self.business.add_working(opened, 1.2 * HOUR), slow, "triaged", first)
        self.step(ref, self.business.add_working(opened, 2.5 * HOUR), slow, "triaged", first, extra={"reports": 3},
                  update="Otros dos usuarios lo reportan: el filtro por fecha tarda más de 20 segundos.")
        waiting = "Los widgets del dashboard tardan en cargar"
        opened = self.workday_at(end - timedelta(days=6), 10, 45)
        ref, first, start = self.new_incident(opened, "P2", "norte", "dashboard", waiting)
        self.step(ref, self.business.add_working(opened, 1.5 * HOUR), waiting, "investigating", first)
        self.step(ref, self.business.add_working(opened, 6 * HOUR), waiting, "waiting", first,
                  update="Necesitamos una captura de la consola del navegador del cliente.")
        # A P2 at risk: 31 of its 40 working hours used when the story ends (the at-risk share is 75 %).
        stock = "Stock desincronizado en artículos con variantes"
        opened = self.workday_at(end - timedelta(days=6), 9, 0)
        while self.business.working_seconds(opened, end) < 31 * HOUR:
            opened = self.workday_at(opened - timedelta(days=1), 9, 0)
        opened = self.business.add_working(opened, self.business.working_seconds(opened, end) - 31 * HOUR)
        ref, first, start = self.new_incident(opened, "P2", "norte", "integrations", stock, impact="degraded")
        l2 = self.person("L2")
        self.step(ref, self.business.add_working(opened, 1 * HOUR), stock, "triaged", first)
        self.step(ref, self.business.add_working(opened, 3 * HOUR), stock, "investigating", l2,
                  extra={"level": "L2", "assignee": l2.login})
        self.step(ref, self.business.add_working(opened, 20 * HOUR), stock, "identified", l2,
                  update="Reproducido: el conector del almacén ignora las variantes; la corrección toca el conector.")
        theme = next(t for t in vocab.THEMES if t.incident == SEED_QUEUE_THEME)
        self.p3(self.workday_at(end - timedelta(days=4), 11, 0), "acme", theme, "deferred",
                when=self.workday_at(end - timedelta(days=3), 12, 30))
        count += 5
        self.scripted_incidents = count

    def runbooks(self) -> None:
        """Runbooks exist from the first commit; preventive ones log a run per landed commit."""
        rng = self.rng
        self.runbook_files: dict[str, str] = {}
        l2 = [p for p in vocab.TEAM if p.level == "L2"]
        reviewed = (self.start - timedelta(days=20)).date().isoformat()

        def preventive(slug: str, title: str, every: str, schedule: list[datetime], components: list[str],
                       owner: Person, body: str, *, failed: Callable[[datetime], str | None] = lambda _: None,
                       stop: datetime | None = None, internal: str | None = None) -> None:
            """Runs before the story are in the first commit; each later run lands as its own commit."""
            ref = Ref(Kind.RUNBOOK, slug)
            before = [{"at": iso(m), "result": "ok", "by": owner.login} for m in schedule if m < self.start]
            fields: dict[str, Any] = {"title": title, "components": components, "owner": owner.login,
                                      "last_reviewed": reviewed, "every": every, "runs": before[-3:]}
            if internal:
                fields["internal"] = {"notes": internal}
            self.runbook_files[ref.path] = render(Kind.RUNBOOK, fields, body)
            for moment in schedule:
                if moment < self.start or (stop is not None and moment >= stop):
                    continue
                at = self.business.add_working(moment, rng.uniform(0, 1.5 * HOUR))
                who = rng.choice(l2)
                run: dict[str, Any] = {"at": iso(at), "result": "ok", "by": who.login}
                note = failed(moment)
                if note:
                    run.update(result="failed", notes=note)
                self.land(at + timedelta(minutes=rng.uniform(20, 50)),
                          f"{slug}: run {at.date().isoformat()} {run['result']}", [Edit(ref, append={"runs": run})], who,
                          style=Style.DIRECT if rng.random() < 0.7 else Style.SQUASH, lead_minutes=10)

        def every(first: datetime, step: timedelta) -> list[datetime]:
            moments = [first]
            while moments[-1] + step <= self.end:
                moments.append(moments[-1] + step)
            return moments

        def weekday_on_or_after(weekday: int, day: date) -> datetime:
            while day.weekday() != weekday:
                day += timedelta(days=1)
            return datetime.combine(day, time(10), MADRID)

        origin = (self.start - timedelta(days=120)).date()
        broken = self.frac(0.55)
        preventive("backup-restore-test", "Prueba semanal de restauración de copias", "1 week",
                   every(weekday_on_or_after(0, origin), timedelta(weeks=1)), ["accounting", "billing"], l2[1], RESTORE_BODY,
                   failed=lambda m: ("La copia de las 02:00 estaba incompleta; se repite con la de las 08:00 y se abre incidencia interna."
                                     if m <= broken < m + timedelta(weeks=1) else None))
        preventive("log-review", "Revisión quincenal de logs y errores recurrentes", "2 weeks",
                   every(weekday_on_or_after(2, origin), timedelta(weeks=2)), ["orders", "api", "integrations"], l2[0], LOG_BODY)
        # Monthly dependency updates (first Tuesday): October's run failed and November's has not
        # happened, so the runbook is overdue at the end of the story.
        firsts = [date(origin.year + (origin.month - 1 + n) // 12, (origin.month - 1 + n) % 12 + 1, 1) for n in range(18)]
        preventive("dependency-updates", "Actualización mensual de dependencias", "1 month",
                   [weekday_on_or_after(1, d) for d in firsts if d < self.end.date()], [c[0] for c in vocab.COMPONENTS],
                   l2[1], DEPS_BODY, stop=datetime(2026, 11, 1, tzinfo=MADRID),
                   failed=lambda m: ("La nueva versión del ORM rompe la exportación contable; se revierte y se planifica."
                                     if (m.year, m.month) == (2026, 10) else None),
                   internal="Octubre falló por el ORM; noviembre pendiente de la ventana del día 24.")
        for slug, title, components, body, public in STATIC_RUNBOOKS:
            fields = {"title": title, "components": components, "owner": "elena.vidal",
                      "last_reviewed": (self.start - timedelta(days=30)).date().isoformat()}
            if public:
                fields["visibility"] = "public"
            self.runbook_files[f"runbooks/{slug}.md"] = render(Kind.RUNBOOK, fields, body)


SEED_QUEUE_THEME = "Mejora dashboard: filtros por estado"
#: indices into demo_vocab.DECISIONS: load tests and spreadsheet reports turned down, the
#: 5-minute warehouse sync retired by webhooks, the on-call refusal kept internal (commercial)
REJECTED_DECISIONS = (26, 31)
DEPRECATED_DECISION = 22
INTERNAL_DECISION = 23

RESTORE_BODY = """\
1. Tomar la copia más reciente del almacenamiento de copias.
2. Restaurarla en el servidor de staging (`restore.sh --latest --target staging`).
3. Comprobar que el último asiento contable y la última factura coinciden con producción.
4. Anotar el resultado en `runs`.
"""
LOG_BODY = """\
1. Revisar los errores más frecuentes de las dos últimas semanas.
2. Abrir una incidencia P3 o un evolutivo por cada patrón nuevo.
3. Anotar el resultado en `runs`.
"""
DEPS_BODY = """\
1. Listar dependencias con parches pendientes.
2. Actualizar las compatibles en una rama y pasar las pruebas.
3. Desplegar en la ventana de mantenimiento.
4. Las actualizaciones mayores van al backlog como evolutivo.
"""
STATIC_RUNBOOKS: tuple[tuple[str, str, list[str], str, bool], ...] = (
    ("report-an-incident", "Cómo reportar una incidencia", ["auth", "orders", "accounting"],
     "1. Escriba a soporte indicando qué ocurre, a quién afecta y desde cuándo.\n"
     "2. Adjunte capturas o el mensaje de error.\n3. Si el sistema está caído (P0), llame además al teléfono de guardia.\n", True),
    ("rollback-release", "Volver a la versión anterior", ["orders", "accounting", "billing"],
     "1. Identificar la última versión estable.\n2. Desplegarla con `deploy.sh --version`.\n3. Avisar en la incidencia.\n", False),
    ("restore-ledger-export", "Reprocesar una exportación contable fallida", ["accounting"],
     "1. Localizar el lote fallido en el registro.\n2. Relanzar con `export-ledger --batch`.\n3. Confirmar con la gestoría.\n", False),
    ("rotate-credentials", "Rotación de credenciales", ["auth", "api", "integrations"],
     "1. Generar credenciales nuevas.\n2. Actualizar el almacén de secretos.\n3. Revocar las antiguas.\n", False),
)


# --- rendering --------------------------------------------------------------------

_ORDER: dict[Kind, tuple[str, ...]] = {
    Kind.INCIDENT: ("id", "title", "severity", "status", "client", "components", "impact", "level", "assignee", "reporter",
                    "reports", "reported_at", "started_at", "update", "breach_reason", "root_cause", "resolution", "prevention",
                    "related", "coverage", "visibility", "internal"),
    Kind.BACKLOG: ("id", "title", "status", "category", "impact", "effort", "target", "origin", "coverage", "client",
                   "components", "assignee", "related"),
    Kind.DECISION: ("id", "title", "status", "date", "deciders", "supersedes", "superseded_by", "components", "related",
                    "visibility"),
    Kind.MAINTENANCE: ("id", "title", "status", "starts_at", "ends_at", "components", "impact", "update"),
    Kind.RUNBOOK: ("title", "components", "owner", "last_reviewed", "every", "runs", "visibility", "internal"),
}


_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: 5x faster, same text


def iso(moment: datetime) -> str:
    """ISO 8601 with the Madrid offset, to the second."""
    return moment.astimezone(MADRID).replace(microsecond=0).isoformat()


def _plain(value: Any) -> Any:
    if isinstance(value, (Ref, Fmt)):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def render(kind: Kind, fields: dict[str, Any], body: str) -> str:
    """A ticket file: front matter in a stable key order, then the Markdown body."""
    order = _ORDER[kind]
    keys = sorted(fields, key=lambda k: order.index(k) if k in order else len(order))
    data = {k: _plain(fields[k]) for k in keys if fields[k] is not None}
    front = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=4096)
    return f"---\n{front}---\n\n{body}"


def incident_body(title: str, component: str, client: str, symptom: str) -> str:
    """The public description a reporter would write."""
    name = dict((c[0], c[1]) for c in vocab.COMPONENTS)[component]
    who = dict((c[0], c[1]) for c in vocab.CLIENTS)[client]
    return f"## Qué ocurre\n\n{title}. {symptom}\n\n## A quién afecta\n\nUsuarios de {who} en {name}.\n"


# --- replay -----------------------------------------------------------------------


def build_plan(size: str = "full", seed: int = SEED) -> Plan:
    """The whole story as data: pure and deterministic for a given size and seed."""
    return Planner(SIZES[size], seed).plan()


#: the one scratch branch every PR commit is written on (reset to its base each time)
PR_BRANCH = "pr"


@dataclass
class _State:
    """A ticket as the replay has built it so far."""

    kind: Kind
    fields: dict[str, Any]
    body: str


def write_plan(plan: Plan, fast: FastImport) -> int:
    """Replay ``plan`` into a fast-import stream on ``main``; return the number of commits written."""
    setup = fast.commit("main", when=plan.setup_at, author=vocab.MANAGER.ident,
                        message="Set up the service desk: gitdesk.yml, mkdocs.yml, runbooks\n", files=plan.static)
    main_times, main_marks = [plan.setup_at.timestamp()], [setup]
    commits, pr = 1, 0
    changes = sorted(plan.changes, key=lambda c: (c.when, c.seq))
    counters: dict[Kind, int] = {}
    states: dict[int, _State] = {}
    last_landed: dict[int, datetime] = {}
    previous = plan.setup_at
    for change in changes:
        when = max(change.when.replace(microsecond=0), previous + timedelta(seconds=1))
        previous = when
        for edit in change.edits:
            if edit.create and edit.ref.id is None:
                counters[edit.ref.kind] = counters.get(edit.ref.kind, 0) + 1
                edit.ref.id = f"{edit.ref.kind.prefix}-{counters[edit.ref.kind]:04d}"
                edit.ref.year = when.year
        files: dict[str, str] = {}
        lead = change.lead
        for edit in change.edits:
            key = id(edit.ref)
            assert edit.ref.id is not None, f"an edit of a {edit.ref.kind.value} that was never created: {change.message!r}"
            state = states.get(key)
            if state is None:
                state = _runbook_state(plan, edit.ref) if edit.ref.kind is Kind.RUNBOOK else _State(edit.ref.kind, {"id": edit.ref}, "")
                states[key] = state
            state.fields.update(edit.set)
            for name, value in edit.append.items():
                state.fields[name] = [*state.fields.get(name, []), value]
            if edit.body is not None:
                state.body = edit.body
            files[edit.ref.path] = render(state.kind, state.fields, state.body)
            if key in last_landed:
                lead = min(lead, (when - last_landed[key]) * 0.8)
            last_landed[key] = when
        message = str(change.message) + "\n"
        authored = when - lead
        if change.style is Style.MERGE:
            pr += 1
            # the PR branched from main as it stood when the work started
            base = main_marks[max(0, bisect_right(main_times, authored.timestamp()) - 1)]
            branch = fast.commit(PR_BRANCH, when=authored, author=change.author.ident, message=message, files=files, parent=base)
            subject = str(change.message).split(" — ")[0].lower().replace(": ", "-").replace(" ", "-")
            mark = fast.commit("main", when=when, author=change.author.ident, committer=vocab.MERGER, author_when=when,
                               message=f"Merge pull request #{pr} from acme-ops/{subject}\n\n{message}", files=files,
                               merges=[branch])
            commits += 2
        elif change.style is Style.SQUASH:
            pr += 1
            mark = fast.commit("main", when=when, author=change.author.ident, committer=vocab.MERGER, author_when=authored,
                               message=f"{str(change.message)} (#{pr})\n", files=files)
            commits += 1
        else:
            mark = fast.commit("main", when=when, author=change.author.ident, message=message, files=files)
            commits += 1
        main_times.append(when.timestamp())
        main_marks.append(mark)
    return commits


def _runbook_state(plan: Plan, ref: Ref) -> _State:
    """A runbook's state as the first commit left it (runbooks start in the static files)."""
    from gitdesk.load.files import parse_document

    doc = parse_document(plan.static[ref.path].encode("utf-8"), ref.path)
    return _State(Kind.RUNBOOK, dict(doc.fields), doc.body)


@dataclass(frozen=True)
class DemoResult:
    path: Path
    commits: int
    head: str


def create_demo(directory: Path, *, size: str = "full", seed: int = SEED) -> DemoResult:
    """Create a fresh Git repo at ``directory`` holding the demo story, checked out on main.

    ``directory`` must not exist or be empty (the CLI handles ``--force``).
    """
    plan = build_plan(size, seed)
    directory.mkdir(parents=True, exist_ok=True)
    _git(directory, "init", "-q", "-b", "main")
    with FastImport(directory) as fast:
        commits = write_plan(plan, fast)
    _git(directory, "update-ref", "-d", f"refs/heads/{PR_BRANCH}")  # merged PR branches are deleted, as on a forge
    _git(directory, "-c", "core.autocrlf=false", "reset", "-q", "--hard", "main")
    head = _git(directory, "rev-parse", "main").strip()
    return DemoResult(directory, commits, head)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


