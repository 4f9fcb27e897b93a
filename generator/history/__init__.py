"""Stage 2: Git evidence. The only module that talks to Git.

One ``git log --first-parent --raw`` walk over the whole branch and one
``git cat-file --batch`` for every ticket blob it names: never one ``git log``
per file (about a second each: three hours for 10,000 tickets). Results are
cached under the Git dir, keyed by the tip commit; the next run reads only the
new commits, and a rewritten history starts over.

A change happens at its *landed time*: the committer time of the first-parent
commit that brought it to the branch (a merge, a squash or a direct commit).
"""

from __future__ import annotations

import io
import os
import queue
import contextlib
import functools
import gc
import marshal
import re
import subprocess
import tempfile
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import IO, Any, Iterable, Iterator, Mapping

from gitdesk.errors import RepoError
from gitdesk.load.files import DocumentError, kind_for_path, parse_document, read_file
from gitdesk.model import Diagnostic, DiagnosticLevel, Kind, Position, parse_time


@dataclass(frozen=True)
class Commit:
    """A first-parent commit of the evidence branch.

    ``landed_at`` is the committer time of the first-parent commit that brought a
    change to the branch (merge, squash or direct commit): the SLA clock's time.
    ``author`` is the author's name only: e-mail addresses stay out of client sites.
    """

    sha: str
    landed_at: datetime
    authored_at: datetime
    author: str
    subject: str
    author_email: str = ""

    @property
    def short(self) -> str:
        return self.sha[:10]


@dataclass(frozen=True)
class Version:
    """A ticket as it stood after one landed commit."""

    commit: Commit
    path: str
    fields: Mapping[str, Any]
    #: top-level keys whose value differs from the previous version (all keys for the first)
    changed: frozenset[str]


@dataclass
class TicketHistory:
    """Every landed version of one ticket, oldest first, keyed by its id."""

    id: str
    kind: Kind
    versions: list[Version] = field(default_factory=list)
    #: the commit that deleted the ticket's file, if it was deleted
    deleted: Commit | None = None

    @property
    def first_landed(self) -> datetime:
        return self.versions[0].commit.landed_at

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    def declared_by(self, key: str) -> Version | None:
        """The version whose landing declared the current value of ``key`` (None if absent)."""
        current = self.versions[-1].fields.get(key)
        if current is None:
            return None
        found = None
        for version in reversed(self.versions):
            if version.fields.get(key) != current:
                break
            found = version
        return found


@dataclass(frozen=True)
class Anomaly:
    """Something odd in the evidence, reported rather than hidden."""

    sha: str
    kind: str  # "committer-time-backwards" | "author-after-committer"
    message: str
    #: a ticket file the commit changed, so that annotations land somewhere useful
    path: str | None = None


@dataclass
class History:
    """The whole repo's ticket history on one branch."""

    branch: str
    head: str | None
    tickets: dict[str, TicketHistory] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    #: how many commits this run read (0 when the cache was up to date)
    commits_read: int = 0
    #: True when the result came from the cache without a full walk
    from_cache: bool = False


# --- git plumbing -------------------------------------------------------------

#: flags for every git call: no signature checks, paths printed raw (UTF-8 as is)
_GIT = ("git", "-c", "log.showSignature=false", "-c", "core.quotepath=off")
_CACHE_FORMAT = 3
_MODES = (b"100644", b"100755")  # regular files only: links and submodules are not tickets
#: starts each commit in the log; a commit message cannot contain it by accident
_MARK = b"\x01gitdesk\x02"
_LOG_FORMAT = "%x01gitdesk%x02%H%x00%P%x00%ct%x00%cI%x00%at%x00%aI%x00%an%x00%ae%x00%s"


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    try:
        result = subprocess.run([*_GIT, "-C", str(repo), *args], capture_output=True)
    except FileNotFoundError:
        raise RepoError("git is not installed or not on PATH", hint="install git; gitdesk reads SLA evidence from it") from None
    if check and result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise RepoError(f"git {' '.join(args)} failed: {message}")
    return result


def is_git_repo(repo: Path) -> bool:
    """True if ``repo`` is inside a Git work tree (cheap; no history is read)."""
    try:
        result = subprocess.run([*_GIT, "-C", str(repo), "rev-parse", "--is-inside-work-tree"], capture_output=True)
    except FileNotFoundError:
        return False
    return result.returncode == 0 and result.stdout.strip() == b"true"


def has_commits(repo: Path) -> bool:
    """True if ``repo`` is a Git work tree with at least one commit (cheap; no history is read)."""
    return is_git_repo(repo) and _git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode == 0


@dataclass(frozen=True)
class _Repo:
    git_dir: Path
    prefix: str  # the gitdesk root inside the Git work tree, "" or "sub/dir/"
    ref: str  # the ref actually read
    tip: str


def _open(repo: Path, branch: str) -> _Repo:
    if not repo.is_dir():
        raise RepoError(f"{repo} is not a folder")
    if not is_git_repo(repo):
        raise RepoError(f"{repo} is not a Git repository", hint="SLA figures come from Git history: run `git init` and commit the tickets, or pass --repo")
    out = _git(repo, "rev-parse", "--git-dir", "--show-prefix", "--is-shallow-repository").stdout.decode("utf-8").split("\n")
    git_dir = Path(out[0]) if Path(out[0]).is_absolute() else repo / out[0]
    prefix, shallow = out[1], out[2].strip() == "true"
    if shallow:
        raise RepoError(
            "this is a shallow clone: landed times of older commits are missing, so SLA figures would be wrong",
            hint="fetch the whole history: `git fetch --unshallow`, or in GitHub Actions `actions/checkout` with `fetch-depth: 0`",
        )
    if _git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode != 0:
        raise RepoError(f"{repo} has no commits yet", hint="commit the tickets to your main branch first; SLA clocks start at landed commits")
    # CI checkouts often have only the remote-tracking branch (e.g. a PR merge ref on a detached HEAD)
    for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        found = _git(repo, "rev-parse", "--verify", "-q", ref + "^{commit}", check=False)
        if found.returncode == 0:
            return _Repo(git_dir, prefix, ref, found.stdout.decode().strip())
    raise RepoError(
        f"branch {branch!r} does not exist here (neither locally nor as origin/{branch})",
        hint=f"evidence is read from the branch clients see: fetch it (`git fetch origin {branch}`) or set `branch:` in gitdesk.yml",
    )


@dataclass
class _RawCommit:
    commit: Commit
    parents: tuple[str, ...]
    #: (path relative to the gitdesk root, blob sha or None for a deletion)
    changes: list[tuple[str, str | None]]


def _parse_time(stamp: bytes, iso: bytes) -> datetime:
    parsed = datetime.fromisoformat(iso.decode())
    # %cI has second precision and the committer's offset; %ct guards against odd offsets
    return parsed if int(parsed.timestamp()) == int(stamp) else datetime.fromtimestamp(int(stamp), parsed.tzinfo)


#: paths repeat in every commit that touches them; their kind never changes
_kind = functools.lru_cache(maxsize=65536)(kind_for_path)


def _parse_chunk(chunk: bytes, prefix: str) -> _RawCommit:
    parts = chunk.split(b"\x00")
    sha, parents, ct, ci, at, ai, name, email, subject = parts[:9]
    commit = Commit(
        sha=sha.decode(),
        landed_at=_parse_time(ct, ci),
        authored_at=_parse_time(at, ai),
        author=name.decode("utf-8", "replace"),
        subject=subject.decode("utf-8", "replace"),
        author_email=email.decode("utf-8", "replace"),
    )
    changes: list[tuple[str, str | None]] = []
    rest = parts[9:]
    raw_prefix = prefix.encode("utf-8")
    for i in range(0, len(rest) - 1, 2):
        meta, raw_path = rest[i].lstrip(b"\n"), rest[i + 1]
        if not meta.startswith(b":") or not raw_path.startswith(raw_prefix):
            continue
        fields = meta[1:].split(b" ")
        if len(fields) < 5:
            continue
        path = raw_path[len(raw_prefix):].decode("utf-8", "replace")
        if _kind(path) is None:
            continue
        status, new_mode, new_sha = fields[4][:1], fields[1], fields[3]
        if status == b"D" or new_mode not in _MODES:
            changes.append((path, None))  # a file that became a link or submodule is gone as a ticket
        else:
            changes.append((path, new_sha.decode()))
    return _RawCommit(commit, tuple(parents.decode().split()), changes)


# --- building ticket histories -----------------------------------------------

@dataclass
class _State:
    """What a run carries to the next one through the cache."""

    branch: str
    prefix: str
    tip: str | None = None
    tickets: dict[str, TicketHistory] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    path_ids: dict[str, str] = field(default_factory=dict)
    last_landed: datetime | None = None


def _ticket_id(fields: Mapping[str, Any], path: str, kind: Kind) -> str | None:
    """The identity of a version: its ``id`` (runbooks: the file's slug)."""
    if kind is Kind.RUNBOOK:
        return PurePosixPath(path).stem
    value = fields.get("id")
    return value if isinstance(value, str) and value else None


def _changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> frozenset[str]:
    if old is None:
        return frozenset(new)
    return frozenset(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _apply(state: _State, raw: _RawCommit, parsed: Mapping[tuple[str, str], dict[str, Any] | None]) -> None:
    """Fold one first-parent commit into the per-ticket histories."""
    commit = raw.commit
    if state.last_landed is not None and commit.landed_at < state.last_landed:
        state.anomalies.append(Anomaly(commit.sha, "committer-time-backwards",
                                       f"commit {commit.sha[:10]} landed at {commit.landed_at.isoformat()}, before its first parent "
                                       f"({state.last_landed.isoformat()}); clocks use the times as recorded",
                                       raw.changes[0][0] if raw.changes else None))
    if commit.authored_at > commit.landed_at:
        state.anomalies.append(Anomaly(commit.sha, "author-after-committer",
                                       f"commit {commit.sha[:10]} has an author time ({commit.authored_at.isoformat()}) later than "
                                       f"its committer time ({commit.landed_at.isoformat()})",
                                       raw.changes[0][0] if raw.changes else None))
    state.last_landed = commit.landed_at
    lost: set[str] = set()
    for path, blob in raw.changes:
        if blob is None:
            old = state.path_ids.pop(path, None)
            if old is not None:
                lost.add(old)
            continue
        fields = parsed.get((path, blob))
        kind = _kind(path)
        if fields is None or kind is None:
            continue  # an unreadable version: the ticket keeps its last good one (validate reports the file)
        ticket_id = _ticket_id(fields, path, kind)
        if ticket_id is None:
            continue
        previous_id = state.path_ids.get(path)
        if previous_id is not None and previous_id != ticket_id:
            lost.add(previous_id)
        state.path_ids[path] = ticket_id
        history = state.tickets.get(ticket_id)
        if history is None:
            history = state.tickets[ticket_id] = TicketHistory(ticket_id, kind)
        last = history.versions[-1] if history.versions else None
        if last is not None and last.fields == fields and last.path == path and history.deleted is None:
            continue
        history.deleted = None
        history.versions.append(Version(commit, path, fields, _changed(last.fields if last else None, fields)))
    if lost:
        alive = set(state.path_ids.values())
        for ticket_id in lost - alive:
            state.tickets[ticket_id].deleted = commit


class _Rewritten(Exception):
    """The new commits do not continue the cached first-parent chain."""


def _fold(repo: Path, rev_range: str, state: _State, *, continues: str | None = None) -> int:
    """Stream ``rev_range``'s first-parent commits, oldest first, into ``state``; return how many.

    Three things run at once: ``git log`` (its own process), a thread that
    parses its output and asks one ``git cat-file --batch`` for each new ticket
    blob, and this thread, which reads the blobs back, parses their front
    matter and folds each commit in as soon as its blobs are in. ``continues``
    is the cached tip the first commit's first parent must be (else
    :class:`_Rewritten`).
    """
    errors = tempfile.TemporaryFile()  # a file, not a pipe: a chatty git must never block on stderr
    log = subprocess.Popen(
        [*_GIT, "-C", str(repo), "log", "--first-parent", "--diff-merges=first-parent", "--raw", "-z", "--reverse",
         "--no-abbrev", "--no-renames", "--no-color", f"--format={_LOG_FORMAT}", rev_range, "--"],
        stdout=subprocess.PIPE, stderr=errors)
    cat = subprocess.Popen([*_GIT, "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert log.stdout is not None and cat.stdin is not None and cat.stdout is not None
    work: queue.SimpleQueue[tuple[str, Any] | BaseException | None] = queue.SimpleQueue()
    producer = threading.Thread(target=_produce, args=(log.stdout, cat.stdin, state.prefix, work), daemon=True)
    producer.start()
    parsed: dict[tuple[str, str], dict[str, Any] | None] = {}
    count = 0
    finished = False
    try:
        while (item := work.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            what, value = item
            if what == "blob":
                _read_blob(cat.stdout, value, parsed)
                continue
            if count == 0 and continues is not None and (not value.parents or value.parents[0] != continues):
                raise _Rewritten()
            _apply(state, value, parsed)
            count += 1
        finished = True
    finally:
        if not finished:  # stop both so the producer thread ends too (EOF or a broken pipe)
            log.kill()
            cat.kill()
        producer.join()
        code = log.wait()
        cat.wait()
        log.stdout.close()
        cat.stdout.close()
        errors.seek(0)
        stderr = errors.read()
        errors.close()
    if code != 0:
        raise RepoError(f"git log failed: {stderr.decode('utf-8', 'replace').strip()}")
    return count


def _produce(out: io.BufferedReader, blobs_in: IO[bytes], prefix: str, work: queue.SimpleQueue[Any]) -> None:
    """Parse ``git log`` output into commits; request each new blob before its commit is queued."""
    requested: set[tuple[str, str]] = set()

    def emit(chunk: bytes) -> None:
        raw = _parse_chunk(chunk, prefix)
        for path, blob in raw.changes:
            if blob is not None and (path, blob) not in requested:
                requested.add((path, blob))
                work.put(("blob", (blob, path)))
                blobs_in.write(f"{blob}\n".encode())
        work.put(("commit", raw))

    try:
        pending = bytearray()  # the commit still being received, starting with its mark
        while block := out.read1(1 << 16):  # whatever is there: parse while git still writes
            # search only the new bytes (and a mark cut in two): a commit touching thousands
            # of files spans many blocks, and rescanning it each time would be quadratic
            search_from = max(1, len(pending) - len(_MARK) + 1)
            pending += block
            last = pending.rfind(_MARK, search_from)
            if last != -1:
                for chunk in bytes(pending[:last]).split(_MARK):
                    if chunk:
                        emit(chunk)
                del pending[:last]
            blobs_in.flush()  # cat-file must see every blob the reader will wait for
        for chunk in bytes(pending).split(_MARK):
            if chunk:
                emit(chunk)
        blobs_in.close()
        work.put(None)
    except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, which raises it
        work.put(exc)


def _read_blob(stream: IO[bytes], wanted: tuple[str, str], parsed: dict[tuple[str, str], dict[str, Any] | None]) -> None:
    blob, path = wanted
    header = stream.readline().split()
    if len(header) < 3:  # "<sha> missing": a corrupt or partial repository
        raise RepoError(f"git cat-file cannot read blob {blob} ({path})", hint="run `git fsck`; the repository looks incomplete")
    data = stream.read(int(header[2]))
    stream.read(1)
    try:
        parsed[(path, blob)] = parse_document(data, path).fields
    except DocumentError:
        parsed[(path, blob)] = None


# --- the cache ----------------------------------------------------------------
#
# The cache is plain data written with ``marshal`` (dicts, lists, tuples, str,
# int): reading it back is several times faster than unpickling 40,000 objects,
# and a warm run is mostly this read. It lives in the Git dir, which is as
# trusted as the hooks there; anything unexpected makes a cold run instead.

def _cache_file(git_dir: Path, cache_dir: Path | None, branch: str, prefix: str) -> Path:
    folder = cache_dir if cache_dir is not None else git_dir / "gitdesk"
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{branch}-{prefix}".strip("-/"))
    return folder / f"history-{name}.cache"


def _cache_key(branch: str, prefix: str) -> tuple[Any, ...]:
    return (_CACHE_FORMAT, sys.version_info[:2], branch, prefix)


class _Times:
    """Aware datetimes to and from (timestamp, offset seconds), sharing one tzinfo per offset."""

    def __init__(self) -> None:
        self._zones: dict[int, timezone] = {}

    def load(self, stamp: int, offset: int) -> datetime:
        zone = self._zones.get(offset)
        if zone is None:
            zone = self._zones[offset] = timezone(timedelta(seconds=offset))
        return datetime.fromtimestamp(stamp, zone)

    @staticmethod
    def dump(when: datetime) -> tuple[int, int]:
        offset = when.utcoffset()
        return int(when.timestamp()), int(offset.total_seconds()) if offset is not None else 0


def _dump_state(state: _State) -> dict[str, Any]:
    index: dict[str, int] = {}
    commits: list[tuple[Any, ...]] = []

    def ref(commit: Commit | None) -> int:
        if commit is None:
            return -1
        if commit.sha not in index:
            index[commit.sha] = len(commits)
            commits.append((commit.sha, *_Times.dump(commit.landed_at), *_Times.dump(commit.authored_at),
                            commit.author, commit.subject, commit.author_email))
        return index[commit.sha]

    tickets = [(t.id, t.kind.value, [(ref(v.commit), v.path, dict(v.fields), tuple(v.changed)) for v in t.versions], ref(t.deleted))
               for t in state.tickets.values()]
    return {
        "key": _cache_key(state.branch, state.prefix),
        "tip": state.tip,
        "commits": commits,
        "tickets": tickets,
        "anomalies": [(a.sha, a.kind, a.message, a.path) for a in state.anomalies],
        "path_ids": state.path_ids,
        "last_landed": _Times.dump(state.last_landed) if state.last_landed else None,
    }


def _load_state(data: dict[str, Any], branch: str, prefix: str) -> _State:
    times = _Times()
    commits = [Commit(sha, times.load(ct, co), times.load(at, ao), author, subject, email)
               for sha, ct, co, at, ao, author, subject, email in data["commits"]]
    state = _State(branch, prefix, data["tip"], {}, [Anomaly(*a) for a in data["anomalies"]], data["path_ids"],
                   times.load(*data["last_landed"]) if data["last_landed"] else None)
    for ticket_id, kind, versions, deleted in data["tickets"]:
        state.tickets[ticket_id] = TicketHistory(
            ticket_id, Kind(kind), [Version(commits[c], path, fields, frozenset(changed)) for c, path, fields, changed in versions],
            commits[deleted] if deleted >= 0 else None)
    return state


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic GC while building many objects that will all live on (2-3x faster)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_cache(path: Path, branch: str, prefix: str) -> _State | None:
    try:
        data = marshal.loads(path.read_bytes())  # marshal.load on a file reads in tiny pieces: 10x slower
        if not isinstance(data, dict) or data.get("key") != _cache_key(branch, prefix):
            return None
        return _load_state(data, branch, prefix)
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError):
        return None  # no cache, or one from another gitdesk or Python: a cold run gives the same answer


def _save_cache(path: Path, state: _State) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(marshal.dumps(_dump_state(state)))
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old cache or the new one
    except (OSError, ValueError):
        pass  # a read-only checkout (or an unmarshallable value) still gets correct figures, only slower


def read_history(repo: Path, *, branch: str = "main", cache_dir: Path | None = None, use_cache: bool = True) -> History:
    """Walk ``branch``'s first-parent chain once and return every ticket's versions.

    With a cache from an earlier run whose tip is on the new first-parent chain,
    only the new commits are read; otherwise (a rewritten history) it starts over,
    so the answer is always the cold run's. Raises
    :class:`gitdesk.errors.RepoError` (exit 2) for a shallow clone, a folder
    that is not a Git repo, a repo without commits, or a missing branch.
    """
    with _no_gc():
        return _read(repo, branch, cache_dir, use_cache)


def _read(repo: Path, branch: str, cache_dir: Path | None, use_cache: bool) -> History:
    info = _open(repo, branch)
    cache_path = _cache_file(info.git_dir, cache_dir, branch, info.prefix)
    state = _load_cache(cache_path, branch, info.prefix) if use_cache else None
    if state is not None and state.tip == info.tip:
        return History(branch, info.tip, state.tickets, state.anomalies, 0, True)
    count = 0
    if state is not None and state.tip is not None:
        try:
            count = _fold(repo, f"{state.tip}..{info.tip}", state, continues=state.tip)
        except _Rewritten:
            state = None  # rewritten (force-pushed) or re-parented history: start over
    if state is None:
        state = _State(branch, info.prefix)
        count = _fold(repo, info.tip, state)
    state.tip = info.tip
    if use_cache:
        _save_cache(cache_path, state)
    return History(branch, info.tip, state.tickets, state.anomalies, count, False)


# --- checks that need history -------------------------------------------------

#: declared times that may only make the SLA stricter
DECLARED_TIMES = ("reported_at", "started_at")


def declared_time_problems(history: TicketHistory) -> list[tuple[str, datetime, Version]]:
    """(field, declared time, declaring version) for each declared time later than its landing."""
    out = []
    for key in DECLARED_TIMES:
        version = history.declared_by(key)
        declared = parse_time(version.fields.get(key)) if version else None
        if version is not None and declared is not None and declared > version.commit.landed_at:
            out.append((key, declared, version))
    return out


def history_diagnostics(repo: Path, history: History) -> list[Diagnostic]:
    """Checks that need history: declared times later than their landing (errors); anomalies (warnings).

    Positions come from the file in the working tree when it still declares the
    same value there, else the top of the file.
    """
    out: list[Diagnostic] = []
    for ticket in history.tickets.values():
        if ticket.deleted is not None or not ticket.versions:
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
    for anomaly in history.anomalies:
        out.append(Diagnostic(anomaly.path or "gitdesk.yml", 1, 1, "GD311", anomaly.message, DiagnosticLevel.WARNING))
    return out


def _position(repo: Path, path: str, key: str) -> Position:
    try:
        doc = parse_document(read_file(repo.resolve(), path), path)
    except (DocumentError, OSError):
        return Position(1, 1)
    return doc.positions.get(key, Position(1, 1))


def changes_since(versions: Iterable[Version]) -> Iterator[tuple[Version, Version | None]]:
    """Each version with the one before it (None for the first): the timeline's steps."""
    previous: Version | None = None
    for version in versions:
        yield version, previous
        previous = version
