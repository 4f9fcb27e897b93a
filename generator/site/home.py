"""The status (home) page: whether things are fine, in two seconds, then the detail behind it.

Reads like the best public status pages (Statuspage, Instatus, Better Stack,
cState): a coloured hero with the overall state, open incidents as cards,
maintenance, components by group with 90 day bars, this month at a glance and
a subscribe box. Every figure comes from the SLA report or the one headline
(:func:`gitdesk.site.pages.headline`), the same computation as ``gitdesk sla``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Callable, Sequence

from babel.dates import format_date, format_datetime

from gitdesk.model import Kind, Ticket
from gitdesk.sla import Day, DayImpact, TargetName
from gitdesk.sla.uptime import SERIES_DAYS
from gitdesk.site import charts, i18n
from gitdesk.site.i18n import N_, ngettext
from gitdesk.site.i18n import gettext as _
from gitdesk.site.render import format_duration, format_percent
from gitdesk.site.views import ComponentState, Site, incident_state, window

PathOf = Callable[[Ticket], str]
Names = Callable[[Sequence[str]], str]

#: Days of the bars a phone shows (the newest); wider screens show all of :data:`SERIES_DAYS`.
PHONE_DAYS = 30

#: The hero's glyph per overall state (with the words beside it, never colour alone).
HERO_ICON = {"operational": "✓", "under_maintenance": "⚙", "degraded_performance": "!", "partial_outage": "!",
             "major_outage": "✕"}

#: Apprise URL schemes as a reader names them; any other scheme shows as itself.
_CHANNEL_NAMES = {"mailto": N_("e-mail"), "mailtos": N_("e-mail"), "slack": "Slack", "msteams": "Microsoft Teams",
                  "workflows": "Microsoft Teams", "tgram": "Telegram", "discord": "Discord", "mmost": "Mattermost",
                  "mmosts": "Mattermost", "rocket": "Rocket.Chat", "rockets": "Rocket.Chat", "matrix": "Matrix",
                  "matrixs": "Matrix", "json": N_("webhook"), "jsons": N_("webhook"), "form": N_("webhook"),
                  "forms": N_("webhook"), "xml": N_("webhook"), "xmls": N_("webhook")}


@dataclass(frozen=True)
class Moment:
    """A point in time as the page shows it: machine form, local words, and how long before ``now``."""

    iso: str
    shown: str
    ago: str


@dataclass(frozen=True)
class Bar:
    """One day of one component's uptime bars, with what its tooltip says."""

    day: str
    label: str
    state: str
    #: what happened, in words: "outage 2 h 5 min", "no incident", …
    words: tuple[str, ...]
    #: (id, title, path) of the visible records behind the day's impact
    records: tuple[tuple[str, str, str], ...]
    #: where the tooltip sits along the row: start, mid or end
    align: str
    #: the last day, when the bar is a run of quiet days drawn as one element (None: one day)
    until: str | None = None
    #: how many days the bar spans
    days: int = 1
    #: older than the newest :data:`PHONE_DAYS`: a phone does not show it
    old: bool = False

    @property
    def notable(self) -> bool:
        return self.state in (DayImpact.OUTAGE, DayImpact.DEGRADED) or bool(self.records)


@dataclass(frozen=True)
class ComponentRow:
    id: str
    name: str
    description: str | None
    state: str
    label: str
    uptime: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Group:
    #: None: components declared without a group
    name: str | None
    state: str
    label: str
    components: tuple[ComponentRow, ...]


@dataclass(frozen=True)
class Figure:
    """One tile of "this month at a glance"; ``key`` names it for machines (tests, scrapers) whatever the language."""

    key: str
    label: str
    value: str
    #: the goal or context under the value ("target 8 h")
    note: str = ""
    #: True met, False missed, None not judged
    met: bool | None = None


@dataclass(frozen=True)
class Hero:
    state: str
    words: str
    icon: str
    #: the status as of the build's ``now``
    as_of: Moment
    #: the latest change the audience can see, when there is one
    changed: Moment | None
    #: short facts under the state: "2 open incidents", "1 maintenance scheduled"
    facts: tuple[str, ...] = field(default_factory=tuple)


def ago(seconds: float) -> str:
    """How long ago, in words of the active language: "just now", "12 minutes ago", "3 hours ago", "2 days ago"."""
    return _relative(seconds, past=True)


def until(seconds: float) -> str:
    """How long until, in words: "in 3 hours", "in 4 days" (a past or present moment is "now")."""
    return _relative(seconds, past=False)


def _relative(seconds: float, *, past: bool) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return _("just now") if past else _("now")
    unit, n = ("minute", minutes) if minutes < 60 else ("hour", minutes // 60) if minutes < 24 * 60 else ("day", minutes // (24 * 60))
    # every form spelled out, so extraction finds each plural pair
    forms = {
        ("minute", True): ngettext("%(num)s minute ago", "%(num)s minutes ago", n),
        ("hour", True): ngettext("%(num)s hour ago", "%(num)s hours ago", n),
        ("day", True): ngettext("%(num)s day ago", "%(num)s days ago", n),
        ("minute", False): ngettext("in %(num)s minute", "in %(num)s minutes", n),
        ("hour", False): ngettext("in %(num)s hour", "in %(num)s hours", n),
        ("day", False): ngettext("in %(num)s day", "in %(num)s days", n),
    }
    return forms[unit, past] % {"num": n}


def moment(site: Site, when: datetime) -> Moment:
    """``when`` as a <time>: ISO 8601, local date and time with the zone, and "N min ago" as of the build's ``now``."""
    local = site.clock.local(when)
    return Moment(local.isoformat(), when_words(local), ago(max(0.0, (site.now - when).total_seconds())))


def when_words(local: datetime) -> str:
    """A local time a client reads: ``20 Nov 2026, 17:45 CET`` (``20 nov 2026, 17:45 CET`` in Spanish)."""
    return format_datetime(local, "d MMM y, HH:mm", locale=i18n.language()).replace(".", "") + " " + (local.tzname() or "")


def day_words(day: date) -> str:
    """A day as the bars' tooltips say it: ``Fri 20 Nov 2026`` (``vie 20 nov 2026``)."""
    return format_date(day, "EEE d MMM y", locale=i18n.language()).replace(".", "")


# --- the parts of the page ---------------------------------------------------------


def hero(site: Site, state: str, words: str) -> Hero:
    """The big state, as of ``now``, with the latest visible change and the counts behind it."""
    landed = [when for tickets in site.tickets.values() for t in tickets if (when := site.updated(t)) and when <= site.now]
    open_count, upcoming = len(site.open_incidents()), len(site.upcoming_maintenance())
    active = len(site.active_maintenance())
    facts = [ngettext("%(num)s open incident", "%(num)s open incidents", open_count) % {"num": open_count} if open_count
             else _("no open incidents")]
    if active:
        facts.append(ngettext("%(num)s maintenance in progress", "%(num)s maintenances in progress", active) % {"num": active})
    if upcoming:
        facts.append(ngettext("%(num)s maintenance scheduled", "%(num)s maintenances scheduled", upcoming) % {"num": upcoming})
    return Hero(state, words, HERO_ICON[state], moment(site, site.now), moment(site, max(landed)) if landed else None, tuple(facts))


def _bar(site: Site, found: Day, index: int, count: int, path_of: PathOf) -> Bar:
    if found.impact is DayImpact.NO_DATA:
        words = [_("no data (before the desk's first record)")]
    else:
        words = [text % {"time": format_duration(seconds)} for seconds, text in (
            (found.outage_seconds, _("outage %(time)s")), (found.degraded_seconds, _("degraded %(time)s"))) if seconds]
    records = tuple((rid, site.by_id[rid].title, path_of(site.by_id[rid])) for rid in found.records if rid in site.by_id)
    return Bar(found.day, day_words(date.fromisoformat(found.day)), str(found.impact), tuple(words) or (_("no incident"),),
               records, _align(index, count), old=index < count - PHONE_DAYS)


def _align(index: int, count: int) -> str:
    return "start" if index < count / 3 else "end" if index >= 2 * count / 3 else "mid"


def _alike(bar: Bar) -> tuple[str, tuple[str, ...], bool]:
    return bar.state, bar.words, bar.old


def day_bars(days: Sequence[Bar]) -> tuple[Bar, ...]:
    """``days`` with each run of alike quiet days (nothing to link, same words, same side of the phone cut) as one bar.

    The page stays light: a component's 90 days are a handful of elements
    rather than 90 (on the demo, 50 bar elements instead of 540, and 46 KB of
    HTML instead of 114). A run keeps its first day's tooltip placement, still
    draws one tick per day, and its tooltip gives its first and last day.
    """
    out: list[Bar] = []
    start = 0
    for index, bar in enumerate(days):
        nxt = days[index + 1] if index + 1 < len(days) else None
        if nxt is not None and not (bar.notable or nxt.notable) and _alike(bar) == _alike(nxt):
            continue
        first = days[start]
        if index == start:
            out.append(first)
        else:
            out.append(replace(first, label=f"{first.label} – {bar.label}", until=bar.day, days=index - start + 1))
        start = index + 1
    return tuple(out)


def component_groups(site: Site, uptime_days: int, path_of: PathOf) -> list[Group]:
    """The client's components by ``group`` (in gitdesk.yml's order), each with its state, uptime and bars."""
    states = site.component_states()
    declared = {c.id: c for c in site.config.components}
    groups: dict[str | None, list[ComponentRow]] = {}
    for cid, name in site.components:
        uptime = site.report.uptime.get(cid, {}).get(uptime_days)
        series = site.report.series.get(cid, [])
        bars = day_bars([_bar(site, found, index, len(series), path_of) for index, found in enumerate(series)])
        component = declared.get(cid)
        groups.setdefault(component.group if component else None, []).append(ComponentRow(
            cid, name, component.description if component else None, states[cid], _(ComponentState.LABELS[states[cid]]),
            format_percent(uptime.uptime, 2) if uptime else _("no data"), bars))
    out = []
    for group, rows in groups.items():
        worst = ComponentState.worst([row.state for row in rows])
        out.append(Group(group, worst, _(ComponentState.LABELS[worst]), tuple(rows)))
    return out


def incident_cards(site: Site, path_of: PathOf, names: Names) -> list[dict[str, Any]]:
    """Open incidents, worst first: severity, state, impact, components, latest update and when it landed."""
    cards = []
    for t in site.open_incidents():
        updated = site.updated(t)
        started = site.started(t)
        impact = incident_state(t)
        cards.append({"ticket": t, "path": path_of(t), "status": _(str(t.status)) if t.status else "",
                      "impact": impact, "impact_label": _(ComponentState.LABELS[impact]) if impact else "",
                      "components": names(t.components), "latest": t.get("update"),
                      "updated": moment(site, updated) if updated else None,
                      "started": moment(site, started) if started else None})
    return cards


def maintenance_cards(site: Site, path_of: PathOf, names: Names, limit: int = 10) -> list[dict[str, Any]]:
    """Windows in progress, then upcoming ones, in the service's time zone, with the components they touch."""
    cards = []
    for ticket, active in [(m, True) for m in site.active_maintenance()] + [(m, False) for m in site.upcoming_maintenance()[:limit]]:
        w = window(ticket)
        if w is None:
            continue
        starts, ends = site.clock.local(w[0]), site.clock.local(w[1])
        same_day = starts.date() == ends.date()
        cards.append({"ticket": ticket, "path": path_of(ticket), "active": active,
                      "starts": Moment(starts.isoformat(), when_words(starts), until((w[0] - site.now).total_seconds())),
                      "ends": Moment(ends.isoformat(), ends.strftime("%H:%M ") + (ends.tzname() or "") if same_day else when_words(ends), ""),
                      "components": names(ticket.components) or _("the whole service"),
                      "impact": _(str(ticket.get("impact"))) if ticket.get("impact") else ""})
    return cards


def notification_channels(site: Site) -> list[str]:
    """The kinds of channel ``gitdesk notify`` sends this audience (e-mail, Slack, …), for the subscribe box.

    Only each URL's scheme is read: a channel URL holds addresses and tokens
    that no page may show.
    """
    urls = site.config.notify if site.scope.internal else (
        site.config.client(site.scope.client_id).notify if site.scope.client_id else ())
    kinds = (url.split("://", 1)[0].lower() for url in urls if "://" in url)
    return sorted({_(_CHANNEL_NAMES.get(kind, kind)) for kind in kinds if kind.isalnum()})


def glance(site: Site, *, uptime: float | None, uptime_text: str, uptime_days: int, compliance_text: str) -> list[Figure]:
    """This month at a glance, as the service's own dashboard shows it.

    Resolved this month; mean P1 resolution against its target; improvements
    delivered (backlog items done this month); P0 today; uptime against its
    goal; SLA compliance; the next service review. Uptime and compliance are the
    headline's (``gitdesk sla``'s) figures; the month's means and backlog counts
    are the SLA report's.
    """
    month = site.month()
    today = site.clock.day(site.now)
    incidents = site.tickets[Kind.INCIDENT]
    resolved = sum(1 for t in incidents if (r := site.resolved_at(t)) and site.month(r) == month)
    open_now = {t.id for t in site.open_incidents()}
    p0 = sum(1 for t in incidents if t.severity == "P0" and (
        t.id in open_now or ((s := site.started(t)) is not None and site.clock.day(s) == today)))
    p1 = site.report.by_month.get(month, {}).get("P1", {}).get(TargetName.RESOLUTION)
    mean = p1.mean_seconds if p1 else None
    spec = site.config.policy_for(site.scope.client_id).targets.get("P1")
    target = spec.seconds(TargetName.RESOLUTION.value) if spec else None
    goal = site.config.uptime_for(site.scope.client_id).target
    done = site.report.backlog_throughput.get(month, 0)
    figures = [
        Figure("resolved", _("Resolved"), str(resolved), _("incidents this month")),
        Figure("p1-resolution", _("Mean P1 resolution"), format_duration(mean),
               _("target %(target)s") % {"target": format_duration(target)} if target else _("no target"),
               None if mean is None or target is None else mean <= target),
        Figure("improvements", _("Improvements"), str(done), _("delivered this month")),
        Figure("p0", _("P0 today"), str(p0), _("open or started today"), p0 == 0),
        Figure("uptime", _("Uptime (lowest component, %(n)s days)") % {"n": uptime_days}, uptime_text,
               _("goal %(goal)s") % {"goal": f"{goal:g}%"}, None if uptime is None else uptime * 100 >= goal),
        Figure("compliance", _("SLA compliance (all incidents)"), compliance_text),
    ]
    review = site.config.review_for(site.scope.client_id)
    if review is not None:
        when = review.next_after(site.now, site.clock.zone)
        shown = format_date(when.date(), "EEEE d MMMM", locale=i18n.language())
        if review.at is not None:
            shown += ", " + when.strftime("%H:%M")
        note = _("today") if when.date() == site.now.astimezone(site.clock.zone).date() else until((when - site.now).total_seconds())
        figures.append(Figure("review", _("Next service review"), shown, note))
    return figures


@dataclass(frozen=True)
class BadgeImage:
    path: str
    alt: str
    width: int
    height: int


#: each badge's alt text on the page, by file
_BADGE_ALT = {"badges/status.svg": N_("status badge"), "badges/uptime.svg": N_("uptime badge"),
              "badges/compliance.svg": N_("SLA compliance badge")}


def badge_texts(words: str, uptime_text: str | None, compliance_text: str | None) -> dict[str, tuple[str, str]]:
    """The three badges' (label, message) by file, "no data" for a figure that is None.

    The one table behind the SVGs (:func:`gitdesk.site.feeds.badges`) and the sizes of their ``<img>``.
    """
    no_data = _("no data")
    return {"badges/status.svg": (_("status"), words),
            "badges/uptime.svg": (_("uptime"), no_data if uptime_text is None else uptime_text),
            "badges/compliance.svg": (_("SLA"), no_data if compliance_text is None else compliance_text)}


def badge_images(texts: dict[str, tuple[str, str]]) -> tuple[BadgeImage, ...]:
    """The subscribe box's badges with their size, so the page keeps its place while they load."""
    return tuple(BadgeImage(path, _(_BADGE_ALT[path]), *charts.badge_size(label, message)) for path, (label, message) in texts.items())


def bar_foot(days: int) -> str:
    return ngettext("%(num)s day ago", "%(num)s days ago", days) % {"num": days}


def status_context(site: Site, *, state: str, words: str, uptime: float | None, uptime_text: str, uptime_days: int,
                   compliance_text: str, path_of: PathOf, names: Names) -> dict[str, Any]:
    """Everything status.md.j2 shows, from the scoped site and its headline figures.

    ``path_of`` gives a ticket's page and ``names`` a list of component ids in
    words (the site's own, from :mod:`gitdesk.site.pages`).
    """
    return {
        "hero": hero(site, state, words),
        "groups": component_groups(site, uptime_days, path_of),
        "open_incidents": incident_cards(site, path_of, names),
        "maintenance": maintenance_cards(site, path_of, names),
        "glance": glance(site, uptime=uptime, uptime_text=uptime_text, uptime_days=uptime_days, compliance_text=compliance_text),
        "channels": notification_channels(site),
        "badges": badge_images(badge_texts(words, uptime_text if uptime is not None else None,
                                           None if compliance_text == format_percent(None) else compliance_text)),
        "uptime_days": uptime_days,
        "series_days": SERIES_DAYS,
        "phone_days": PHONE_DAYS,
        "foot": {"all": bar_foot(SERIES_DAYS), "phone": bar_foot(PHONE_DAYS)},
    }
