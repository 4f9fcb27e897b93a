"""The ``sla check`` policy: what fails a CI run (unexplained breaches, compliance under the minimum) and what warns."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from gitdesk.config import Config
from gitdesk.history import Anomaly
from gitdesk.model import Diagnostic, DiagnosticLevel, Ticket
from gitdesk.sla.clocks import ClockState, TicketSla
from gitdesk.sla.declared import judged_part
from gitdesk.sla.engine import SlaReport
from gitdesk.sla.report import duration
from gitdesk.sla.stats import tickets_compliance


def check_report(result: SlaReport, config: Config, tickets: list[Ticket]) -> list[Diagnostic]:
    """Errors: breaches without ``breach_reason``, compliance under ``min_compliance``. Warnings: at-risk clocks, anomalies."""
    positions = {t.id: t for t in tickets}
    zone = ZoneInfo(config.timezone)
    out: list[Diagnostic] = []

    def at(sla: TicketSla, key: str | None) -> tuple[str, int, int]:
        ticket = positions.get(sla.id)
        pos = ticket.pos(key) if ticket else None
        return (sla.path or sla.id, pos.line if pos else 1, pos.column if pos else 1)

    # clocks that started before sla.since are history: reported by `sla`, not judged here
    judged = [judged_part(t, config.policy_for(t.client).since) for t in result.tickets]
    for sla in judged:
        breached = [(n, c) for n, c in sla.targets.items() if c.ever_breached]
        if breached and sla.breach_reason is None:
            what = ", ".join(f"{n.value} ({duration(c.elapsed_seconds)} of {duration(c.target_seconds)})" if c.breached else
                             f"{n.value} (in an earlier cycle; the latest took {duration(c.elapsed_seconds)} of {duration(c.target_seconds)})"
                             for n, c in breached)
            fix = (f"add `breach_reason:` to {sla.path} saying why" if sla.deleted is None else
                   f"its file {sla.path} was deleted by commit {sla.deleted.short}: restore it with `status: cancelled` "
                   f"and a `breach_reason:` saying why")
            out.append(Diagnostic(*at(sla, "status"), "GD320", f"{sla.id}: breached {what}; {fix}"))
        for name, c in sla.targets.items():
            if c.at_risk:
                due = f", due {c.due_at.astimezone(zone):%Y-%m-%d %H:%M %Z}" if c.due_at else ""
                out.append(Diagnostic(*at(sla, "status"), "GD321",
                                      f"{sla.id}: {name.value} at risk, {duration(c.elapsed_seconds)} of {duration(c.target_seconds)} used{due}",
                                      DiagnosticLevel.WARNING))
    groups: list[tuple[str, float | None, list[TicketSla]]] = [("all tickets", config.sla.min_compliance, judged)]
    for client in config.clients:
        if client.sla is not None and client.sla.min_compliance != config.sla.min_compliance:
            groups.append((f"client {client.id}", client.sla.min_compliance, [t for t in judged if t.client == client.id]))
    for label, minimum, group in groups:
        share = tickets_compliance(group)
        if minimum is not None and share is not None and share < minimum:
            breached_ids = ", ".join(f"{t.id} ({t.path})" for t in group if any(c.state is ClockState.BREACHED for c in t.targets.values()))
            out.append(Diagnostic("gitdesk.yml", 1, 1, "GD322",
                                  f"SLA compliance for {label} is {share:.1%}, below sla.min_compliance {minimum:.0%}; "
                                  f"breached: {breached_ids or 'none'}"))
    out.extend(anomaly_diagnostic(anomaly) for anomaly in result.anomalies)
    return out


def errors_in(items: list[Diagnostic]) -> int:
    """How many findings fail the check (the rest are warnings)."""
    return sum(d.level is DiagnosticLevel.ERROR for d in items)


#: anomaly kind -> diagnostic code (GD311 for the rest)
_ANOMALY_CODES = {"witness-disagrees": "GD313"}


def anomaly_diagnostic(anomaly: Anomaly) -> Diagnostic:
    """An anomaly in the evidence (shared by `validate` and `sla check`) as a warning at a ticket file its commit changed (GD313 for witness, else GD311)."""
    return Diagnostic(anomaly.path or "gitdesk.yml", 1, 1, _ANOMALY_CODES.get(anomaly.kind, "GD311"), anomaly.message,
                      DiagnosticLevel.WARNING)
