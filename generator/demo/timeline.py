"""The plan's building blocks and the shared timeline every record planner lands changes on.

A plan is a list of :class:`Change`\\ s, each one landed commit on ``main`` with
the :class:`Edit`\\ s it makes to tickets. Ids follow landing order, so a
planner holds a :class:`Ref` and the writer names it when the ticket lands.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from gitdesk.config import ALWAYS, Config, parse_config
from gitdesk.demo import vocab
from gitdesk.demo.service import demo_config_text
from gitdesk.demo.vocab import Person
from gitdesk.model import Kind
from gitdesk.sla.calendars import Calendar

MADRID = ZoneInfo("Europe/Madrid")
#: The demo's "now": the history ends on a Friday afternoon, whatever today is.
END = datetime(2026, 11, 20, 17, 45, tzinfo=MADRID)
DEMO_NOW = END
HOUR = 3600

#: Met clocks stay under this share of their target; breaches go over BREACH_SHARE.
SAFE_SHARE = 0.85
BREACH_SHARE = 1.15


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


class Timeline:
    """The story being planned: its span, its calendars, its random stream and the changes landed so far.

    Every record planner lands its changes here. ``rng`` is replaced at each
    planning :meth:`stage`, so planners read it at call time and never keep their own.
    """

    def __init__(self, *, days: int, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.end = END
        self.start = (END - timedelta(days=days)).replace(hour=9, minute=0)
        problems, config = parse_config(demo_config_text())
        assert config is not None, problems
        self.config: Config = config
        # the SLA stage's own calendars: planned times are the exact inverse of how clocks are counted
        self.business = Calendar(config.calendar("business"))
        self.always = Calendar(config.calendar(ALWAYS))
        self.changes: list[Change] = []

    def stage(self, name: str) -> None:
        """Start planning stage ``name`` on its own random stream, seeded by the seed and the name.

        The names are part of the seed: renaming a stage changes the demo.
        """
        self.rng = random.Random(f"{self.seed}/{name}")

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

    def person(self, level: str) -> Person:
        """A random team member at support ``level`` (L1–L3)."""
        return self.rng.choice([p for p in vocab.TEAM if p.level == level])

    def pick(self, options: Iterable[str]) -> str:
        """One of ``options``, drawn from the stage's stream."""
        return self.rng.choice(tuple(options))
