"""Replay a source repository's first-parent history into a gitdesk desk, one commit per source commit.

The walk is one ``git log --raw`` stream and one ``git cat-file --batch``
process on the source; the writing is one ``git fast-import`` session on the
destination, so thousands of commits take seconds. Each destination commit keeps
the source commit's author, committer, times and message (plus an
``Imported-From:`` trailer), so the clocks read the real past.

The id map, the last source commit replayed and each record's first landing
are kept in ``.gitdesk/import/<source>.json`` in the destination: importing
again continues from there, or changes nothing.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gitdesk.config import load_config
from gitdesk.errors import GitdeskError, RepoError
from gitdesk.history import git
from gitdesk.history.fastimport import FastImport
from gitdesk.importers import MAX_SOURCE_BYTES, Converted, Problem, Record, Source, iso, render_markdown
from gitdesk.importers import backlog_md, cstate, madr
from gitdesk.load import yamlsafe
from gitdesk.model import Kind
from gitdesk.workflow import scaffold

STATE_DIR = ".gitdesk/import"
NOTICE_FOLDER = "docs/notices"
IMPORTER = "gitdesk import <gitdesk-import@localhost>"
_MARK = "\x01gitdesk-import\x02"
_END = "\x03"
_FORMAT = "%x01gitdesk-import%x02%H%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x03"
_HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "config.toml", "config.yaml", "config.yml")
#: first id number for records whose own number is taken or has none to offer (subtasks)
FALLBACK_FROM = 10000


@dataclass
class ImportResult:
    """What one ``gitdesk import`` did."""

    source: Source
    commits: int = 0
    tickets: int = 0
    notices: int = 0
    problems: list[Problem] = field(default_factory=list)
    created: bool = False
    continued_from: str | None = None
    since: str | None = None
    #: ticket id by kind prefix, for the summary line
    by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Commit:
    sha: str
    author: str
    author_when: datetime
    committer: str
    when: datetime
    message: str
    changes: tuple[tuple[str, str, str], ...]  # (status, path, blob sha)


@dataclass
class _State:
    """What a later import needs to continue the same series."""

    source_head: str | None = None
    ids: dict[str, str] = field(default_factory=dict)
    landed: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)

    def dump(self, source: Source) -> str:
        data = {"from": source.value, "source_head": self.source_head, "ids": dict(sorted(self.ids.items(), key=_natural)),
                "first_landed": dict(sorted(self.landed.items(), key=_natural)),
                "paths": dict(sorted(self.paths.items(), key=_natural))}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _natural(item: tuple[str, str]) -> list[Any]:
    return _natural_key(item[0])


def _natural_key(text: str) -> list[Any]:
    """``4.10`` after ``4.9``: ids are handed out in this order, so that every run gives the same ones."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


# --- git plumbing (source side) --------------------------------------------------------


def _git(repo: Path, *args: str, check: bool = True) -> str:
    """``git args`` in ``repo`` through the one git runner; with ``check=False`` a failure reads as empty output."""
    try:
        return git.run(repo, *args).decode("utf-8", "replace")
    except RepoError as exc:
        if check:
            raise GitdeskError(f"{exc.message} (in {repo})") from None
        return ""


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.strip())


def _ident(name: str, email: str) -> str:
    clean = re.compile(r"[<>\n\r\x00]")
    return f"{clean.sub('', name).strip() or 'unknown'} <{clean.sub('', email).strip() or 'unknown'}>"


def _walk(repo: Path, rev_range: str) -> Iterator[_Commit]:
    """The first-parent commits of ``rev_range``, oldest first, each with its diff against its first parent."""
    proc = git.start(repo, "log", "--first-parent", "--reverse", "--diff-merges=first-parent", "--raw", "-z", "--no-abbrev",
                     "--no-renames", "--no-color", f"--format={_FORMAT}", rev_range, "--")
    data = proc.stdout.read().decode("utf-8", "surrogateescape")
    if proc.finish()[0] != 0:
        raise GitdeskError(f"git log failed in {repo}", hint="is SOURCE a Git repository with commits?")
    for chunk in data.split(_MARK)[1:]:
        head, _, raw = chunk.rpartition(_END)
        sha, an, ae, at, cn, ce, ct, message = head.split("\x00", 7)
        yield _Commit(sha, _ident(an, ae), _time(at), _ident(cn, ce), _time(ct),
                      message.encode("utf-8", "surrogateescape").decode("utf-8", "replace"), tuple(_changes(raw)))


def _changes(raw: str) -> Iterator[tuple[str, str, str]]:
    tokens = [t for t in raw.lstrip("\x00\n").split("\x00")]
    index = 0
    while index < len(tokens):
        meta = tokens[index].lstrip("\n")
        if not meta.startswith(":"):
            index += 1
            continue
        parts = meta[1:].split()
        status, blob, new_mode = parts[4][0], parts[3], parts[1]
        path = tokens[index + 1]
        index += 2
        if status != "D" and new_mode not in ("100644", "100755"):
            continue  # links and submodules are never records
        yield status, path.encode("utf-8", "surrogateescape").decode("utf-8", "replace"), blob


def _read_blobs(repo: Path, shas: list[str]) -> dict[str, bytes | None]:
    """Every blob in ``shas`` through one ``git cat-file --batch``; None for one the clone lacks (partial clones).

    A thread feeds the names while this one reads, so there is no round trip per blob.
    """
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    proc = git.start(repo, "cat-file", "--batch", stdin=True)
    feed, out = proc.stdin, proc.stdout

    def write() -> None:
        feed.write("".join(f"{sha}\n" for sha in wanted).encode())
        feed.close()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    found: dict[str, bytes | None] = {}
    for sha in wanted:
        header = out.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            found[sha] = None
            continue
        found[sha] = out.read(int(header[2]))
        out.read(1)
    writer.join()
    proc.finish()
    return found


# --- the converters, behind one signature ----------------------------------------------


@dataclass(frozen=True)
class _Adapter:
    accepts: Callable[[str], bool]
    key: Callable[[str], str]
    convert: Callable[[str, str, datetime, datetime], Converted]


def _adapter(source: Source, zone: ZoneInfo, severities: Mapping[str, tuple[str, str]]) -> _Adapter:
    if source is Source.CSTATE:
        def convert_post(text: str, path: str, landed: datetime, first: datetime) -> Converted:
            return cstate.convert(text, path, zone=zone, landed_at=landed, first_landed=first, severities=severities)
        return _Adapter(cstate.is_post, lambda p: PurePosixPath(p).stem, convert_post)
    if source is Source.MADR:
        return _Adapter(madr.is_record, madr.number, lambda text, path, _l, _f: madr.convert(text, path))
    return _Adapter(backlog_md.is_task, backlog_md.key, lambda text, path, _l, _f: backlog_md.convert(text, path))


# --- the replay -------------------------------------------------------------------------


class _Desk:
    """The destination as the replay builds it: live records, ids, and the text of every file written."""

    def __init__(self, source: Source, state: _State, taken: set[str], zone: ZoneInfo) -> None:
        self.source = source
        self.state = state
        self.zone = zone
        self.taken = taken | set(state.ids.values())
        self.live: dict[str, Record] = {}  # source path -> record
        self.touched: dict[str, int] = {}  # source path -> order of its last change (latest wins a shared key)
        self.emitted: dict[str, str] = {}  # dest path -> text
        self.tick = 0

    def winners(self, keys: set[str] | None) -> dict[str, tuple[str, Record]]:
        """The (source path, record) standing for each key (all keys when None); the latest change wins a shared key."""
        out: dict[str, tuple[str, Record]] = {}
        for path, record in self.live.items():
            if keys is not None and record.key not in keys:
                continue
            held = out.get(record.key)
            if held is None or self.touched.get(path, 0) > self.touched.get(held[0], 0):
                out[record.key] = (path, record)
        return out

    def allocate(self, kind: Kind, key: str) -> str:
        prefix = kind.prefix or ""
        wanted = int(key) if key.isdigit() and self.source is not Source.CSTATE else None
        if wanted is not None and f"{prefix}-{wanted:04d}" not in self.taken:
            new = f"{prefix}-{wanted:04d}"
        else:
            used = [int(t.split("-")[1]) for t in self.taken if t.startswith(prefix + "-")]
            floor = FALLBACK_FROM if self.source is not Source.CSTATE else 1
            number = max([floor - 1, *[u for u in used if u >= floor]]) + 1
            new = f"{prefix}-{number:04d}"
        self.taken.add(new)
        return new

    def dest_path(self, record: Record, ticket_id: str | None, landed: datetime) -> str:
        if record.kind is None:
            slug = re.sub(r"[^a-z0-9]+", "-", record.key.lower()).strip("-") or "notice"
            return f"{NOTICE_FOLDER}/{slug}.md"
        if record.kind is Kind.INCIDENT:
            start = record.imported.get("declared", {}).get("started_at")
            year = (datetime.fromisoformat(start) if start else landed).astimezone(self.zone).year
            return f"{record.kind.folder}/{year}/{ticket_id}.md"
        return f"{record.kind.folder}/{ticket_id}.md"


def _links(records: dict[str, Record], ids: dict[str, str]) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """``supersedes``/``superseded_by`` by gitdesk id, both ends agreeing; and (key, problem) for links dropped."""
    successor: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for key, record in records.items():
        for new in record.links.get("superseded_by", []):
            if new in ids and new != key:
                if successor.setdefault(key, new) != new:
                    problems.append((key, f"names several successors; {ids[successor[key]]} is kept"))
                break
        else:
            if record.links.get("superseded_by"):
                problems.append((key, f"its successor ({', '.join(record.links['superseded_by'])}) is not a record here"))
        for old in record.links.get("supersedes", []):
            if old in ids and old != key and successor.setdefault(old, key) != key:
                problems.append((key, f"says it supersedes {ids[old]}, which {ids[successor[old]]} supersedes; link dropped"))
    out: dict[str, dict[str, Any]] = {key: {} for key in records}
    for old, new in successor.items():
        out[old]["superseded_by"] = ids[new]
        out[old]["status"] = "superseded"
        out[new].setdefault("supersedes", []).append(ids[old])
    for key, record in records.items():
        if record.fields.get("status") == "superseded" and key not in successor:
            out[key]["status"] = "deprecated"  # gitdesk needs a successor for 'superseded'
    return out, problems


def _render(record: Record, ticket_id: str | None, linked: Mapping[str, Any]) -> str:
    fields: dict[str, Any] = {"id": ticket_id} if ticket_id else {}
    fields.update(record.fields)
    fields.update(linked)
    if "supersedes" in fields:
        fields["supersedes"] = sorted(fields["supersedes"])
    fields["imported"] = {k: v for k, v in record.imported.items() if v != {}}
    return render_markdown(fields, record.body)


@dataclass
class _Plan:
    """Everything decided before the destination is touched."""

    dest: Path
    branch: str
    created: bool
    scaffold: dict[str, str]
    state: _State
    rev_range: str
    head: str
    zone: ZoneInfo
    title: str
    taken: set[str]
    existing: dict[str, str]  # dest path -> text, for the files this importer wrote before


def _plan(source: Source, source_repo: Path, dest: Path, install: scaffold.InstallLine | None) -> tuple[_Plan, list[Problem]]:
    problems: list[Problem] = []
    if not (source_repo / ".git").exists() and _git(source_repo, "rev-parse", "--is-bare-repository", check=False).strip() != "true":
        raise GitdeskError(f"SOURCE {source_repo} is not a Git repository", hint="give the folder of a clone of the tool's repo")
    if _git(source_repo, "rev-parse", "--is-shallow-repository", check=False).strip() == "true":
        raise GitdeskError(f"SOURCE {source_repo} is a shallow clone", hint="run `git fetch --unshallow` there first: the history is the evidence")
    head = _git(source_repo, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False).strip()
    if not head:
        raise GitdeskError(f"SOURCE {source_repo} has no commits")
    zone, title = ZoneInfo("UTC"), f"{source_repo.resolve().name} — imported desk"
    created = not dest.exists() or (dest.is_dir() and not any(dest.iterdir()))
    if source is Source.CSTATE:
        found, title, why = _hugo_site(source_repo, head)
        # Without the site's own zone, dates without an offset are read in the zone of the desk they go to.
        desk = None if created else _desk_zone(dest)
        zone = found or desk or ZoneInfo("UTC")
        if why:
            used = zone.key if desk is None else f"{zone.key}, the timezone in DEST's gitdesk.yml"
            problems.append(Problem(why[0], f"{why[1]}; dates without an offset are read in {used}"))
    if dest.exists() and not dest.is_dir():
        raise GitdeskError(f"DEST {dest} is a file", hint="give a new folder or a gitdesk repository")
    branch = "main"
    existing: dict[str, str] = {}
    state = _State()
    taken: set[str] = set()
    files: dict[str, str] = {}
    if not created:
        if _git(dest, "rev-parse", "--show-toplevel", check=False).strip() != str(dest.resolve()):
            raise GitdeskError(f"DEST {dest} is not the top of a Git repository", hint="give a new folder or a gitdesk repository")
        if _git(dest, "status", "--porcelain", "--untracked-files=all").strip():
            raise GitdeskError(f"DEST {dest} has local changes", hint="commit or stash them first: the import writes commits")
        branch = _dest_branch(dest)
        tracked = _git(dest, "ls-files", "-z").split("\x00") if _has_head(dest) else []
        taken = {PurePosixPath(p).stem for p in tracked if re.match(r"^[A-Z]{2,5}-\d{1,6}$", PurePosixPath(p).stem)}
        state_file = dest / STATE_DIR / f"{source.value}.json"
        if state_file.is_file():
            state = _load_state(state_file)
            existing = {p: (dest / p).read_text("utf-8") for p in state.paths.values() if (dest / p).is_file()}
        if "gitdesk.yml" not in tracked:
            files = {k: v for k, v in scaffold.init_files(title=title, install=install, timezone=zone.key).items() if k not in tracked}
    else:
        files = scaffold.init_files(title=title, install=install, timezone=zone.key)
    rev_range = head
    if state.source_head:
        if not git.git_ok(source_repo, "merge-base", "--is-ancestor", state.source_head, head):
            raise GitdeskError(f"SOURCE no longer contains {state.source_head[:12]}, the last commit imported into {dest}",
                               hint="its history was rewritten; import into a new DEST")
        rev_range = f"{state.source_head}..{head}"
    return _Plan(dest, branch, created, files, state, rev_range, head, zone, title, taken, existing), problems


def _has_head(repo: Path) -> bool:
    return bool(_git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).strip())


def _dest_branch(dest: Path) -> str:
    branch = _git(dest, "symbolic-ref", "--short", "-q", "HEAD", check=False).strip()
    if not branch:
        raise GitdeskError(f"DEST {dest} is not on a branch (detached HEAD)", hint="check out its main branch first")
    return branch


def _load_state(path: Path) -> _State:
    try:
        data = json.loads(path.read_text("utf-8"))
        return _State(data.get("source_head"), dict(data.get("ids", {})), dict(data.get("first_landed", {})), dict(data.get("paths", {})))
    except (ValueError, AttributeError) as exc:
        raise GitdeskError(f"{path} is not a valid import state ({exc})", hint="restore it from Git history") from None


def _hugo_site(repo: Path, head: str) -> tuple[ZoneInfo | None, str, tuple[str, str] | None]:
    """The cState site's time zone and title from its Hugo config; (where, what) when it gives no usable zone."""
    names = set(_git(repo, "ls-tree", "--name-only", head).split("\n"))
    for name in _HUGO_CONFIGS:
        if name in names:
            text = _git(repo, "show", f"{head}:{name}")
            title = cstate.site_title(text) or f"{repo.resolve().name} — imported desk"
            zone_name = cstate.site_zone_name(text)
            if not zone_name:
                return None, title, (name, "no timeZone in the Hugo config")
            try:
                return ZoneInfo(zone_name), title, None
            except (ZoneInfoNotFoundError, ValueError):
                return None, title, (name, f"unknown timeZone {zone_name!r}")
    return None, f"{repo.resolve().name} — imported desk", ("(site)", "no Hugo config found")


def _desk_zone(dest: Path) -> ZoneInfo | None:
    """The ``timezone`` in DEST's gitdesk.yml, when it has a usable one."""
    try:
        return ZoneInfo(load_config(dest).timezone)
    except (GitdeskError, ZoneInfoNotFoundError, ValueError):
        return None


def run_import(source: Source, source_repo: Path, dest: Path, *, now: datetime,
               severities: Mapping[str, tuple[str, str]] = cstate.SEVERITIES,
               install: scaffold.InstallLine | None = None) -> ImportResult:
    """Replay ``source_repo``'s first-parent history into the gitdesk repo ``dest``.

    ``dest`` is created (with ``gitdesk init``'s files) when missing; an existing
    one must be clean. A second run continues after the last commit imported,
    or changes nothing. Problems never stop the import: they are returned.
    ``install`` is how a created desk's CI installs gitdesk (as for ``init``).
    """
    plan, problems = _plan(source, source_repo, dest, install)
    result = ImportResult(source, created=plan.created, continued_from=plan.state.source_head, problems=problems)
    adapter = _adapter(source, plan.zone, severities)
    desk = _Desk(source, plan.state, plan.taken, plan.zone)
    desk.emitted.update(plan.existing)
    seen: dict[tuple[str, str], None] = {}

    def report(path: str, reason: str, sha: str) -> None:
        if (path, reason) not in seen:
            seen[(path, reason)] = None
            result.problems.append(Problem(path, reason, sha[:12]))

    if plan.state.source_head:
        _prime(desk, adapter, source_repo, plan.state.source_head)
    commits = list(_walk(source_repo, plan.rev_range))
    if not commits:
        return result
    blobs = _read_blobs(source_repo, [blob for c in commits for status, path, blob in c.changes
                                      if status != "D" and adapter.accepts(path)])
    if plan.created:
        plan.dest.mkdir(parents=True, exist_ok=True)
        _git(plan.dest, "init", "-q", "-b", plan.branch)
    continuing = _has_head(plan.dest)
    with FastImport(plan.dest) as fast:
        for index, commit in enumerate(commits):
            files, deletes = _step(desk, adapter, commit, blobs, report)
            if index == 0:
                files = {**plan.scaffold, **files}
            fast.commit(plan.branch, when=commit.when, author_when=commit.author_when, author=commit.author,
                        committer=commit.committer, message=_message(commit, source), files=files, deletes=deletes,
                        parent=f"refs/heads/{plan.branch}^0" if index == 0 and continuing else None)
            result.commits += 1
        plan.state.source_head = commits[-1].sha
        final = _final_files(plan, desk, source, now, result)
        # dated like the last replayed commit, so the first-parent times never go backwards
        # when a later import continues; sla.since inside records the real import time
        fast.commit(plan.branch, when=commits[-1].when, author=IMPORTER, files=final,
                    message=f"gitdesk import {source.value}: {result.commits} commit(s) up to {commits[-1].sha[:12]}\n")
    _git(plan.dest, "reset", "-q", "--hard")
    for path in desk.state.paths.values():
        if path.startswith(NOTICE_FOLDER):
            result.notices += 1
        else:
            result.tickets += 1
            prefix = PurePosixPath(path).stem.split("-")[0]
            result.by_kind[prefix] = result.by_kind.get(prefix, 0) + 1
    return result


def _message(commit: _Commit, source: Source) -> str:
    message = commit.message.rstrip("\n") or "(no message)"
    return f"{message}\n\nImported-From: {source.value} {commit.sha}\n"


def _prime(desk: _Desk, adapter: _Adapter, repo: Path, head: str) -> None:
    """Load the records as they stood at ``head`` (the last import), without writing anything."""
    entries = []
    for line in _git(repo, "ls-tree", "-r", "-z", head).split("\x00"):
        meta, _, path = line.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and parts[0] in ("100644", "100755") and adapter.accepts(path):
            entries.append((path, parts[2]))
    blobs = _read_blobs(repo, [blob for _, blob in entries])
    for path, blob in entries:
        key = adapter.key(path)
        landed = datetime.fromisoformat(desk.state.landed.get(key, iso(datetime.now(timezone.utc))))
        converted = adapter.convert(_text(blobs[blob]) or "", path, landed, landed)
        if converted.record is not None:
            desk.live[path] = converted.record


def _text(data: bytes | None) -> str | None:
    if data is None or len(data) > MAX_SOURCE_BYTES or b"\x00" in data:
        return None
    return data.decode("utf-8", "replace")


def _step(desk: _Desk, adapter: _Adapter, commit: _Commit, blobs: Mapping[str, bytes | None],
          report: Callable[[str, str, str], None]) -> tuple[dict[str, str], list[str]]:
    """Apply one source commit; return the destination files to write and to delete."""
    keys: set[str] = set()
    # No rename detection (it needs every blob, and partial clones lack some): a move is a
    # deletion plus an addition in one commit, and the record's key carries its id across.
    for status, path, blob in commit.changes:
        if not adapter.accepts(path):
            continue
        key = adapter.key(path)
        keys.add(key)
        if status == "D":
            desk.live.pop(path, None)
            continue
        text = _text(blobs.get(blob))
        if text is None:
            report(path, f"missing from the clone, larger than {MAX_SOURCE_BYTES:,} bytes or not text; skipped", commit.sha)
            desk.live.pop(path, None)
            continue
        desk.state.landed.setdefault(key, iso(commit.when))
        converted = adapter.convert(text, path, commit.when, datetime.fromisoformat(desk.state.landed[key]))
        for reason in converted.problems:
            report(path, reason, commit.sha)
        if converted.record is None:
            desk.live.pop(path, None)
            continue
        desk.tick += 1
        desk.touched[path] = desk.tick
        desk.live[path] = converted.record
    if not keys:
        return {}, []
    return _write(desk, keys, commit, report)


def _write(desk: _Desk, keys: set[str], commit: _Commit,
           report: Callable[[str, str, str], None]) -> tuple[dict[str, str], list[str]]:
    files: dict[str, str] = {}
    deletes: list[str] = []
    # supersede links reach across records: for MADR every decision is re-rendered, and only changed files written
    current = desk.winners(None if desk.source is Source.MADR else keys)
    for key in sorted(keys - set(current)):  # the record is gone: its file goes too
        old = desk.state.paths.pop(key, None)
        if old is not None and old not in desk.state.paths.values():
            deletes.append(old)
            desk.emitted.pop(old, None)
    for key, (_, record) in sorted(current.items(), key=lambda item: _natural_key(item[0])):
        if record.kind is not None:
            ticket_id = desk.state.ids.get(key)
            if ticket_id is None or not ticket_id.startswith(f"{record.kind.prefix}-"):
                ticket_id = desk.allocate(record.kind, key)
                desk.state.ids[key] = ticket_id
    ids = {k: desk.state.ids[k] for k in current if k in desk.state.ids}
    linked, problems = _links({k: r for k, (_, r) in current.items()}, ids) if desk.source is Source.MADR else ({}, [])
    for key, reason in problems:
        report(current[key][0], f"supersede link: {reason}", commit.sha)
    for key, (_, record) in current.items():
        ticket_id = desk.state.ids.get(key) if record.kind is not None else None
        path = desk.dest_path(record, ticket_id, datetime.fromisoformat(desk.state.landed.get(key, iso(commit.when))))
        text = _render(record, ticket_id, linked.get(key, {}))
        old = desk.state.paths.get(key)
        if old is not None and old != path and old not in [p for k, p in desk.state.paths.items() if k != key]:
            deletes.append(old)
            desk.emitted.pop(old, None)
        desk.state.paths[key] = path
        if desk.emitted.get(path) != text:
            files[path] = text
            desk.emitted[path] = text
    return files, [d for d in deletes if d not in files]


def _final_files(plan: _Plan, desk: _Desk, source: Source, now: datetime, result: ImportResult) -> dict[str, str]:
    """The bookkeeping commit: the state file, and gitdesk.yml with ``sla.since`` and the components used."""
    config_path = plan.dest / "gitdesk.yml"
    text = plan.scaffold.get("gitdesk.yml") or (config_path.read_text("utf-8") if config_path.is_file() else "")
    components: dict[str, str] = {}
    if source is Source.CSTATE:
        for record in desk.live.values():
            for name in record.imported.get("declared", {}).get("affected", []):
                components.setdefault(cstate.component_id(name), name)
    new_text, since = config_update(text, now=now, components=components, replace_sample=plan.created)
    result.since = since
    files = {f"{STATE_DIR}/{source.value}.json": desk.state.dump(source)}
    if new_text != text:
        files["gitdesk.yml"] = new_text
    return files


def config_update(text: str, *, now: datetime, components: Mapping[str, str], replace_sample: bool) -> tuple[str, str | None]:
    """gitdesk.yml text with ``sla.since`` set to ``now`` (if unset) and ``components`` declared.

    Returns the new text and the ``sla.since`` value written (None if it was set already).
    Edits are line-based so the comments of the file stay where they are.
    """
    try:
        raw = yamlsafe.load(text).value or {}
    except yamlsafe.YamlError:
        raw = {}
    raw = raw if isinstance(raw, dict) else {}
    lines = text.split("\n")
    since = None
    sla = raw.get("sla")
    if not (isinstance(sla, dict) and sla.get("since")):
        since = iso(now)
        entry = f"  since: \"{since}\"   # set by gitdesk import: clocks before it are history, not judged"
        at = next((i for i, line in enumerate(lines) if re.match(r"^sla:\s*(#.*)?$", line)), None)
        if at is not None:
            lines.insert(at + 1, entry)
        elif "sla" not in raw:
            lines += ["sla:", entry]
        else:
            since = None  # a flow-style `sla: {…}`: left to the user rather than rewritten
    declared = {c.get("id") for c in raw.get("components") or [] if isinstance(c, dict)}
    missing = {cid: name for cid, name in components.items() if cid not in declared}
    if missing or (replace_sample and components):
        at = next((i for i, line in enumerate(lines) if re.match(r"^components:\s*(#.*)?$", line)), None)
        wanted = components if replace_sample else missing
        entries = [f"  - {{id: {cid}, name: {json.dumps(name, ensure_ascii=False)}}}" for cid, name in sorted(wanted.items())]
        if at is None:
            lines += ["components:", *entries]
        else:
            end = at + 1
            if replace_sample:
                while end < len(lines) and lines[end].startswith("  - "):
                    end += 1
                lines[at + 1:end] = entries
            else:
                lines[at + 1:at + 1] = entries
    return "\n".join(lines), since
