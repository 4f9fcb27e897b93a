"""The domain: tickets, their kinds and statuses, and diagnostics.

Everything here is plain data. Loading, history and SLA logic live in their own
modules and produce or consume these types.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping


class Kind(str, enum.Enum):
    """The five kinds of record; a file's folder decides its kind."""

    INCIDENT = "incident"
    DECISION = "decision"
    BACKLOG = "backlog"
    MAINTENANCE = "maintenance"
    RUNBOOK = "runbook"

    @property
    def prefix(self) -> str | None:
        """The id prefix a kind's ids carry (runbooks use the file slug)."""
        return _PREFIXES[self]

    @property
    def folder(self) -> str:
        """The repo-relative folder holding this kind's files."""
        return _FOLDERS[self]


_PREFIXES: dict[Kind, str | None] = {
    Kind.INCIDENT: "INC",
    Kind.DECISION: "DEC",
    Kind.BACKLOG: "EVO",
    Kind.MAINTENANCE: "MNT",
    Kind.RUNBOOK: None,
}

_FOLDERS: dict[Kind, str] = {
    Kind.INCIDENT: "tickets/incidents",
    Kind.DECISION: "tickets/decisions",
    Kind.BACKLOG: "backlog",
    Kind.MAINTENANCE: "tickets/maintenance",
    Kind.RUNBOOK: "runbooks",
}


class IncidentStatus(enum.StrEnum):
    """An incident's status: the one vocabulary the SLA engine, pages, feeds and API share.

    The values are the incident schema's ``status`` enum (a test keeps them
    equal). Members compare equal to their strings, so a raw front-matter value
    can be tested against the sets below directly.
    """

    REPORTED = "reported"
    TRIAGED = "triaged"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MITIGATED = "mitigated"
    MONITORING = "monitoring"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"
    DEFERRED = "deferred"
    CANCELLED = "cancelled"

    @classmethod
    def parse(cls, value: object) -> IncidentStatus | None:
        """The status ``value`` names, or None for anything else (a missing or misspelt status)."""
        return cls(value) if isinstance(value, str) and value in _INCIDENT_VALUES else None

    @property
    def responded(self) -> bool:
        """Someone answered: every status but ``reported`` stops the response clock."""
        return self is not IncidentStatus.REPORTED

    @property
    def mitigated(self) -> bool:
        """The client can work again: stops the mitigation clock and ends an outage."""
        return self in MITIGATED

    @property
    def resolved(self) -> bool:
        """Fixed, closed or handed to the backlog: stops the resolution clock."""
        return self in RESOLVED

    @property
    def withdrawn(self) -> bool:
        """Not an incident after all: no clocks, no outage."""
        return self in WITHDRAWN

    @property
    def open(self) -> bool:
        """Still being handled: neither resolved nor withdrawn."""
        return not (self.resolved or self.withdrawn)

    def paused(self, pause_statuses: Iterable[str]) -> bool:
        """Whether the policy's ``pause_statuses`` stop the mitigation and resolution clocks here."""
        return self.value in pause_statuses


_INCIDENT_VALUES = frozenset(s.value for s in IncidentStatus)

#: Statuses whose first landing stops the mitigation clock (docs/sla.md, the clock table).
MITIGATED: frozenset[IncidentStatus] = frozenset({
    IncidentStatus.MITIGATED, IncidentStatus.MONITORING, IncidentStatus.RESOLVED, IncidentStatus.CLOSED, IncidentStatus.DEFERRED})
#: Statuses whose first landing stops the resolution clock.
RESOLVED: frozenset[IncidentStatus] = frozenset({IncidentStatus.RESOLVED, IncidentStatus.CLOSED, IncidentStatus.DEFERRED})
#: Statuses that take an incident out of the SLA and the uptime figures.
WITHDRAWN: frozenset[IncidentStatus] = frozenset({IncidentStatus.CANCELLED})
#: Statuses in which an incident is over (kept for callers written before the enum; prefer ``status.open``).
DONE_STATUSES: frozenset[IncidentStatus] = RESOLVED | WITHDRAWN


def is_open(status: object) -> bool:
    """Whether a raw status (as written in front matter) is an open incident; an unknown one counts as open."""
    parsed = IncidentStatus.parse(status)
    return parsed is None or parsed.open


class MaintenanceStatus(enum.StrEnum):
    """A maintenance window's status (the maintenance schema's ``status`` enum)."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def withdrawn(self) -> bool:
        """Called off: no impact, no notice, but kept in the calendar as cancelled."""
        return self is MaintenanceStatus.CANCELLED


def maintenance_withdrawn(status: object) -> bool:
    """Whether a raw maintenance status says the window was called off."""
    return status == MaintenanceStatus.CANCELLED


_S = IncidentStatus
#: The usual flow of an incident; `gitdesk status` warns on jumps outside it.
INCIDENT_FLOW: Mapping[str, frozenset[str]] = {
    _S.REPORTED: frozenset({_S.TRIAGED, _S.INVESTIGATING, _S.CANCELLED, _S.DEFERRED, _S.WAITING}),
    _S.TRIAGED: frozenset({_S.INVESTIGATING, _S.IDENTIFIED, _S.WAITING, _S.DEFERRED, _S.CANCELLED}),
    _S.INVESTIGATING: frozenset({_S.IDENTIFIED, _S.MITIGATED, _S.WAITING, _S.RESOLVED, _S.DEFERRED, _S.CANCELLED}),
    _S.IDENTIFIED: frozenset({_S.MITIGATED, _S.RESOLVED, _S.WAITING, _S.DEFERRED}),
    _S.MITIGATED: frozenset({_S.MONITORING, _S.RESOLVED, _S.WAITING, _S.INVESTIGATING}),
    _S.MONITORING: frozenset({_S.RESOLVED, _S.INVESTIGATING, _S.WAITING}),
    _S.WAITING: frozenset({_S.TRIAGED, _S.INVESTIGATING, _S.IDENTIFIED, _S.MITIGATED, _S.RESOLVED, _S.CANCELLED}),
    _S.RESOLVED: frozenset({_S.CLOSED, _S.INVESTIGATING}),
    _S.CLOSED: frozenset({_S.INVESTIGATING}),
    _S.DEFERRED: frozenset({_S.TRIAGED, _S.INVESTIGATING}),
    _S.CANCELLED: frozenset({_S.TRIAGED}),
}


class DiagnosticLevel(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding about one place in one file.

    ``file`` is relative to the repo root (POSIX separators); ``line`` and
    ``column`` are 1-based. ``code`` is a stable machine name (``GD101``…).
    """

    file: str
    line: int
    column: int
    code: str
    message: str
    level: DiagnosticLevel = DiagnosticLevel.ERROR

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


@dataclass
class Ticket:
    """One record (incident, decision, backlog item, maintenance window, runbook).

    ``fields`` is the front matter as loaded (timestamps stay ISO strings so that
    quoted and unquoted spellings are the same value); ``positions`` maps each
    top-level key to where it is written. Typed accessors parse on demand.
    """

    kind: Kind
    id: str
    path: str
    fields: dict[str, Any]
    body: str = ""
    positions: dict[str, Position] = field(default_factory=dict)
    body_line: int = 1

    def pos(self, key: str | None = None) -> Position:
        """Where ``key`` is written, else the top of the file."""
        if key is not None and key in self.positions:
            return self.positions[key]
        return Position(1, 1)

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)

    @property
    def title(self) -> str:
        return str(self.fields.get("title", ""))

    @property
    def status(self) -> str | None:
        value = self.fields.get("status")
        return value if isinstance(value, str) else None

    @property
    def severity(self) -> str | None:
        value = self.fields.get("severity")
        return value if isinstance(value, str) else None

    @property
    def client(self) -> str | None:
        value = self.fields.get("client")
        return value if isinstance(value, str) else None

    @property
    def components(self) -> list[str]:
        value = self.fields.get("components")
        return [c for c in value if isinstance(c, str)] if isinstance(value, list) else []

    @property
    def related(self) -> list[str]:
        value = self.fields.get("related")
        return [c for c in value if isinstance(c, str)] if isinstance(value, list) else []

    def visibility(self, default: str) -> str:
        """``public`` or ``internal``; runbooks default to internal whatever the repo says."""
        value = self.fields.get("visibility")
        if value in ("public", "internal"):
            return str(value)
        return "internal" if self.kind is Kind.RUNBOOK else default

    def time(self, key: str) -> datetime | None:
        """A timestamp field as an aware datetime, or None if absent or malformed."""
        return parse_time(self.fields.get(key))


def parse_time(value: Any) -> datetime | None:
    """Parse an ISO 8601 timestamp that carries an offset; None otherwise."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
