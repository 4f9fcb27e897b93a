"""Stage 3: SLA clocks and summaries. Pure: versions + policy + calendar + now.

One module per job: :mod:`~gitdesk.sla.calendars` (counted time),
:mod:`~gitdesk.sla.clocks` (each incident's clocks), :mod:`~gitdesk.sla.stats`
(compliance, MTTA/MTTR), :mod:`~gitdesk.sla.uptime` (uptime and the per-day
series), :mod:`~gitdesk.sla.schedule` (runbooks due), :mod:`~gitdesk.sla.engine`
(the whole report), :mod:`~gitdesk.sla.report` (JSON, CSV, table) and
:mod:`~gitdesk.sla.check` (the ``sla check`` policy). The names below are the
package's public face (``stats`` names the module; its function is
``gitdesk.sla.stats.stats``).
"""

from __future__ import annotations

from gitdesk.model import MITIGATED, RESOLVED, IncidentStatus
from gitdesk.sla.check import check_report
from gitdesk.sla.clocks import NOT_APPLICABLE, Clock, ClockState, Judge, Step, TargetName, TicketSla, clock, steps_of, ticket_sla, ticket_start
from gitdesk.sla.engine import SlaReport, compute
from gitdesk.sla.report import render, render_csv, render_table, report_json
from gitdesk.sla.schedule import overdue_runbooks, runbook_due
from gitdesk.sla.stats import Stats, backlog_throughput, combined_compliance, compliance, escalations, percentile, summarize
from gitdesk.sla.uptime import Availability, Day, DayImpact, Uptime, availability

__all__ = [
    "MITIGATED",
    "NOT_APPLICABLE",
    "RESOLVED",
    "IncidentStatus",
    "Availability",
    "Clock",
    "ClockState",
    "Day",
    "DayImpact",
    "Judge",
    "SlaReport",
    "Stats",
    "Step",
    "TargetName",
    "TicketSla",
    "Uptime",
    "availability",
    "backlog_throughput",
    "check_report",
    "clock",
    "combined_compliance",
    "compliance",
    "compute",
    "escalations",
    "overdue_runbooks",
    "percentile",
    "render",
    "render_csv",
    "render_table",
    "report_json",
    "runbook_due",
    "steps_of",
    "summarize",
    "ticket_sla",
    "ticket_start",
]
