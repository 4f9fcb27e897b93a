"""The domain: tickets, their kinds and statuses, and diagnostics.

Everything here is plain data. Loading, history and SLA logic live in their own
modules and produce or consume these types.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping


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


#: Statuses in which an incident is over (for the status page and "open" lists).
DONE_STATUSES = frozenset({"resolved", "closed", "deferred", "cancelled"})

#: The usual flow of an incident; `gitdesk status` warns on jumps outside it.
INCIDENT_FLOW: Mapping[str, frozenset[str]] = {
    "reported": frozenset({"triaged", "investigating", "cancelled", "deferred", "waiting"}),
    "triaged": frozenset({"investigating", "identified", "waiting", "deferred", "cancelled"}),
    "investigating": frozenset({"identified", "mitigated", "waiting", "resolved", "deferred", "cancelled"}),
    "identified": frozenset({"mitigated", "resolved", "waiting", "deferred"}),
    "mitigated": frozenset({"monitoring", "resolved", "waiting", "investigating"}),
    "monitoring": frozenset({"resolved", "investigating", "waiting"}),
    "waiting": frozenset({"triaged", "investigating", "identified", "mitigated", "resolved", "cancelled"}),
    "resolved": frozenset({"closed", "investigating"}),
    "closed": frozenset({"investigating"}),
    "deferred": frozenset({"triaged", "investigating"}),
    "cancelled": frozenset({"triaged"}),
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
