"""Stage 3: SLA clocks and summaries. Pure: versions + policy + calendar + now.

INTERFACE STUB (foundation): the types below are the contract the site and the
CLI use. The implementation lands with issue 3. ``to_json`` shapes follow the
CLI contract in DESIGN.md exactly.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from generator.config import Config
from generator.history import History
from generator.model import Ticket


class ClockState(str, enum.Enum):
    MET = "met"
    BREACHED = "breached"
    RUNNING = "running"
    PAUSED = "paused"
    NOT_APPLICABLE = "not_applicable"


class TargetName(str, enum.Enum):
    RESPONSE = "response"
    MITIGATION = "mitigation"
    RESOLUTION = "resolution"


@dataclass(frozen=True)
class Clock:
    """One target's clock for one ticket (the latest cycle for reopened tickets)."""

    state: ClockState
    target_seconds: int | None = None
    elapsed_seconds: int | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    breached: bool = False
    ever_breached: bool = False
    cycles: int = 0
    at_risk: bool = False
    calendar: str | None = None
    #: counted seconds summed over all cycles (MTTR uses this)
    total_elapsed_seconds: int | None = None

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class TicketSla:
    id: str
    severity: str | None
    status: str | None
    client: str | None
    targets: dict[TargetName, Clock]
    started_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class Stats:
    """Met/breached counts and elapsed-time statistics for one target."""

    met: int = 0
    breached: int = 0
    running: int = 0
    at_risk: int = 0
    compliance: float | None = None
    mean_seconds: float | None = None
    median_seconds: float | None = None
    p90_seconds: float | None = None


@dataclass(frozen=True)
class Uptime:
    """One component over one window of days."""

    component: str
    days: int
    uptime: float  # 0..1
    outage_seconds: int
    degraded_seconds: int
    maintenance_seconds: int
    error_budget_seconds: int
    budget_left_seconds: int


@dataclass
class SlaReport:
    now: datetime
    tickets: list[TicketSla] = field(default_factory=list)
    #: severity -> target -> stats
    by_severity: dict[str, dict[TargetName, Stats]] = field(default_factory=dict)
    #: "YYYY-MM" -> severity -> target -> stats (month of the ticket's start)
    by_month: dict[str, dict[str, dict[TargetName, Stats]]] = field(default_factory=dict)
    #: component -> window days -> Uptime
    uptime: dict[str, dict[int, Uptime]] = field(default_factory=dict)
    #: escalation counts by (from, to) level, e.g. ("L1", "L2") -> 12
    escalations: dict[tuple[str, str], int] = field(default_factory=dict)
    #: "YYYY-MM" -> backlog items that reached `done` that month (landed time)
    backlog_throughput: dict[str, int] = field(default_factory=dict)
    #: runbook ids whose last ok run + every < now
    overdue_runbooks: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError


def compute(tickets: list[Ticket], history: History, config: Config, *, now: datetime,
            client: str | None = None) -> SlaReport:
    """Every ticket's clocks at ``now`` and the summaries. Pure."""
    raise NotImplementedError("SLA stage lands with issue 3")
