"""`gitdesk sla`, `gitdesk sla check` and `gitdesk history`: options in, one pipeline, text out.

The SLA renderings and the check policy live in :mod:`gitdesk.sla`; the
timeline renderer here is a pure function of a
:class:`~gitdesk.history.TicketHistory`, so tests compare its output with
golden files.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Sequence
from zoneinfo import ZoneInfo

import click

from gitdesk import report as diag_report
from gitdesk.commands import parse_now
from gitdesk.config import Config, load_config
from gitdesk.errors import GitdeskError
from gitdesk.history import History, TicketHistory, changes_since, git, read_history
from gitdesk.history.cache import no_gc
from gitdesk.load.files import load_repo
from gitdesk.model import Kind, Ticket, parse_time
from gitdesk.sla import cache as sla_cache
from gitdesk.sla import compliance, compute
from gitdesk.sla.engine import SlaReport, compute_rows, records_of, runbooks_of
from gitdesk.sla.check import check_report, errors_in
from gitdesk.sla.report import render, report_bytes


_log = logging.getLogger(__name__)


@dataclass
class Evidence:
    """What every SLA command starts from: config, working tree and landed history."""

    repo: Path
    config: Config
    tickets: list[Ticket]
    history: History


def gather(repo: Path, config: Config | None = None) -> Evidence:
    """Load gitdesk.yml (unless given), the working tree and the branch's history (RepoError if Git is unusable)."""
    config = config or load_config(repo)
    # history first: a working-tree file holding a blob the walk just parsed is not parsed again
    history = read_history(repo, branch=config.branch, witness_tolerance=config.sla.witness_tolerance, keep_files=True)
    tickets = load_repo(repo, use_cache=True, landed=history.files).tickets
    history.files = {}  # what it kept is no use once the files are loaded
    return Evidence(repo, config, tickets, history)


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
                since: str | None = None, until: str | None = None, audience: str = "internal") -> int:
    """Print every ticket's clocks and the summaries in ``fmt`` (table, json, csv).

    Through the SLA cache (:mod:`gitdesk.sla.cache`): with no new commit and no
    edited file, neither history nor tickets are read again.
    ``audience="client"`` computes from what that client's site shows
    (docs/sla.md, "Audience"), from a full read.
    """
    with no_gc():  # tens of thousands of objects that all live until the end: the cyclic GC would only rescan them
        if audience == "client":
            text = _audience_text(repo, parse_now(now), fmt, client=client, since=since, until=until)
        else:
            text = _sla_text(repo, parse_now(now), fmt, client=client, since=since, until=until)
    click.echo(text, nl=False)
    return 0


def _sla_text(repo: Path, moment: datetime, fmt: str, *, client: str | None, since: str | None, until: str | None) -> str | bytes:
    store = sla_cache.open_cache(repo, client=client)
    config = store.config()
    result = current = None
    if config is not None:
        zone = ZoneInfo(config.timezone)
        current = sla_cache.fingerprint(repo, config.branch)
        result = store.warm_report(config, moment, current, client=client,
                                   since=parse_day(since, zone, "--since"), until=parse_day(until, zone, "--until"))
    if result is None:
        _log.debug("sla: reading history and tickets (no SLA snapshot for these refs, files and gitdesk.yml)")
        branch = config.branch if config is not None else None
        config = load_config(repo)
        # taken before reading: a change during the run shows next time (the one above is, for the same branch)
        before = current if current is not None and branch == config.branch else sla_cache.fingerprint(repo, config.branch)
        evidence = gather(repo, config)
        zone = ZoneInfo(config.timezone)
        if client is not None:
            config.client(client)  # unknown client: a clear usage error
        result, rows = compute_rows(evidence.tickets, evidence.history, config, now=moment, client=client,
                                    since=parse_day(since, zone, "--since"), until=parse_day(until, zone, "--until"),
                                    parts=store.part)
        text = _render(result, fmt, zone)
        store.save(rows, config=config, maintenance=records_of(evidence.history, Kind.MAINTENANCE),
                   backlog=records_of(evidence.history, Kind.BACKLOG), runbooks=runbooks_of(evidence.tickets),
                   anomalies=evidence.history.anomalies, first_day=evidence.history.first_day(), before=before)
    else:
        _log.debug("sla: nothing changed since the last run: clocks from the SLA snapshot, running ones recomputed")
        text = _render(result, fmt, zone)
    return text


def _audience_text(repo: Path, moment: datetime, fmt: str, *, client: str | None, since: str | None,
                   until: str | None) -> str | bytes:
    from gitdesk.site import scope_for, scoped_report  # the site's scoping: imported only for this view

    evidence = gather(repo)
    zone = ZoneInfo(evidence.config.timezone)
    if client is not None:
        evidence.config.client(client)  # unknown client: a clear usage error
    result = scoped_report(evidence.tickets, evidence.history, evidence.config, now=moment,
                           scope=scope_for(evidence.config, "client", client),
                           since=parse_day(since, zone, "--since"), until=parse_day(until, zone, "--until"))[2]
    return _render(result, fmt, zone)


def _render(result: SlaReport, fmt: str, zone: ZoneInfo) -> str | bytes:
    # JSON as bytes: 10,000 tickets are 8 MB that need not be decoded only to be encoded again
    return report_bytes(result) if fmt == "json" else render(result, fmt, zone)


def sla_check_command(repo: Path, *, now: str | None, fmt: str) -> int:
    """Exit 1 if a breach has no breach_reason or compliance is under the minimum; warn about at-risk clocks."""
    evidence = gather(repo)
    result = compute(evidence.tickets, evidence.history, evidence.config, now=parse_now(now))
    items = check_report(result, evidence.config, evidence.tickets)
    if items:
        click.echo(diag_report.render(items, fmt))
    errors = errors_in(items)
    if fmt == "github":
        diag_report.append_step_summary(diag_report.step_summary(items, title="gitdesk sla check", files=len(result.tickets)))
    share = compliance(result)
    _log.info(("✗ " if errors else "✓ ") + f"{len(result.tickets)} incidents, compliance "  # a summary: silenced by -q
             f"{'n/a' if share is None else f'{share:.1%}'}: {errors} error(s), {len(items) - errors} warning(s)")
    return 1 if errors else 0


# --- gitdesk history ----------------------------------------------------------------

#: fields whose changes the timeline spells out (others are listed by name)
_TRACKED = ("status", "severity", "level", "assignee", "components")


def timeline(ticket: TicketHistory, revisions: Sequence[git.Revision] = ()) -> list[dict[str, Any]]:
    """The ticket's landed versions as timeline entries (what changed, in words and data).

    ``revisions`` (from :func:`gitdesk.history.git.file_revisions`) add each
    commit's diff stat (``lines``), and an entry of its own for a commit that
    changed the text alone: a decision rewritten 24 times shows 24 entries.
    """
    edits: dict[str, list[git.Revision]] = {}
    for revision in revisions:
        edits.setdefault(revision.sha, []).append(revision)
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
        # the fields already say what changed; the diff stat is kept as data
        lines = [{"path": r.path, "added": r.added, "deleted": r.deleted} for r in edits.pop(version.commit.sha, [])]
        c = version.commit
        entries.append({
            "sha": c.sha, "landed_at": c.landed_at.isoformat(), "authored_at": c.authored_at.isoformat(),
            "author": c.author, "subject": c.subject, "path": version.path,
            "changed": sorted(version.changed), "changes": changes,
            "status": version.fields.get("status"), "severity": version.fields.get("severity"),
            "level": version.fields.get("level"),
            "update": version.fields.get("update") if "update" in version.changed else None,
            "lines": lines,
        })
    if ticket.deleted is not None:
        edits.pop(ticket.deleted.sha, None)
    for sha, found in edits.items():  # commits that changed the text and no field
        r = found[0]
        entries.append({"sha": sha, "landed_at": r.committed_at.isoformat(), "authored_at": r.authored_at.isoformat(), "author": r.author,
                        "subject": r.subject, "path": r.path, "changed": [], "changes": [_edit_words(x) for x in found],
                        "status": None, "severity": None, "level": None, "update": None,
                        "lines": [{"path": x.path, "added": x.added, "deleted": x.deleted} for x in found]})
    entries.sort(key=lambda e: datetime.fromisoformat(str(e["landed_at"])))
    if ticket.deleted is not None:
        c = ticket.deleted
        entries.append({"sha": c.sha, "landed_at": c.landed_at.isoformat(), "authored_at": c.authored_at.isoformat(),
                        "author": c.author, "subject": c.subject, "path": None, "changed": [], "changes": ["deleted"],
                        "status": None, "severity": None, "level": None, "update": None})
    return entries


def _edit_words(revision: git.Revision) -> str:
    return f"text edited (+{revision.added} −{revision.deleted} lines)"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def render_timeline(ticket: TicketHistory, zone: ZoneInfo, revisions: Sequence[git.Revision] = ()) -> str:
    """``history ID`` as text: time in the service's zone, short sha, author, what changed, update."""
    entries = timeline(ticket, revisions)
    lines = [f"{ticket.id} ({ticket.kind.value}), {len(entries)} landed change(s)"]
    for entry in entries:
        when = datetime.fromisoformat(entry["landed_at"]).astimezone(zone)
        lines.append(f"{when:%Y-%m-%d %H:%M %Z}  {entry['sha'][:10]}  {entry['author']}: {'; '.join(entry['changes'])}")
        if entry["update"]:
            lines.append(f"    “{entry['update']}”")
    return "\n".join(lines)


def history_command(repo: Path, ticket_id: str, *, fmt: str) -> int:
    """Print one ticket's timeline from Git (text or JSON)."""
    config = load_config(repo)
    history = read_history(repo, branch=config.branch, witness_tolerance=config.sla.witness_tolerance)
    ticket = history.tickets.get(ticket_id)
    if ticket is None:
        raise GitdeskError(f"{ticket_id} has no landed history on {config.branch}",
                           hint="check the id; a ticket appears here once a commit with it is on the branch")
    revisions = git.file_revisions(repo, config.branch, {v.path for v in ticket.versions})
    if fmt == "json":
        click.echo(json.dumps({"id": ticket.id, "kind": ticket.kind.value, "branch": history.branch,
                               "entries": timeline(ticket, revisions)}, indent=2, ensure_ascii=False))
    else:
        click.echo(render_timeline(ticket, ZoneInfo(config.timezone), revisions))
    return 0
