"""`gitdesk init`, `new`, `status`, `renumber`, `schema`: the engineer's daily commands.

Each one checks everything before it touches the disk, so a refused command
leaves every file as it was.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import click

from gitdesk.load import schema
from gitdesk.workflow import ids, scaffold
from gitdesk.config import Config, load_config
from gitdesk.workflow.edit import EditError, ReplaceRef, SetField, edit_text, write_atomic
from gitdesk.errors import GitdeskError
from gitdesk.load.files import discover, kind_for_path, load_bytes, load_paths, load_repo
from gitdesk.model import INCIDENT_FLOW, DiagnosticLevel, Kind, Ticket, parse_time
from gitdesk.validate import check_tickets

#: validate's lifecycle findings that a status change can cause (postmortem due, successor missing)
_LIFECYCLE_CODES = frozenset({"GD300", "GD301"})
_SEVERITY_HELP = "P0 system down, P1 key function affected, P2 annoying or intermittent, P3 minor or improvement"


# --- init --------------------------------------------------------------------------


def announce_install(install: scaffold.InstallLine) -> None:
    """Say on stderr how the written CI workflows install gitdesk; loudly when they cannot."""
    if install.requirement is None:
        click.echo(f"WARNING: CI cannot install this gitdesk: it is {install.source}.\n"
                   "  The CI workflows fail until you set the CI variable GITDESK_PACKAGE to a pip requirement,\n"
                   "  e.g. 'gitdesk @ git+https://github.com/OWNER/gitdesk@COMMIT' or 'gitdesk==VERSION'\n"
                   "  (GitHub: Settings > Secrets and variables > Actions > Variables; GitLab: Settings > CI/CD > Variables).",
                   err=True)
    else:
        click.echo(f"CI installs {install.requirement} ({install.source}); the CI variable GITDESK_PACKAGE overrides it",
                   err=True)


def init_command(directory: Path, *, title: str | None, install: scaffold.InstallLine | None = None) -> int:
    """Scaffold a gitdesk repo in ``directory``; existing files are kept and reported.

    ``install`` (default: derived from this gitdesk's own installation) is how the
    CI workflows install gitdesk; when it has no requirement, say so loudly.
    """
    if directory.exists() and not directory.is_dir():
        raise GitdeskError(f"{directory} is a file, not a folder", hint="give init a new or existing folder")
    name = directory.resolve().name or "gitdesk"
    install = install or scaffold.install_line(scaffold.installed_distribution())
    files = scaffold.init_files(title=title or f"{name} — service status", install=install)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written, skipped = scaffold.write_new(directory, files)
    except OSError as exc:
        raise GitdeskError(f"cannot write in {directory}: {exc.strerror}") from None
    for rel in written:
        click.echo(f"created {rel}")
    for rel in skipped:
        click.echo(f"skipped {rel} (exists; left as it is)", err=True)
    announce_install(install)
    if not (directory / ".git").exists() and _git_init(directory):
        click.echo("initialised a Git repository (branch main)")
    click.echo(f"next: cd {directory} && gitdesk validate && git add -A && git commit -m 'gitdesk init'", err=True)
    return 0


def _git_init(directory: Path) -> bool:
    if ids.git_ok(directory, "rev-parse", "--is-inside-work-tree"):
        return False  # already part of a repo (e.g. a monorepo folder): leave Git alone
    return ids.git_ok(directory, "init", "-q", "-b", "main")


# --- new ---------------------------------------------------------------------------


def new_command(repo: Path, kind: str, *, title: str, severity: str | None, components: list[str], client: str | None,
                starts_at: str | None, ends_at: str | None, category: str | None,
                now: datetime | None = None) -> int:
    """Write a new ticket from its template with the next free id; print its path."""
    config = load_config(repo)
    path, text = plan_new(repo, config, Kind(kind), title=title, severity=severity, components=components, client=client,
                          starts_at=starts_at, ends_at=ends_at, category=category,
                          now=now or datetime.now(timezone.utc))
    written, _ = scaffold.write_new(repo, {path: text})
    if not written:
        raise GitdeskError(f"{path} appeared while gitdesk was writing it; run the command again")
    click.echo(path)
    return 0


def plan_new(repo: Path, config: Config, kind: Kind, *, title: str, severity: str | None, components: list[str],
             client: str | None, starts_at: str | None, ends_at: str | None, category: str | None,
             now: datetime) -> tuple[str, str]:
    """The path and text of a new ticket; raises :class:`GitdeskError` (nothing written) on bad options."""
    if not title.strip():
        raise GitdeskError("--title is empty", hint="give the ticket a short title")
    _check_choice("component", components, sorted(config.component_ids), "components in gitdesk.yml")
    if client is not None:
        _check_choice("client", [client], sorted(config.client_ids), "clients in gitdesk.yml")
    elif kind is Kind.INCIDENT and config.clients:
        raise GitdeskError("--client is required: gitdesk.yml declares clients",
                           hint=f"choose one of: {', '.join(sorted(config.client_ids))}")
    if kind is Kind.INCIDENT and severity is None:
        # No default: a silent P2 on a system-down incident would start the wrong SLA clock.
        raise GitdeskError("--severity is required for an incident", hint=f"one of P0, P1, P2, P3 ({_SEVERITY_HELP})")
    if category is not None:
        _check_choice("category", [category], list(schema.schema("backlog")["properties"]["category"]["enum"]), "one of")
    local = now.astimezone(ZoneInfo(config.timezone))
    values: dict[str, object] = {
        "title": title.strip(), "severity": severity, "components": components, "client": client, "category": category,
        "now": local.isoformat(timespec="minutes"), "today": local.date().isoformat(),
        "notice": f"{config.uptime.notice // 3600}h", "starts_at": starts_at, "ends_at": ends_at,
    }
    if kind is Kind.MAINTENANCE:
        values["starts_at"], values["ends_at"] = _window(starts_at, ends_at)
    if kind is Kind.RUNBOOK:
        slug = slugify(title)
        path = f"{kind.folder}/{slug}.md"
        taken = set(discover(repo)[0]) | ids.branch_ticket_paths(repo, config.branch)
        if any(PurePosixPath(p).stem == slug and kind_for_path(p) is Kind.RUNBOOK for p in taken) or (repo / path).exists():
            raise GitdeskError(f"a runbook named {slug!r} exists already ({path})", hint="pick another title, or edit that runbook")
    else:
        ticket_id = ids.next_id(kind, ids.used_ids(repo, config.branch))
        values["id"] = ticket_id
        folder = f"{kind.folder}/{local.year}" if kind is Kind.INCIDENT else kind.folder
        path = f"{folder}/{ticket_id}.md"
    text = scaffold.render_ticket(kind, values)
    ticket, diagnostics = load_bytes(text.encode("utf-8"), path)
    errors = [d for d in diagnostics if d.level is DiagnosticLevel.ERROR]
    if ticket is None or errors:  # a template bug, or an option the schema refuses: say which
        raise GitdeskError("the new ticket would not be valid:\n" + "\n".join(f"  {d.code} {d.message}" for d in errors))
    return path, text


def _check_choice(what: str, given: list[str], known: list[str], choices: str) -> None:
    unknown = [g for g in given if g not in known]
    if unknown:
        raise GitdeskError(f"unknown {what} {', '.join(map(repr, unknown))}", hint=f"{choices}: {', '.join(known) or 'none declared'}")


def _window(starts_at: str | None, ends_at: str | None) -> tuple[str, str]:
    if starts_at is None or ends_at is None:
        raise GitdeskError("a maintenance window needs --starts-at and --ends-at",
                           hint="ISO 8601 with an offset, e.g. --starts-at 2026-12-05T22:00:00+01:00 --ends-at 2026-12-06T02:00:00+01:00")
    start, end = parse_time(starts_at), parse_time(ends_at)
    for option, value, parsed in (("--starts-at", starts_at, start), ("--ends-at", ends_at, end)):
        if parsed is None:
            raise GitdeskError(f"{option} {value!r} is not an ISO 8601 time with an offset", hint="e.g. 2026-12-05T22:00:00+01:00")
    assert start is not None and end is not None
    if end <= start:
        raise GitdeskError("--ends-at must be after --starts-at")
    return starts_at, ends_at


def slugify(title: str) -> str:
    """A runbook file name from its title: ``"Restore the DB (weekly)"`` → ``restore-the-db-weekly``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    if not slug:
        raise GitdeskError(f"cannot make a file name from the title {title!r}", hint="use a title with some letters or digits")
    return slug


# --- status ------------------------------------------------------------------------


def status_command(repo: Path, ticket_id: str, new_status: str, *, update: str | None) -> int:
    """Set a ticket's status (and its public update line), keeping every other byte of the file."""
    config = load_config(repo)
    ticket = find_ticket(_candidates(repo, ticket_id), ticket_id)
    statuses = _statuses(ticket.kind)
    new_status = next((s for s in statuses if s == new_status.strip().lower()), new_status)
    if new_status not in statuses:
        raise GitdeskError(f"{new_status!r} is not a valid status for {ticket.kind.value} {ticket.id}", hint=f"valid statuses: {', '.join(statuses)}")
    if update is not None and "update" not in schema.properties(ticket.kind.value):
        raise GitdeskError(f"a {ticket.kind.value} has no public update line; drop -m")
    if update is not None and not update.strip():
        raise GitdeskError("-m is empty", hint="write one public line about the change")
    old = ticket.status
    edits = [SetField("status", new_status, after="title")]
    if update is not None:
        edits.append(SetField("update", update.strip(), after="status"))
    path = repo / ticket.path
    data = path.read_bytes()
    new_text = edit_text(data.decode("utf-8"), edits, markdown=ticket.path.endswith(".md"), where=ticket.path)
    after, _ = load_bytes(new_text.encode("utf-8"), ticket.path)
    if after is None or after.status != new_status:
        raise EditError(f"{ticket.path}: the edited file would not load; edit it by hand")
    if ticket.kind is Kind.INCIDENT and old is not None and old != new_status and new_status not in INCIDENT_FLOW.get(old, ()):
        usual = ", ".join(sorted(INCIDENT_FLOW.get(old, ()))) or "none"
        click.echo(f"warning: {ticket.id}: {old} → {new_status} skips the usual flow (from {old}: {usual}); changed anyway", err=True)
    if new_text.encode("utf-8") == data:
        click.echo(f"{ticket.path}: {ticket.id} is already {new_status}" + (" with that update" if update else "") + "; nothing to change")
        return 0
    write_atomic(path, new_text.encode("utf-8"))
    click.echo(f"{ticket.path}: {ticket.id} {old or '(no status)'} → {new_status}" + (f"; update: {update.strip()}" if update else ""))
    for finding in check_tickets([after], config):
        if finding.code in _LIFECYCLE_CODES:  # e.g. a resolved P1 without its postmortem: say so now, not in CI
            click.echo(f"warning: {ticket.path}: {finding.message}", err=True)
    return 0


def _statuses(kind: Kind) -> list[str]:
    """The statuses the kind's schema allows (the schema is the one list)."""
    spec = schema.schema(kind.value)["properties"].get("status")
    if spec is None:
        raise GitdeskError(f"a {kind.value} has no status")
    return [str(s) for s in spec["enum"]]


def _candidates(repo: Path, ticket_id: str) -> list[Ticket]:
    """The tickets that may carry ``ticket_id``: those named after it, else (rarely) all of them.

    Parsing only the files named after the id keeps `status` fast in a repo of
    thousands of tickets; a ticket whose file name differs from its id is still
    found by the full load.
    """
    wanted = _normal(ticket_id)
    named = [p for p in discover(repo)[0] if _normal(PurePosixPath(p).stem) == wanted]
    tickets = load_paths(repo.resolve(), named).tickets
    if any(_normal(t.id) == wanted for t in tickets):
        return tickets
    return load_repo(repo).tickets


def find_ticket(tickets: list[Ticket], ticket_id: str) -> Ticket:
    """The one ticket with ``ticket_id`` (``inc-42`` finds ``INC-0042``); exit 2 with near matches otherwise."""
    wanted = _normal(ticket_id)
    matches = [t for t in tickets if _normal(t.id) == wanted]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise GitdeskError(f"{ticket_id} is used by {len(matches)} files: {', '.join(t.path for t in matches)}",
                           hint="run `gitdesk renumber` to give the later one a fresh id")
    near = difflib.get_close_matches(ticket_id.upper(), sorted(t.id for t in tickets), n=5, cutoff=0.6)
    raise GitdeskError(f"no ticket with id {ticket_id!r}", hint=f"did you mean: {', '.join(near)}?" if near else "`gitdesk validate` lists the tickets it can read")


def _normal(ticket_id: str) -> str:
    match = re.match(r"^([A-Za-z]{2,5})-0*([0-9]+)$", ticket_id.strip())
    return f"{match.group(1).upper()}-{int(match.group(2))}" if match else ticket_id.strip()


# --- renumber ----------------------------------------------------------------------


def renumber_command(repo: Path, *, dry_run: bool) -> int:
    """Give duplicate ids fresh ones (see :func:`gitdesk.workflow.ids.plan_renumber`); print what changed."""
    config = load_config(repo)
    loaded = load_repo(repo)
    evidence = ids.read_evidence(repo, config.branch)
    taken = ids.used_ids(repo, config.branch)
    plan = ids.plan_renumber(loaded.tickets, evidence, lambda kind, used: ids.next_id(kind, used | taken),
                             lambda rel: ids.blob_id((repo / rel).read_bytes()))
    unread = sorted({d.file for d in loaded.diagnostics} - {t.path for t in loaded.tickets})
    if unread:
        click.echo(f"warning: {len(unread)} file(s) could not be read, so their references were not checked: "
                   f"{', '.join(unread)} (see `gitdesk validate`)", err=True)
    if not plan:
        click.echo("no duplicate ids")
        return 0
    for item in plan:
        click.echo(f"{item.old} → {item.new}: {item.path}" + (f" → {item.new_path}" if item.new_path != item.path else "")
                   + f" ({item.reason}; {item.keeper} keeps {item.old})")
        for ref in item.refs:
            click.echo(f"  {ref.path}: {ref.key} {item.old} → {item.new}")
    if dry_run:
        click.echo("dry run: nothing written", err=True)
        return 0
    _apply_renumber(repo, plan)
    return 0


def _apply_renumber(repo: Path, plan: list[ids.Renumbering]) -> None:
    """Compute every new text in memory first, so a file that cannot be edited stops the run before any write."""
    texts: dict[str, str] = {}

    def current(rel: str) -> str:
        return texts[rel] if rel in texts else (repo / rel).read_bytes().decode("utf-8")

    # References first, then ids: a file may be both a referrer and renumbered itself.
    for item in plan:
        for ref in item.refs:
            texts[ref.path] = edit_text(current(ref.path), [ReplaceRef(item.old, item.new, (ref.key,))],
                                        markdown=ref.path.endswith(".md"), where=ref.path)
    for item in plan:
        texts[item.path] = edit_text(current(item.path), [SetField("id", item.new)], markdown=item.path.endswith(".md"), where=item.path)
    renames = {item.path: item.new_path for item in plan if item.new_path != item.path}
    for target in renames.values():
        if (repo / target).exists():
            raise GitdeskError(f"cannot rename to {target}: the file exists")
    for rel, text in texts.items():
        target = renames.get(rel, rel)
        if target == rel:
            write_atomic(repo / rel, text.encode("utf-8"))
            continue
        written, _ = scaffold.write_new(repo, {target: text})
        if not written:
            raise GitdeskError(f"cannot rename {rel}: {target} appeared meanwhile")
        (repo / rel).unlink()


# --- schema ------------------------------------------------------------------------


def schema_command(out: Path | None) -> int:
    """Write the six JSON Schemas to ``out``; without it, print them as one JSON object keyed by name."""
    files = scaffold.schema_files()
    if out is None:
        click.echo(json.dumps({name.removesuffix(".schema.json"): schema.schema(name.removesuffix(".schema.json")) for name in files}, indent=2))
        return 0
    links = [out / name for name in files if (out / name).is_symlink()]
    if links:  # checked before any write, so a refusal leaves the folder as it was
        raise GitdeskError(f"{links[0]} is a symbolic link; refusing to write through it")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        target = out / name
        if target.is_file() and target.read_text("utf-8") == text:
            click.echo(f"unchanged {target}")
            continue
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target}")
    return 0
