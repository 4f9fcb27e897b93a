"""`gitdesk sla`, `gitdesk sla check` and `gitdesk history`: options in, one pipeline, text out.

The renderers here are pure functions of an :class:`~gitdesk.sla.SlaReport`
or a :class:`~gitdesk.history.TicketHistory`, so tests compare their output
with golden files.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from gitdesk import report as diag_report
from gitdesk.commands import parse_now
from gitdesk.config import Config, load_config
from gitdesk.errors import GitdeskError
from gitdesk.history import History, TicketHistory, changes_since, read_history
from gitdesk.load.files import load_repo
from gitdesk.model import Diagnostic, DiagnosticLevel, Ticket, parse_time
from gitdesk.sla import Clock, ClockState, SlaReport, Stats, TargetName, TicketSla, compliance, compute, summarize


@dataclass
class Evidence:
    """What every SLA command starts from: config, working tree and landed history."""

    repo: Path
    config: Config
    tickets: list[Ticket]
    history: History


def gather(repo: Path) -> Evidence:
    """Load gitdesk.yml, the working tree and the branch's history (RepoError if Git is unusable)."""
    config = load_config(repo)
    history = read_history(repo, branch=config.branch)
    return Evidence(repo, config, load_repo(repo).tickets, history)


def parse_day(value: str | None, zone: ZoneInfo, option: str) -> datetime | None:
    """``--since``/``--until``: a date (midnight in the service's time zone) or a time with offset."""
    if value is None:
        return None
    parsed = parse_time(value)
    if parsed is not None:
        return parsed
    try:
        return datetime.combine(date.fromisoformat(value), time(0), zone)
    except ValueError:
        raise GitdeskError(f"{option} {value!r} is not a date", hint=f"e.g. {option} 2026-11-01") from None


# --- gitdesk sla --------------------------------------------------------------------

def sla_command(repo: Path, *, now: str | None, fmt: str, client: str | None = None,
                since: str | None = None, until: str | None = None) -> int:
    """Print every ticket's clocks and the summaries in ``fmt`` (table, json, csv)."""
    evidence = gather(repo)
    zone = ZoneInfo(evidence.config.timezone)
    if client is not None:
        evidence.config.client(client)  # unknown client: a clear usage error
    result = compute(evidence.tickets, evidence.history, evidence.config, now=parse_now(now), client=client,
                     since=parse_day(since, zone, "--since"), until=parse_day(until, zone, "--until"))
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(render_csv(result), nl=False)
    else:
        click.echo(render_table(result, zone))
    return 0


def duration(seconds: float | None, *, precise: bool = False) -> str:
    """A human duration of counted time: "45m 10s", "1h 20m" (seconds dropped from an hour on unless ``precise``)."""
    if seconds is None:
        return "—"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours and not precise:
        secs = 0
    if secs:
        return f"{hours}h {minutes}m {secs}s" if hours else (f"{minutes}m {secs}s" if minutes else f"{secs}s")
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m"


_WORDS = {
    ClockState.MET: "met",
    ClockState.BREACHED: "BREACHED",
    ClockState.RUNNING: "running",
    ClockState.PAUSED: "paused",
    ClockState.NOT_APPLICABLE: "—",
}


def clock_cell(c: Clock) -> str:
    """A clock in words: "met 21m of 1h", "BREACHED 9h 10m of 8h", "running 6h of 8h, at risk"."""
    if not c.applicable:
        return _WORDS[c.state]
    # within a minute of the target, the seconds are what decide: show them
    precise = abs((c.elapsed_seconds or 0) - (c.target_seconds or 0)) < 60
    text = f"{_WORDS[c.state]} {duration(c.elapsed_seconds, precise=precise)} of {duration(c.target_seconds)}"
    if c.cycles > 1:
        text += f" (cycle {c.cycles})"
    if c.ever_breached and not c.breached:
        text += ", breached before"
    if c.at_risk:
        text += ", at risk"
    return text


def _stats_line(name: TargetName, s: Stats) -> str:
    share = "n/a" if s.compliance is None else f"{s.compliance:.1%}"
    label = {"response": "MTTA", "resolution": "MTTR"}.get(name.value, "time")
    return (f"  {name.value:<11} {s.met:>4} met {s.breached:>4} breached {s.running:>4} running "
            f"({s.at_risk} at risk)  compliance {share:>6}  {label} mean {duration(s.mean_seconds)}, "
            f"median {duration(s.median_seconds)}, p90 {duration(s.p90_seconds)}")


def render_table(result: SlaReport, zone: ZoneInfo) -> str:
    """The human report: one row per ticket, then summaries per severity, uptime and the rest."""
    header = ("ID", "SEV", "STATUS", "RESPONSE", "MITIGATION", "RESOLUTION")
    rows = [header] + [
        (t.id, t.severity or "?", t.status or "?", *(clock_cell(t.targets[n]) for n in TargetName)) for t in result.tickets
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [f"SLA as of {result.now.astimezone(zone):%Y-%m-%d %H:%M %Z}", ""]
    if result.tickets:
        lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    else:
        lines.append("No incident has landed on the branch yet.")
    lines += ["", "By severity:"]
    for severity, by_target in result.by_severity.items():
        lines.append(f" {severity}")
        lines += [_stats_line(name, s) for name, s in by_target.items()]
    overall = compliance(result)
    lines.append(f"Overall compliance: {'n/a' if overall is None else f'{overall:.1%}'}"
                 + (f" (minimum {result.min_compliance:.0%})" if result.min_compliance is not None else ""))
    if result.uptime:
        lines += ["", "Uptime:"]
        for component, windows in result.uptime.items():
            parts = [f"{days}d {u.uptime:.3%} (down {duration(u.outage_seconds)}, degraded {duration(u.degraded_seconds)}, "
                     f"budget left {duration(u.budget_left_seconds) if u.budget_left_seconds >= 0 else 'overspent ' + duration(-u.budget_left_seconds)})"
                     for days, u in windows.items()]
            lines.append(f"  {component}: " + "; ".join(parts))
    if result.escalations:
        lines += ["", "Escalations: " + ", ".join(f"{a}→{b} ×{n}" for (a, b), n in sorted(result.escalations.items()))]
    if result.backlog_throughput:
        lines += ["", "Backlog done per month: " + ", ".join(f"{m}: {n}" for m, n in sorted(result.backlog_throughput.items()))]
    if result.overdue_runbooks:
        lines += ["", "Preventive runbooks overdue:"]
        for rid in result.overdue_runbooks:
            due = result.runbook_due.get(rid)
            lines.append(f"  {rid}: " + (f"due {due.astimezone(zone):%Y-%m-%d}" if due else "never run ok"))
    if result.anomalies:
        lines += ["", "Anomalies in the evidence:"] + [f"  {a.message}" for a in result.anomalies]
    return "\n".join(lines)


CSV_FIELDS = ("id", "severity", "status", "client", "target", "state", "target_seconds", "elapsed_seconds",
              "started_at", "stopped_at", "breached", "ever_breached", "cycles", "at_risk")


def render_csv(result: SlaReport) -> str:
    """One row per ticket × target, columns :data:`CSV_FIELDS`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for t in result.tickets:
        for name in TargetName:
            data = t.targets[name].to_json()
            writer.writerow([t.id, t.severity or "", t.status or "", t.client or "", name.value,
                             *("" if data.get(k) is None else _csv_value(data.get(k)) for k in CSV_FIELDS[5:])])
    return out.getvalue()


def _csv_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


# --- gitdesk sla check ---------------------------------------------------------------

def check_report(result: SlaReport, config: Config, tickets: list[Ticket]) -> list[Diagnostic]:
    """Errors: breaches without ``breach_reason``, compliance under ``min_compliance``. Warnings: at-risk clocks, anomalies."""
    positions = {t.id: t for t in tickets}
    zone = ZoneInfo(config.timezone)
    out: list[Diagnostic] = []

    def at(sla: TicketSla, key: str | None) -> tuple[str, int, int]:
        ticket = positions.get(sla.id)
        pos = ticket.pos(key) if ticket else None
        return (sla.path or sla.id, pos.line if pos else 1, pos.column if pos else 1)

    for sla in result.tickets:
        breached = [(n, c) for n, c in sla.targets.items() if c.ever_breached]
        if breached and sla.breach_reason is None:
            what = ", ".join(f"{n.value} ({duration(c.elapsed_seconds)} of {duration(c.target_seconds)})" for n, c in breached)
            out.append(Diagnostic(*at(sla, "status"), "GD320",
                                  f"{sla.id}: breached {what}; add `breach_reason:` to {sla.path} saying why"))
        for name, c in sla.targets.items():
            if c.at_risk:
                due = f", due {c.due_at.astimezone(zone):%Y-%m-%d %H:%M %Z}" if c.due_at else ""
                out.append(Diagnostic(*at(sla, "status"), "GD321",
                                      f"{sla.id}: {name.value} at risk, {duration(c.elapsed_seconds)} of {duration(c.target_seconds)} used{due}",
                                      DiagnosticLevel.WARNING))
    groups: list[tuple[str, float | None, list[TicketSla]]] = [("all tickets", config.sla.min_compliance, result.tickets)]
    for client in config.clients:
        if client.sla is not None and client.sla.min_compliance != config.sla.min_compliance:
            groups.append((f"client {client.id}", client.sla.min_compliance, [t for t in result.tickets if t.client == client.id]))
    for label, minimum, group in groups:
        share = compliance(SlaReport(result.now, group, summarize(group)))
        if minimum is not None and share is not None and share < minimum:
            breached_ids = ", ".join(f"{t.id} ({t.path})" for t in group if any(c.state is ClockState.BREACHED for c in t.targets.values()))
            out.append(Diagnostic("gitdesk.yml", 1, 1, "GD322",
                                  f"SLA compliance for {label} is {share:.1%}, below sla.min_compliance {minimum:.0%}; "
                                  f"breached: {breached_ids or 'none'}"))
    for anomaly in result.anomalies:
        out.append(Diagnostic(anomaly.path or "gitdesk.yml", 1, 1, "GD311", anomaly.message, DiagnosticLevel.WARNING))
    return out


def sla_check_command(repo: Path, *, now: str | None, fmt: str) -> int:
    """Exit 1 if a breach has no breach_reason or compliance is under the minimum; warn about at-risk clocks."""
    evidence = gather(repo)
    result = compute(evidence.tickets, evidence.history, evidence.config, now=parse_now(now))
    items = check_report(result, evidence.config, evidence.tickets)
    if items:
        click.echo(diag_report.render(items, fmt))
    errors = sum(d.level is DiagnosticLevel.ERROR for d in items)
    if fmt == "github":
        diag_report.append_step_summary(diag_report.step_summary(items, title="gitdesk sla check", files=len(result.tickets)))
    share = compliance(result)
    click.echo(("✗ " if errors else "✓ ") + f"{len(result.tickets)} incidents, compliance "
               f"{'n/a' if share is None else f'{share:.1%}'}: {errors} error(s), {len(items) - errors} warning(s)", err=True)
    return 1 if errors else 0


# --- gitdesk history ----------------------------------------------------------------

#: fields whose changes the timeline spells out (others are listed by name)
_TRACKED = ("status", "severity", "level", "assignee", "components")


def timeline(ticket: TicketHistory) -> list[dict[str, Any]]:
    """The ticket's landed versions as timeline entries (what changed, in words and data)."""
    entries = []
    for version, previous in changes_since(ticket.versions):
        changes = []
        if previous is None:
            initial = ", ".join(f"{k} {_show(version.fields[k])}" for k in _TRACKED[:3] if k in version.fields)
            changes.append(f"created ({initial})" if initial else "created")
        elif previous.path != version.path:
            changes.append(f"moved {previous.path} → {version.path}")
        for key in _TRACKED:
            if previous is not None and key in version.changed:
                changes.append(f"{key} {_show(previous.fields.get(key))} → {_show(version.fields.get(key))}")
        others = sorted(version.changed - set(_TRACKED) - {"update"}) if previous is not None else []
        if others:
            changes.append("edited " + ", ".join(others))
        c = version.commit
        entries.append({
            "sha": c.sha, "landed_at": c.landed_at.isoformat(), "authored_at": c.authored_at.isoformat(),
            "author": c.author, "subject": c.subject, "path": version.path,
            "changed": sorted(version.changed), "changes": changes,
            "status": version.fields.get("status"), "severity": version.fields.get("severity"),
            "level": version.fields.get("level"),
            "update": version.fields.get("update") if "update" in version.changed else None,
        })
    if ticket.deleted is not None:
        c = ticket.deleted
        entries.append({"sha": c.sha, "landed_at": c.landed_at.isoformat(), "authored_at": c.authored_at.isoformat(),
                        "author": c.author, "subject": c.subject, "path": None, "changed": [], "changes": ["deleted"],
                        "status": None, "severity": None, "level": None, "update": None})
    return entries


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def render_timeline(ticket: TicketHistory, zone: ZoneInfo) -> str:
    """``history ID`` as text: time in the service's zone, short sha, author, what changed, update."""
    lines = [f"{ticket.id} ({ticket.kind.value}), {len(ticket.versions)} landed version(s)"]
    for entry in timeline(ticket):
        when = datetime.fromisoformat(entry["landed_at"]).astimezone(zone)
        lines.append(f"{when:%Y-%m-%d %H:%M %Z}  {entry['sha'][:10]}  {entry['author']}: {'; '.join(entry['changes'])}")
        if entry["update"]:
            lines.append(f"    “{entry['update']}”")
    return "\n".join(lines)


def history_command(repo: Path, ticket_id: str, *, fmt: str) -> int:
    """Print one ticket's timeline from Git (text or JSON)."""
    config = load_config(repo)
    history = read_history(repo, branch=config.branch)
    ticket = history.tickets.get(ticket_id)
    if ticket is None:
        raise GitdeskError(f"{ticket_id} has no landed history on {config.branch}",
                           hint="check the id; a ticket appears here once a commit with it is on the branch")
    if fmt == "json":
        click.echo(json.dumps({"id": ticket.id, "kind": ticket.kind.value, "branch": history.branch,
                               "entries": timeline(ticket)}, indent=2, ensure_ascii=False))
    else:
        click.echo(render_timeline(ticket, ZoneInfo(config.timezone)))
    return 0
