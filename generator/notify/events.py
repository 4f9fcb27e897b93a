"""Events: what changed for an audience, from the versions of history. Pure (no Git, no clock of its own).

An event is derived from two consecutive versions of a ticket *that the
audience may see* (the previous visible one and the new one), so a ticket
moved to a client, or made public, is "opened" for that client when its first
visible version lands, and nothing from its earlier versions leaks.

Each event has a ``key`` that does not depend on commit hashes: the ticket,
the kind of event, how many such events the ticket had before, and a digest of
what it says. A rewritten (force-pushed) main that replays the same changes
yields the same keys, which is how a delivery log recognises them.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Collection, Iterator

from gitdesk.history import History, TicketHistory, Version
from gitdesk.model import IncidentStatus, Kind, Ticket, maintenance_withdrawn, parse_time
from gitdesk.sla import ClockState, SlaReport

#: how far ahead a run announces that a maintenance window is about to start
STARTING_SOON = timedelta(hours=24)
#: maintenance fields whose change is worth telling subscribers about
_WINDOW_FIELDS = ("title", "starts_at", "ends_at", "components", "impact")


class EventKind(enum.StrEnum):
    INCIDENT_OPENED = "incident-opened"
    STATUS_CHANGED = "status-changed"
    UPDATE_POSTED = "update-posted"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    MAINTENANCE_ANNOUNCED = "maintenance-announced"
    MAINTENANCE_CHANGED = "maintenance-changed"
    MAINTENANCE_CANCELLED = "maintenance-cancelled"
    MAINTENANCE_STARTING = "maintenance-starting"
    SLA_AT_RISK = "sla-at-risk"
    SLA_BREACHED = "sla-breached"

    @property
    def internal_only(self) -> bool:
        """SLA warnings are for the service team, never for a client."""
        return self in (EventKind.SLA_AT_RISK, EventKind.SLA_BREACHED)


@dataclass(frozen=True)
class Event:
    """One thing that happened to one ticket, as one audience sees it."""

    kind: EventKind
    #: the ticket as the version that made it happen left it (fields scoped by the caller for its audience)
    ticket: Ticket
    #: when it happened: the landed time, or the run's ``now`` for events of time (starting soon, SLA)
    at: datetime
    previous_status: str | None = None
    #: the first-parent commit that landed it ("" for events of time)
    commit: str = ""
    #: the SLA target concerned (SLA events)
    target: str | None = None
    key: str = ""

    @property
    def update(self) -> str | None:
        value = self.ticket.get("update")
        return value if isinstance(value, str) and value.strip() else None


def as_ticket(ticket: TicketHistory, version: Version) -> Ticket:
    """One version of a ticket as a :class:`~gitdesk.model.Ticket` (what the site's scope and paths take)."""
    return Ticket(ticket.kind, ticket.id, version.path, dict(version.fields))


#: whether an audience may see one version of a ticket (the site's scope rules, per version)
Sees = Callable[[TicketHistory, Version], bool]


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:12]


def _incident_kinds(previous: Version | None, version: Version) -> list[EventKind]:
    if previous is None:
        return [EventKind.INCIDENT_OPENED]
    old, new = IncidentStatus.parse(previous.fields.get("status")), IncidentStatus.parse(version.fields.get("status"))
    kinds: list[EventKind] = []
    if new is not None and new != old:
        if old is not None and not old.open and new.open:
            kinds.append(EventKind.REOPENED)
        elif new.resolved and (old is None or not old.resolved):
            kinds.append(EventKind.RESOLVED)
        else:
            kinds.append(EventKind.STATUS_CHANGED)
    # a status event carries the update text with it: one message, not two
    if not kinds and "update" in _changed(previous, version) and version.fields.get("update"):
        kinds.append(EventKind.UPDATE_POSTED)
    return kinds


def _maintenance_kinds(previous: Version | None, version: Version) -> list[EventKind]:
    withdrawn = maintenance_withdrawn(version.fields.get("status"))
    if previous is None:
        return [] if withdrawn else [EventKind.MAINTENANCE_ANNOUNCED]
    if withdrawn:
        return [] if maintenance_withdrawn(previous.fields.get("status")) else [EventKind.MAINTENANCE_CANCELLED]
    changed = _changed(previous, version)
    if any(key in changed for key in _WINDOW_FIELDS) or maintenance_withdrawn(previous.fields.get("status")):
        return [EventKind.MAINTENANCE_CHANGED]
    return []


def _changed(previous: Version, version: Version) -> frozenset[str]:
    # ``Version.changed`` compares with the previous version on the branch, which the audience may not have seen
    return frozenset(k for k in set(previous.fields) | set(version.fields) if previous.fields.get(k) != version.fields.get(k))


_KINDS_OF: dict[Kind, Callable[[Version | None, Version], list[EventKind]]] = {
    Kind.INCIDENT: _incident_kinds,
    Kind.MAINTENANCE: _maintenance_kinds,
}


def ticket_events(ticket: TicketHistory, sees: Sees) -> Iterator[Event]:
    """Every event of one ticket's whole visible history, oldest first, each with its stable key."""
    derive = _KINDS_OF.get(ticket.kind)
    if derive is None:
        return
    previous: Version | None = None
    seen: dict[EventKind, int] = {}
    for version in ticket.versions:
        if not sees(ticket, version):
            continue
        for kind in derive(previous, version):
            count = seen[kind] = seen.get(kind, 0) + 1
            fields = version.fields
            key = f"{ticket.id}:{kind.value}:{count}:{_digest(fields.get('status'), fields.get('update'), *(fields.get(k) for k in _WINDOW_FIELDS))}"
            yield Event(kind, as_ticket(ticket, version), version.commit.landed_at,
                        previous.fields.get("status") if previous else None, version.commit.sha, key=key)
        previous = version


def landed_events(history: History, commits: Collection[str], sees: Sees) -> list[Event]:
    """The events that ``commits`` (first-parent shas) brought, for one audience, in landed order."""
    out: list[Event] = []
    for ticket in history.tickets.values():
        if not any(v.commit.sha in commits for v in ticket.versions):
            continue
        out.extend(e for e in ticket_events(ticket, sees) if e.commit in commits)
    out.sort(key=lambda e: (e.at, e.ticket.id))
    return out


def starting_soon(history: History, sees: Sees, now: datetime, *, lead: timedelta = STARTING_SOON) -> list[Event]:
    """Maintenance windows the audience can see that start within ``lead`` after ``now`` (and are not cancelled)."""
    out = []
    for ticket in history.tickets.values():
        if ticket.kind is not Kind.MAINTENANCE or ticket.deleted is not None or not ticket.versions:
            continue
        version = ticket.latest
        starts = parse_time(version.fields.get("starts_at"))
        if starts is None or maintenance_withdrawn(version.fields.get("status")) or not now < starts <= now + lead:
            continue
        if sees(ticket, version):
            out.append(Event(EventKind.MAINTENANCE_STARTING, as_ticket(ticket, version), now,
                             key=f"{ticket.id}:{EventKind.MAINTENANCE_STARTING.value}:{starts.isoformat()}"))
    return sorted(out, key=lambda e: e.ticket.id)


def sla_events(report: SlaReport, history: History, now: datetime) -> list[Event]:
    """SLA at risk and breached, one event per clock and cycle, for the internal audience only."""
    out = []
    for sla in report.tickets:
        ticket = history.tickets.get(sla.id)
        if ticket is None or not ticket.versions:
            continue
        for name, clock in sla.targets.items():
            if clock.state is ClockState.BREACHED and clock.breached:
                kind = EventKind.SLA_BREACHED
            elif clock.at_risk:
                kind = EventKind.SLA_AT_RISK
            else:
                continue
            out.append(Event(kind, as_ticket(ticket, ticket.latest), now, target=name.value,
                             key=f"{sla.id}:{kind.value}:{name.value}:{clock.cycles}"))
    return out
