"""Checks across files and over each ticket's lifecycle.

Schema checks happen in :mod:`gitdesk.load.files`; this module adds what needs the
whole repo (unique ids, references, supersede chains, components and clients
from gitdesk.yml), what depends on the status (postmortems), and what needs
Git history (:func:`history_diagnostics`: declared times, anomalies).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from gitdesk.config import Config
from gitdesk.history import History, TicketHistory, declared_time_problems
from gitdesk.load.files import DocumentError, LoadResult, load_repo, parse_document, read_file
from gitdesk.model import Diagnostic, DiagnosticLevel, Kind, Position, Ticket
from gitdesk.sla.check import anomaly_diagnostic
from gitdesk.sla.declared import resolved_before

POSTMORTEM_FIELDS = ("root_cause", "resolution", "prevention")


@dataclass
class Report:
    """The outcome of ``gitdesk validate``: diagnostics, sorted by file and line."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    tickets: int = 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is DiagnosticLevel.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is DiagnosticLevel.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_repo(repo: Path, config: Config, *, now: datetime | None = None, use_cache: bool = False) -> Report:
    """Load every ticket under ``repo`` and run every check that needs no Git history.

    A gitdesk.yml whose targets cannot work raises :class:`~gitdesk.errors.ConfigError`
    (judged at ``now``, default the current time). ``use_cache``: through the
    load cache (the same diagnostics, see :func:`gitdesk.load.files.load_repo`).
    """
    from gitdesk.sla.feasible import check_targets  # here, not at the top: gitdesk.sla imports this module

    check_targets(config, now=now or datetime.now(timezone.utc))
    loaded = load_repo(repo, use_cache=use_cache)
    report = check_loaded(loaded, config)
    report.diagnostics = sorted(report.diagnostics + check_docs(repo, config), key=lambda d: (d.file, d.line, d.column, d.code))
    return report


def check_docs(repo: Path, config: Config) -> list[Diagnostic]:
    """The MkDocs side checked like tickets: refused files in docs_dir, pages' audience keys, code in mkdocs.yml.

    Errors (GD400 refused file, GD401 bad front matter) make ``gitdesk build``
    refuse too; warnings (GD402) name what in mkdocs.yml runs code.
    """
    from gitdesk import docs_dir
    from gitdesk.errors import GitdeskError

    try:
        mkdocs = docs_dir.read_mkdocs_yml(repo)
    except GitdeskError as exc:
        return [Diagnostic(docs_dir.MKDOCS_FILE, 1, 1, "GD400", exc.message)]
    if mkdocs is None:
        return []  # gitdesk builds with its own empty docs folder
    refused = docs_dir.scan(mkdocs.docs_dir, repo=repo)
    if mkdocs.custom_dir is not None:
        refused += docs_dir.scan(mkdocs.custom_dir, repo=repo)
    out = [Diagnostic(docs_dir.shown(r.path, repo), 1, 1, "GD400", f"{r.reason}: {r.fix}") for r in refused]
    for page in docs_dir.pages(mkdocs.docs_dir, skip={r.path for r in refused}):
        problem = docs_dir.page_audience(page, clients=config.client_ids)[1]
        if problem:
            out.append(Diagnostic(docs_dir.shown(page, repo), 1, 1, "GD401", problem))
    out.extend(Diagnostic(docs_dir.MKDOCS_FILE, 1, 1, "GD402", f"{problem}; {fix}", DiagnosticLevel.WARNING)
               for problem, fix in docs_dir.code_warnings(mkdocs))
    return out


def check_loaded(loaded: LoadResult, config: Config) -> Report:
    """Cross-file and lifecycle checks over already-loaded tickets."""
    diagnostics = list(loaded.diagnostics)
    diagnostics.extend(check_tickets(loaded.tickets, config))
    diagnostics.sort(key=lambda d: (d.file, d.line, d.column, d.code))
    return Report(diagnostics, loaded.files, len(loaded.tickets))


def check_tickets(tickets: list[Ticket], config: Config) -> list[Diagnostic]:
    """All cross-file and lifecycle diagnostics for a set of tickets."""
    out: list[Diagnostic] = []
    by_id: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        by_id[ticket.id].append(ticket)
    for ticket_id, group in by_id.items():
        if len(group) > 1:
            paths = [t.path for t in group]
            for ticket in group:
                others = ", ".join(p for p in paths if p != ticket.path)
                out.append(_at(ticket, "id", "GD200", f"id {ticket_id} is also used by {others}; run `gitdesk renumber` to give the later one a fresh id"))
    for ticket in tickets:
        out.extend(_one_line(ticket))
        out.extend(_references(ticket, by_id))
        out.extend(_config_refs(ticket, config))
        out.extend(_lifecycle(ticket, config.sla.since))
    out.extend(_supersede_chains(tickets, by_id))
    return out


#: fields shown on one line (page and feed titles, mail subjects, calendar summaries, the status page's latest update)
ONE_LINE = ("title", "update")


def _one_line(ticket: Ticket) -> list[Diagnostic]:
    """GD015 for a line break or tab in a one-line field: control characters are allowed only in Markdown text."""
    out = []
    for key in ONE_LINE:
        value = ticket.get(key)
        found = next((c for c in ("\n", "\r", "\t") if c in value), None) if isinstance(value, str) else None
        if found is not None:
            what = "a tab" if found == "\t" else "a line break"
            out.append(_at(ticket, key, "GD015", f"'{key}' contains {what} (U+{ord(found):04X}); write it on one line "
                                                 "(a block scalar `|` or `>` keeps its final line break: use a plain or quoted value)"))
    return out


def _at(ticket: Ticket, key: str | None, code: str, message: str, level: DiagnosticLevel = DiagnosticLevel.ERROR) -> Diagnostic:
    pos = ticket.pos(key)
    return Diagnostic(ticket.path, pos.line, pos.column, code, message, level)


def _ref_list(ticket: Ticket, key: str) -> list[str]:
    value = ticket.get(key)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


_REF_KINDS: dict[str, tuple[Kind, ...] | None] = {
    "related": None,
    "supersedes": (Kind.DECISION,),
    "superseded_by": (Kind.DECISION,),
    "origin": (Kind.INCIDENT,),
}


def _references(ticket: Ticket, by_id: dict[str, list[Ticket]]) -> list[Diagnostic]:
    out = []
    for key, kinds in _REF_KINDS.items():
        for ref in _ref_list(ticket, key):
            targets = by_id.get(ref)
            if not targets:
                out.append(_at(ticket, key, "GD201", f"'{key}' refers to {ref}, which does not exist; fix the id or add the record"))
            elif kinds and targets[0].kind not in kinds:
                out.append(_at(ticket, key, "GD201", f"'{key}' must name a {' or '.join(k.value for k in kinds)}, but {ref} is {_a(targets[0].kind.value)}"))
            elif ref == ticket.id:
                out.append(_at(ticket, key, "GD201", f"'{key}' refers to the ticket itself"))
    return out


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _config_refs(ticket: Ticket, config: Config) -> list[Diagnostic]:
    out = []
    known = config.component_ids
    for component in ticket.components:
        if component not in known:
            choices = ", ".join(sorted(known)) or "none declared"
            out.append(_at(ticket, "components", "GD203", f"unknown component {component!r}; components in gitdesk.yml: {choices}"))
    client = ticket.client
    if client is not None and client not in config.client_ids:
        choices = ", ".join(sorted(config.client_ids)) or "none declared"
        out.append(_at(ticket, "client", "GD204", f"unknown client {client!r}; clients in gitdesk.yml: {choices}"))
    if ticket.kind is Kind.INCIDENT and config.clients and client is None and "client" not in ticket.fields:
        out.append(_at(ticket, None, "GD205", f"'client' is required because gitdesk.yml declares clients ({', '.join(sorted(config.client_ids))})"))
    if client is not None and client in config.client_ids:
        allowed = set(config.client(client).components)
        foreign = [c for c in ticket.components if allowed and c in known and c not in allowed]
        if foreign:
            out.append(_at(ticket, "components", "GD203", f"client {client!r} does not use component(s) {', '.join(foreign)}", DiagnosticLevel.WARNING))
    return out


def _lifecycle(ticket: Ticket, since: datetime | None = None) -> list[Diagnostic]:
    out = []
    if ticket.kind is Kind.INCIDENT and ticket.severity in ("P0", "P1") and ticket.status in ("resolved", "closed") \
            and not resolved_before(ticket.fields, since):
        missing = [f for f in POSTMORTEM_FIELDS if not ticket.get(f)]
        if missing:
            out.append(_at(ticket, "status", "GD300", f"a {ticket.severity} that is {ticket.status} needs a postmortem: add {', '.join(missing)}"))
    if ticket.kind is Kind.DECISION and ticket.status == "superseded" and not ticket.get("superseded_by"):
        out.append(_at(ticket, "status", "GD301", "a superseded decision needs 'superseded_by' naming its successor"))
    if ticket.kind is Kind.MAINTENANCE:
        starts, ends = ticket.time("starts_at"), ticket.time("ends_at")
        if starts and ends and ends <= starts:
            out.append(_at(ticket, "ends_at", "GD302", "'ends_at' must be after 'starts_at'"))
    return out


def _supersede_chains(tickets: list[Ticket], by_id: dict[str, list[Ticket]]) -> list[Diagnostic]:
    out = []
    for ticket in tickets:
        if ticket.kind is not Kind.DECISION:
            continue
        for old_id in _ref_list(ticket, "supersedes"):
            olds = by_id.get(old_id)
            if olds and olds[0].kind is Kind.DECISION and olds[0].get("superseded_by") != ticket.id:
                out.append(_at(olds[0], "superseded_by" if olds[0].get("superseded_by") else None, "GD202",
                               f"{ticket.id} supersedes {old_id}, so {old_id} needs 'superseded_by: {ticket.id}'"))
        new_id = ticket.get("superseded_by")
        if isinstance(new_id, str):
            news = by_id.get(new_id)
            if news and news[0].kind is Kind.DECISION and ticket.id not in _ref_list(news[0], "supersedes"):
                out.append(_at(news[0], "supersedes" if news[0].get("supersedes") else None, "GD202",
                               f"{ticket.id} says it is superseded by {new_id}, so {new_id} needs 'supersedes: {ticket.id}'"))
    return out


# --- checks that need history -------------------------------------------------

def history_diagnostics(repo: Path, history: History) -> list[Diagnostic]:
    """Checks that need history: declared times later than their landing and deleted tickets (errors); anomalies (warnings).

    Positions come from the file in the working tree when it still declares the
    same value there, else the top of the file.
    """
    out: list[Diagnostic] = []
    for ticket in history.tickets.values():
        if not ticket.versions:
            continue
        if ticket.deleted is not None:
            # a working tree that brings the file back (the fix's pull request) must be able to pass
            if not (repo / ticket.latest.path).is_file():
                out.append(_deletion(ticket, history.branch))
            continue
        for key, declared, version in declared_time_problems(ticket):
            path = ticket.latest.path
            pos = _position(repo, path, key)
            out.append(Diagnostic(
                path, pos.line, pos.column, "GD310",
                f"'{key}' {declared.isoformat()} is later than commit {version.commit.short} that declared it "
                f"(landed {version.commit.landed_at.isoformat()}); declared times may only make the SLA stricter: "
                f"set it to when it really happened, at or before the landing",
            ))
    out.extend(anomaly_diagnostic(anomaly) for anomaly in history.anomalies)
    return out


def _deletion(ticket: TicketHistory, branch: str) -> Diagnostic:
    """GD314: a ticket that landed is part of the record; deleting its file would take its clocks along."""
    assert ticket.deleted is not None
    path = ticket.latest.path
    return Diagnostic(path, 1, 1, "GD314",
                      f"{ticket.id} ({path}) was deleted by commit {ticket.deleted.short} "
                      f"(landed {ticket.deleted.landed_at.isoformat()}), but a ticket that landed on {branch} stays on record: "
                      f"restore the file and set status: cancelled with a reason (`breach_reason:` if a target was breached)")


def _position(repo: Path, path: str, key: str) -> Position:
    try:
        doc = parse_document(read_file(repo.resolve(), path), path)
    except (DocumentError, OSError):
        return Position(1, 1)
    return doc.positions.get(key, Position(1, 1))
