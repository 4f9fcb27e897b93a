"""The history cache: one file per branch and desk, keyed by the tip commit.

The cache is plain data written with ``marshal`` (dicts, lists, tuples, str,
int): reading it back is several times faster than unpickling 40,000 objects,
and a warm run is mostly this read. It lives in the Git dir, which is as
trusted as the hooks there; anything unexpected makes a cold run instead.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from gitdesk.history.fold import State
from gitdesk.history.model import Anomaly, Commit, TicketHistory, Version
from gitdesk.model import Kind

_CACHE_FORMAT = 4


def cache_file(git_dir: Path, cache_dir: Path | None, branch: str, prefix: str) -> Path:
    folder = cache_dir if cache_dir is not None else git_dir / "gitdesk"
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{branch}-{prefix}".strip("-/"))
    return folder / f"history-{name}.cache"


def _cache_key(state: State) -> tuple[Any, ...]:
    # the witness notes and the tolerance decide landed times: new notes make a cold run
    return (_CACHE_FORMAT, sys.version_info[:2], state.branch, state.prefix, state.witness_ref, state.witness_tolerance)


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


def dump_histories(histories: Iterable[TicketHistory]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Ticket histories as plain data (commits listed once), for :mod:`marshal`; :func:`load_histories` reads it back."""
    index: dict[str, int] = {}
    commits: list[tuple[Any, ...]] = []

    def ref(commit: Commit | None) -> int:
        if commit is None:
            return -1
        if commit.sha not in index:
            index[commit.sha] = len(commits)
            commits.append((commit.sha, *_Times.dump(commit.landed_at), *_Times.dump(commit.authored_at),
                            commit.author, commit.subject, commit.author_email, commit.witnessed))
        return index[commit.sha]

    tickets = [(t.id, t.kind.value, [(ref(v.commit), v.path, dict(v.fields), tuple(v.changed)) for v in t.versions], ref(t.deleted))
               for t in histories]
    return commits, tickets


def load_histories(commits_data: list[tuple[Any, ...]], tickets_data: list[tuple[Any, ...]]) -> Iterator[TicketHistory]:
    """The histories :func:`dump_histories` wrote."""
    times = _Times()
    commits = [Commit(sha, times.load(ct, co), times.load(at, ao), author, subject, email, witnessed)
               for sha, ct, co, at, ao, author, subject, email, witnessed in commits_data]
    for ticket_id, kind, versions, deleted in tickets_data:
        yield TicketHistory(
            ticket_id, Kind(kind), [Version(commits[c], path, fields, frozenset(changed)) for c, path, fields, changed in versions],
            commits[deleted] if deleted >= 0 else None)


def _dump_state(state: State) -> dict[str, Any]:
    commits, tickets = dump_histories(state.tickets.values())
    return {
        "key": _cache_key(state),
        "tip": state.tip,
        "commits": commits,
        "tickets": tickets,
        "anomalies": [(a.sha, a.kind, a.message, a.path) for a in state.anomalies],
        "path_ids": state.path_ids,
        "last_landed": _Times.dump(state.last_landed) if state.last_landed else None,
    }


def _load_state(data: dict[str, Any], key: State) -> State:
    times = _Times()
    state = State(key.branch, key.prefix, data["tip"], {}, [Anomaly(*a) for a in data["anomalies"]], data["path_ids"],
                  times.load(*data["last_landed"]) if data["last_landed"] else None, key.witness_ref, key.witness_tolerance)
    for ticket in load_histories(data["commits"], data["tickets"]):
        state.tickets[ticket.id] = ticket
    return state


def refs_stamp(git_dir: Path, refs: Iterable[str]) -> tuple[Any, ...] | None:
    """What ``refs`` point to, read from the ref files of ``git_dir`` (a worktree's or the main one): equal stamps, same commits.

    No git process: loose ref files are read and ``packed-refs`` is stamped
    by its stat, so any change to any ref makes a different stamp. None for
    a ref store this cannot read (reftable), where callers take the slow path.
    """
    common = git_dir
    with contextlib.suppress(OSError):
        common = (git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    if (common / "reftable").exists():
        return None
    out: list[Any] = [str(common), (common / "shallow").exists()]
    for name in refs:
        try:
            target = (common / name).read_bytes()
            if target.startswith(b"ref:"):  # a symbolic ref moves with its target, which this does not read
                return None
            out.append((name, target))
        except FileNotFoundError:
            out.append((name, None))
        except OSError:
            return None
    try:
        st = os.stat(common / "packed-refs")
        out.append((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    except FileNotFoundError:
        out.append(None)
    except OSError:
        return None
    return tuple(out)


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic GC while building many objects that will all live on (2-3x faster)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(path: Path, key: State) -> State | None:
    """The cached state for ``key``'s branch, desk, witness notes and tolerance; None when there is none that matches."""
    try:
        data = marshal.loads(path.read_bytes())  # marshal.load on a file reads in tiny pieces: 10x slower
        if not isinstance(data, dict) or data.get("key") != _cache_key(key):
            return None
        return _load_state(data, key)
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError):
        return None  # no cache, or one from another gitdesk or Python: a cold run gives the same answer


def save(path: Path, state: State) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(marshal.dumps(_dump_state(state)))
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old cache or the new one
    except (OSError, ValueError):
        pass  # a read-only checkout (or an unmarshallable value) still gets correct figures, only slower
