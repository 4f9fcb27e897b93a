"""What the pages show, derived once from the scoped model and the SLA report.

Everything here is pure and works only on records that already passed the
audience scope (see :mod:`gitdesk.site.scope`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gitdesk.config import Config
from gitdesk.history import History, TicketHistory
from gitdesk.model import RESOLVED, IncidentStatus, Kind, MaintenanceStatus, Ticket, is_open, maintenance_withdrawn
from gitdesk.sla import ClockState, DayImpact, SlaReport, TargetName, TicketSla, runbook_due
from gitdesk.sla.clocks import Evidence
from gitdesk.sla.schedule import last_ok_run, last_run
from gitdesk.sla.uptime import affected_components
from gitdesk.site.i18n import N_
from gitdesk.site.i18n import gettext as _
from gitdesk.site.render import Clock, format_duration
from gitdesk.site.scope import Scope

#: The one line a run of versions this audience may not see collapses to.
HIDDEN_HISTORY = N_("earlier history not shown")

#: Front-matter keys whose changes are public timeline entries, in display order.
TRACKED = ("status", "severity", "level", "impact", "components")

_VERB = {TargetName.RESPONSE: N_("responded in %(elapsed)s"), TargetName.MITIGATION: N_("mitigated in %(elapsed)s"),
         TargetName.RESOLUTION: N_("resolved in %(elapsed)s")}
_WAITING = {TargetName.RESPONSE: N_("no response yet after %(elapsed)s"), TargetName.MITIGATION: N_("not mitigated yet after %(elapsed)s"),
            TargetName.RESOLUTION: N_("not resolved yet after %(elapsed)s")}


class ComponentState:
    """Statuspage's component states, worst last; the label is what readers see."""

    ORDER = ("operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage")
    LABELS = {
        "operational": "Operational",
        "under_maintenance": "Under maintenance",
        "degraded_performance": "Degraded performance",
        "partial_outage": "Partial outage",
        "major_outage": "Major outage",
    }

    @classmethod
    def worst(cls, states: list[str]) -> str:
        return max(states, key=cls.ORDER.index, default="operational")


@dataclass(frozen=True)
class Entry:
    """One line of an incident's Git timeline."""

    when: datetime
    changes: tuple[str, ...]
    update: str | None
    sha: str
    commit_url: str | None
    author: str
    #: the incident status once this change landed
    status: str | None = None


@dataclass
class Site:
    """The scoped model plus the lookups every page needs."""

    config: Config
    scope: Scope
    now: datetime
    clock: Clock
    history: History
    report: SlaReport
    tickets: dict[Kind, list[Ticket]]
    by_id: dict[str, Ticket]
    sla: dict[str, TicketSla]
    directory_urls: bool = False
    components: list[tuple[str, str]] = field(default_factory=list)
    #: open incidents and component states, asked for by every listing, feed and the home page (dozens of
    #: times a build) and fixed once the site is built: computed once
    _open: list[Ticket] | None = field(default=None, init=False, repr=False, compare=False)
    _states: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, tickets: list[Ticket], history: History, report: SlaReport, config: Config, *,
              scope: Scope, now: datetime, directory_urls: bool) -> Site:
        by_kind: dict[Kind, list[Ticket]] = {kind: [] for kind in Kind}
        for ticket in sorted(tickets, key=lambda t: t.id):
            by_kind[ticket.kind].append(ticket)
        by_id = {t.id: t for t in tickets}
        # Only clocks of tickets in scope: the report is computed from scoped input,
        # this is the second lock on the same door.
        sla = {t.id: t for t in report.tickets if t.id in by_id}
        components = [(c.id, c.name) for c in config.components if scope.components is None or c.id in scope.components]
        return cls(config, scope, now, Clock(config.timezone), history, report, by_kind, by_id, sla, directory_urls, components)

    # --- per-ticket facts ----------------------------------------------------

    def versions(self, ticket: Ticket) -> TicketHistory | None:
        return self.history.tickets.get(ticket.id)

    def started(self, ticket: Ticket) -> datetime | None:
        """When the ticket counts from: its SLA start, else its first landing, else a declared time."""
        clocks = self.sla.get(ticket.id)
        if clocks is not None and clocks.started_at is not None:
            return clocks.started_at
        th = self.versions(ticket)
        declared = ticket.time("reported_at") or ticket.time("started_at")
        landed = th.first_landed if th and th.versions else None
        candidates = [t for t in (declared, landed) if t is not None]
        return min(candidates) if candidates else None

    def updated(self, ticket: Ticket) -> datetime | None:
        th = self.versions(ticket)
        return th.versions[-1].commit.landed_at if th and th.versions else self.started(ticket)

    def first_landing(self, ticket: Ticket, statuses: frozenset[IncidentStatus]) -> datetime | None:
        """When the ticket first landed in one of ``statuses`` on the evidence branch."""
        th = self.versions(ticket)
        for version in th.versions if th else []:
            if version.fields.get("status") in statuses:
                return version.commit.landed_at
        return None

    def resolved_at(self, ticket: Ticket) -> datetime | None:
        """The latest landing into a resolved status (a reopened ticket resolves again)."""
        th = self.versions(ticket)
        found, before = None, None
        for version in th.versions if th else []:
            status = version.fields.get("status")
            if status in RESOLVED and before not in RESOLVED:
                found = version.commit.landed_at
            before = status
        return found if ticket.status in RESOLVED else None

    def timeline(self, ticket: Ticket) -> list[Entry]:
        """The Git timeline: each landed version that changed a public field or the update line.

        Versions this audience may not see collapse to one line each run
        ("earlier history not shown"): no text, id, time or author of theirs. The
        first version after such a run is shown as it stood, never as a change
        from what was hidden.
        """
        th = self.versions(ticket)
        if th is None:
            return []
        entries: list[Entry] = []
        previous: dict[str, object] = {}
        for index, version in enumerate(th.versions):
            fields = version.fields
            if index in th.gaps:
                entries.append(Entry(version.commit.landed_at, (_(HIDDEN_HISTORY),), None, "", None, ""))
            changes: list[str] = []
            if index == 0 or index in th.gaps:
                verb = _("shown as %(status)s") if index in th.gaps else _("opened as %(status)s")
                changes.append(verb % {"status": _(str(fields.get("status", "?")))}
                               + (f", {fields['severity']}" if fields.get("severity") else ""))
            else:
                for key in TRACKED:
                    if key in version.changed and fields.get(key) != previous.get(key):
                        changes.append(f"{_(key)}: {_show(previous.get(key))} → {_show(fields.get(key))}")
            update = fields.get("update") if "update" in version.changed and isinstance(fields.get("update"), str) else None
            if changes or update:
                url = f"{self.config.repo_url.rstrip('/')}/commit/{version.commit.sha}" if self.config.repo_url else None
                status = fields.get("status")
                entries.append(Entry(version.commit.landed_at, tuple(changes), update, version.commit.sha, url,
                                     version.commit.author, status if isinstance(status, str) else None))
            previous = dict(fields)
        if len(th.versions) in th.gaps:
            # hidden versions after the last visible one (a visibility change not landed yet)
            entries.append(Entry(entries[-1].when if entries else self.now, (_(HIDDEN_HISTORY),), None, "", None, ""))
        return entries

    def clock_lines(self, ticket: Ticket) -> list[dict[str, object]]:
        """Each SLA clock in words, e.g. "responded in 20 min — target 1 h, met"."""
        clocks = self.sla.get(ticket.id)
        if clocks is None:
            return []
        lines = []
        for name in TargetName:
            clock = clocks.targets.get(name)
            if clock is None or clock.state is ClockState.NOT_APPLICABLE:
                continue
            elapsed = format_duration(clock.elapsed_seconds)
            target = format_duration(clock.target_seconds)
            if clock.stopped_at is not None:
                words = _(_VERB[name]) % {"elapsed": elapsed} + " — " + _("target %(target)s") % {"target": target} + ", " + (
                    _("breached") if clock.breached else _("met"))
            elif clock.state is ClockState.PAUSED:
                words = _("paused (waiting on the client) at %(elapsed)s") % {"elapsed": elapsed} + " — " + _("target %(target)s") % {"target": target}
            else:
                words = _(_WAITING[name]) % {"elapsed": elapsed} + " — " + _("target %(target)s") % {"target": target} + ", " + (
                    _("breached") if clock.breached else (_("running, at risk") if clock.at_risk else _("running")))
                if not clock.breached and clock.due_at is not None:
                    words += ", " + _("due %(when)s") % {"when": self.clock.show(clock.due_at)}
            if clock.cycles > 1:
                words += " " + _("(reopened: %(n)s cycles)") % {"n": clock.cycles}
            lines.append({"target": name.value, "state": clock.state.value, "words": words,
                          "calendar": self.calendar_words(clock.calendar, ticket), "breached": clock.breached or clock.ever_breached,
                          "declared": clock.evidence is Evidence.DECLARED,
                          "witnessed": clock.witnessed})
        return lines

    def calendar_words(self, name: str | None, ticket: Ticket) -> str:
        if name is None:
            policy = self.config.policy_for(ticket.client)
            spec = policy.targets.get(ticket.severity or "")
            name = spec.calendar if spec else None
        if name is None or name == "always":
            return _("counted 24/7")
        spec_cal = self.config.calendars.get(name)
        zone = spec_cal.timezone if spec_cal else self.config.timezone
        if name == "business":
            # gitdesk's own default calendar (config.DEFAULT_TARGETS): its id is gitdesk's word, so it is translated
            return _("counted in business hours (%(zone)s), holidays excluded") % {"zone": zone}
        return _("counted in %(calendar)s hours (%(zone)s), holidays excluded") % {"calendar": name, "zone": zone}

    # --- status -------------------------------------------------------------

    def open_incidents(self) -> list[Ticket]:
        if self._open is None:
            open_ = [t for t in self.tickets[Kind.INCIDENT] if is_open(t.status)]
            self._open = sorted(open_, key=lambda t: (t.severity or "P9", -(self.started(t) or self.now).timestamp()))
        return list(self._open)

    def active_maintenance(self) -> list[Ticket]:
        return [m for m in self.tickets[Kind.MAINTENANCE]
                if (w := window(m)) and w[0] <= self.now < w[1]
                and not maintenance_withdrawn(m.get("status")) and m.get("status") != MaintenanceStatus.COMPLETED]

    def upcoming_maintenance(self) -> list[Ticket]:
        upcoming = [(w[0], m) for m in self.tickets[Kind.MAINTENANCE]
                    if (w := window(m)) and w[0] > self.now and not maintenance_withdrawn(m.get("status"))]
        return [m for _, m in sorted(upcoming, key=lambda pair: (pair[0], pair[1].id))]

    def component_states(self) -> dict[str, str]:
        if self._states is None:
            self._states = self._component_states()
        return dict(self._states)

    def _component_states(self) -> dict[str, str]:
        states: dict[str, list[str]] = {cid: [] for cid, _ in self.components}
        for incident in self.open_incidents():
            state = incident_state(incident)
            # an incident naming no component is service-wide, as in the uptime figures and bars
            for cid in affected_components(incident.fields, list(states)):
                if state:
                    states[cid].append(state)
        for window in self.active_maintenance():
            for cid in window.components:
                if cid in states:
                    states[cid].append("under_maintenance")
        return {cid: ComponentState.worst(found) for cid, found in states.items()}

    def overall(self) -> tuple[str, str]:
        """(state, sentence) for the banner."""
        worst = ComponentState.worst(list(self.component_states().values()))
        sentence = {
            "operational": "All systems operational",
            "under_maintenance": "Scheduled maintenance in progress",
            "degraded_performance": "Some systems are degraded",
            "partial_outage": "Partial outage",
            "major_outage": "Major outage",
        }[worst]
        if worst == "operational" and self.open_incidents():
            sentence = "All systems operational; incidents being handled"
        return worst, sentence

    def outage_days(self, component: str) -> list[tuple[str, DayImpact]]:
        """Per local day (oldest first), the worst impact on ``component``, as the SLA report measured it.

        The SLA stage owns the arithmetic, so the bars and the uptime percentage
        beside them come from the same outage spans.
        """
        return self.report.days.get(component, [])

    def month(self, when: datetime | None = None) -> str:
        return self.clock.month(when or self.now)


def incident_state(incident: Ticket) -> str | None:
    """The component state an open incident puts its components in (None: no impact).

    The one rule behind the component rows, the banner, the badges and the API's incident impact.
    """
    impact = incident.get("impact")
    if impact == "outage":
        return "major_outage" if incident.severity == "P0" else "partial_outage"
    return "degraded_performance" if impact == "degraded" else None


def _show(value: object) -> str:
    if value is None:
        return _("none")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or _("none")
    return _(value) if isinstance(value, str) and value else str(value)


def window(ticket: Ticket) -> tuple[datetime, datetime] | None:
    """A maintenance window's (start, end), or None when its times are malformed."""
    start, end = ticket.time("starts_at"), ticket.time("ends_at")
    return (start, end) if start and end else None


def maintenance_state(ticket: Ticket, now: datetime) -> MaintenanceStatus:
    """A window's status at ``now``: as written, except that ``scheduled`` holds only until it starts.

    A window still written ``scheduled`` is in progress between its start and
    end and completed after it, in every page and file alike.
    """
    try:
        written = MaintenanceStatus(str(ticket.get("status") or MaintenanceStatus.SCHEDULED))
    except ValueError:
        written = MaintenanceStatus.SCHEDULED
    w = window(ticket)
    if written is not MaintenanceStatus.SCHEDULED or w is None or now < w[0]:
        return written
    return MaintenanceStatus.COMPLETED if w[1] <= now else MaintenanceStatus.IN_PROGRESS


def preventive(site: Site, ticket: Ticket) -> dict[str, object] | None:
    """A preventive runbook's last ok run, next due time and overdue flag (None if it has no schedule).

    The due arithmetic is the SLA stage's (:func:`gitdesk.sla.runbook_due`), so
    the site and `gitdesk sla` never disagree about what is overdue.
    """
    every = ticket.get("every")
    if not isinstance(every, str):
        return None
    last = last_ok_run(ticket, site.clock.zone)
    latest = last_run(ticket, site.clock.zone)
    due = runbook_due(ticket, site.clock.zone)
    return {"every": every, "last_ok": site.clock.show(last) if last is not None else "never",
            "last_run": f"{site.clock.show(latest[0])}, {_(latest[1])}" if latest is not None else "never",
            "next_due": site.clock.show(due), "overdue": ticket.id in site.report.overdue_runbooks or due is None or due < site.now}
