"""The version fold: first-parent commits in, per-ticket histories out (pure, no Git).

Each commit is folded in with the parsed front matter of the blobs it names;
:class:`State` is everything a later run needs to continue (it is what the
cache stores).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Mapping

from gitdesk.history.model import Anomaly, Commit, TicketHistory, Version
from gitdesk.history.witness import DEFAULT_TOLERANCE, landed
from gitdesk.load.files import kind_for_path
from gitdesk.model import Kind

#: paths repeat in every commit that touches them; their kind never changes
kind_of = functools.lru_cache(maxsize=65536)(kind_for_path)


@dataclass
class RawCommit:
    """A first-parent commit as the log gives it: the commit and the ticket files it changed."""

    commit: Commit
    parents: tuple[str, ...]
    #: (path relative to the gitdesk root, blob sha or None for a deletion)
    changes: list[tuple[str, str | None]]
    #: when the witness first saw the commit on the branch (its note), if it has one
    witnessed_at: datetime | None = None


@dataclass
class State:
    """What a run carries to the next one through the cache."""

    branch: str
    prefix: str
    tip: str | None = None
    tickets: dict[str, TicketHistory] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    path_ids: dict[str, str] = field(default_factory=dict)
    last_landed: datetime | None = None
    #: the witness notes ref's commit and the tolerance the landed times were decided with (the cache key has both)
    witness_ref: str | None = None
    witness_tolerance: int = DEFAULT_TOLERANCE


def _ticket_id(fields: Mapping[str, Any], path: str, kind: Kind) -> str | None:
    """The identity of a version: its ``id`` (runbooks: the file's slug)."""
    if kind is Kind.RUNBOOK:
        return PurePosixPath(path).stem
    value = fields.get("id")
    return value if isinstance(value, str) and value else None


def _changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> frozenset[str]:
    if old is None:
        return frozenset(new)
    return frozenset(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def apply(state: State, raw: RawCommit, parsed: Mapping[tuple[str, str], dict[str, Any] | None]) -> None:
    """Fold one first-parent commit into the per-ticket histories (its landed time as the witness has it)."""
    first_path = raw.changes[0][0] if raw.changes else None
    commit, disagreement = landed(raw.commit, raw.witnessed_at, tolerance=state.witness_tolerance, branch=state.branch,
                                  path=first_path)
    if disagreement is not None:
        state.anomalies.append(disagreement)
    if state.last_landed is not None and commit.landed_at < state.last_landed:
        state.anomalies.append(Anomaly(commit.sha, "committer-time-backwards",
                                       f"commit {commit.sha[:10]} landed at {commit.landed_at.isoformat()}, before its first parent "
                                       f"({state.last_landed.isoformat()}); clocks use the times as recorded",
                                       first_path))
    if commit.authored_at > commit.landed_at:
        state.anomalies.append(Anomaly(commit.sha, "author-after-committer",
                                       f"commit {commit.sha[:10]} has an author time ({commit.authored_at.isoformat()}) later than "
                                       f"its committer time ({commit.landed_at.isoformat()})",
                                       first_path))
    state.last_landed = commit.landed_at
    lost: set[str] = set()
    for path, blob in raw.changes:
        if blob is None:
            old = state.path_ids.pop(path, None)
            if old is not None:
                lost.add(old)
            continue
        fields = parsed.get((path, blob))
        kind = kind_of(path)
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
