"""The whole story as data: :func:`build_plan` runs each record planner over one timeline.

Pure: a seeded :class:`random.Random` and the fixed end date (:data:`~gitdesk.demo.timeline.END`)
turn into a :class:`Plan`, the files of the first commit and the changes that
land after it. No wall clock, no file system: the same seed gives the same
plan, so the same repo, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gitdesk.demo import vocab
from gitdesk.demo.backlog import BacklogPlanner
from gitdesk.demo.decisions import DecisionPlanner
from gitdesk.demo.incidents import IncidentPlanner
from gitdesk.demo.maintenance import MaintenancePlanner, tuesday_window
from gitdesk.demo.runbooks import RunbookPlanner
from gitdesk.demo.service import static_files
from gitdesk.demo.stories import STORIES, Fault, LateWindow, Outage, ScriptedIncident, Story
from gitdesk.demo.timeline import Change, Timeline

SEED = 20261120


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


@dataclass
class Plan:
    """The first commit's files (landed at ``setup_at``) and every change that lands after it."""

    start: datetime
    end: datetime
    static: dict[str, str]
    changes: list[Change]
    setup_at: datetime


def build_plan(size: str = "full", seed: int = SEED) -> Plan:
    """The whole story as data: pure and deterministic for a given size and seed."""
    demo = SIZES[size]
    tl = Timeline(days=demo.days, seed=seed)
    incidents, backlog = IncidentPlanner(tl), BacklogPlanner(tl)
    maintenance = MaintenancePlanner(tl, windows=demo.windows)
    # Each stage draws from its own stream (see Timeline.stage): tuning one part of the story leaves
    # the others as they were. The order matters too: ids follow landing order, and later stages
    # build on earlier ones (deferred requests become backlog items, the late window gets its answer).
    tl.stage("runbooks")
    runbooks = RunbookPlanner(tl).plan()
    tl.stage("maintenance")
    maintenance.plan()
    tl.stage("stories")
    late_notice = tell(STORIES, tl, incidents, maintenance)
    tl.stage("random_incidents")
    incidents.random_incidents(demo.incidents - incidents.count)
    tl.stage("resolve_deferrals")
    backlog.resolve_deferrals(incidents)
    tl.stage("planned_items")
    backlog.planned_items(demo.planned_items)
    tl.stage("decisions")
    DecisionPlanner(tl).plan(count=demo.decisions, late_notice=late_notice)
    return Plan(tl.start, tl.end, static_files(runbooks), tl.changes, tl.start - timedelta(days=10))


def tell(stories: tuple[Story, ...], tl: Timeline, incidents: IncidentPlanner, maintenance: MaintenancePlanner) -> datetime:
    """Land ``stories`` in order; return when the decision answering the late window is proposed."""
    late_notice = tl.end
    for story in stories:
        if isinstance(story, LateWindow):
            late = tuesday_window(tl.end - timedelta(days=story.days))
            maintenance.window(late, story.minutes, story.title, list(story.components), story.impact, notice=story.notice)
            _scripted(story.incident, tl, incidents, anchor=late)
            late_notice = tl.office_time((late + timedelta(days=story.answered_after)).date())
        elif isinstance(story, Outage):
            incidents.p0(story.opened.moment(tl, tl.end), story.client, story.component, story.title,
                         breach=story.breach)
        elif isinstance(story, Fault):
            incidents.fault(story.opened.moment(tl, tl.end), story.severity, story.client, story.component,
                            story.title, breach=story.breach, waiting=story.waiting, reopen=story.reopen,
                            phone=story.phone, mitigate=story.mitigate, reports=story.reports,
                            upgrade_at=story.upgrade_at, hours=story.hours)
        elif isinstance(story, ScriptedIncident):
            _scripted(story, tl, incidents, anchor=tl.end)
        else:  # a DeferredRequest
            theme = next(t for t in vocab.THEMES if t.incident == story.theme)
            incidents.p3(story.opened.moment(tl, tl.end), story.client, theme, "deferred",
                         when=story.decided.moment(tl, tl.end))
    return late_notice


def _scripted(story: ScriptedIncident, tl: Timeline, incidents: IncidentPlanner, *, anchor: datetime) -> None:
    opened = story.opened.moment(tl, anchor)
    started = opened - timedelta(minutes=story.started_before) if story.started_before is not None else None
    ref, first, _ = incidents.new_incident(
        opened, story.severity, story.client, story.component, story.title, level=story.level,
        reporter=story.reporter, phone_minutes=story.phone_minutes, impact=story.impact, started_at=started,
        extra=dict(story.extra) or None, status=story.status, author=tl.person(story.author))
    team = {level: tl.person(level) for level in story.team}
    for step in story.steps:
        who = first if step.who == "first" else team[step.who]
        extra = {"level": who.level, "assignee": who.login} if step.escalate else {}
        extra.update(step.extra)
        incidents.step(ref, step.at.moment(tl, opened), story.title, step.status, who, update=step.update,
                       extra=extra or None, style=step.style)

