"""The witness clock: when CI first saw each first-parent commit of the evidence branch.

Committer times are written by whoever pushes, so they can be forged: a
resolution pushed at 20:00 can claim 10:05. ``gitdesk witness`` runs in CI on
every push to the branch and attaches to each commit it has not seen before a
Git note in :data:`WITNESS_NOTES` whose body is one line, the time it ran (ISO
8601 with offset). :func:`landed` then lets that note overrule a committer
time that disagrees with it by more than ``sla.witness_tolerance``.

What it proves, and what it cannot, is in docs/sla.md ("The witness clock").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import gitdesk.history.git as git
from gitdesk.history.git import WITNESS_NOTES
from gitdesk.history.model import Anomaly, Commit
from gitdesk.model import parse_time

#: ``sla.witness_tolerance`` when gitdesk.yml does not set it: CI queues and clock skew stay under it
DEFAULT_TOLERANCE = 15 * 60


@dataclass(frozen=True)
class Notes:
    """The witness notes as read once per history walk."""

    #: the notes ref's commit (None: no witness ever ran); part of the history cache key
    ref: str | None
    #: commit sha -> the time the witness saw it (notes whose body is not such a time are left out)
    times: dict[str, datetime]
    #: every commit with a note, readable or not: what the witness has seen
    seen: frozenset[str]


NO_NOTES = Notes(None, {}, frozenset())


def parse_note(text: str) -> datetime | None:
    """The witnessed time in a note's body (its first line, ISO 8601 with offset), or None."""
    lines = text.strip().splitlines()
    return parse_time(lines[0].strip()) if lines else None


def read_notes(repo: Path) -> Notes:
    """Every witness note of ``repo``: one ``git notes list`` and one ``cat-file --batch`` (none when the ref is absent)."""
    ref = git.read_ref(repo, WITNESS_NOTES)
    if ref is None:
        return NO_NOTES
    listing = [line.split() for line in git.run(repo, "notes", "--ref", WITNESS_NOTES, "list").decode().splitlines()]
    pairs = [(fields[0], fields[1]) for fields in listing if len(fields) == 2]
    if not pairs:
        return Notes(ref, {}, frozenset())
    out = git.run(repo, "cat-file", "--batch", stdin="".join(f"{blob}\n" for blob, _ in pairs).encode())
    times: dict[str, datetime] = {}
    offset = 0
    for _, commit in pairs:
        end = out.index(b"\n", offset)
        header = out[offset:end].split()
        size = int(header[2]) if len(header) == 3 else 0
        when = parse_note(out[end + 1:end + 1 + size].decode("utf-8", "replace")) if size else None
        if when is not None:
            times[commit] = when
        offset = end + 1 + size + (1 if size or len(header) == 3 else 0)
    return Notes(ref, times, frozenset(commit for _, commit in pairs))


def landed(commit: Commit, seen_at: datetime | None, *, tolerance: int, branch: str,
           path: str | None) -> tuple[Commit, Anomaly | None]:
    """``commit`` as the evidence should use it, given the witness note's time ``seen_at`` (None: no note).

    With a note the commit is ``witnessed``. When its committer time is more
    than ``tolerance`` seconds earlier than the note (back-dated: "resolved at
    10:05", pushed at 20:00), or later than it (a commit cannot land after CI
    saw it), the note's time is its landed time and an anomaly says so.
    """
    if seen_at is None:
        return commit, None
    lag = (seen_at - commit.landed_at).total_seconds()
    if abs(lag) <= tolerance:
        return replace(commit, witnessed=True), None
    claim = "earlier" if lag > 0 else "later"
    message = (f"commit {commit.short} has committer time {commit.landed_at.isoformat()}, {_span(abs(lag))} {claim} than "
               f"the witness first saw it on {branch} ({seen_at.isoformat()}); clocks use the witnessed time")
    return replace(commit, landed_at=seen_at, witnessed=True), Anomaly(commit.sha, "witness-disagrees", message, path)


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"


@dataclass(frozen=True)
class Witnessed:
    """What one ``gitdesk witness`` run did."""

    at: datetime
    #: commits noted in this run, oldest first
    noted: list[str]
    #: True on a first run (no note anywhere yet): only the fresh commits at the tip are noted
    baseline: bool
    tip: str


def witness(repo: Path, *, branch: str, now: datetime, tolerance: int = DEFAULT_TOLERANCE) -> Witnessed:
    """Note ``now`` on each first-parent commit of ``branch`` newer than the newest one already noted.

    The commits after the newest noted one on the first-parent chain are the
    ones pushed since the last run (all of them, if a rewrite left no noted
    commit on the chain). On a first run (no note anywhere) the witness cannot
    vouch for the past: it notes only the commits at the tip whose committer
    time is within ``tolerance`` of ``now`` (the push it runs for), so an old
    tip keeps its time and the next run starts the record. Raises
    :class:`~gitdesk.errors.RepoError` (exit 2) when the branch cannot be read
    or a note cannot be written.
    """
    info = git.open_branch(repo, branch)
    seen = read_notes(repo).seen
    new: list[str] = []
    if seen:
        for sha in git.run(repo, "rev-list", "--first-parent", info.tip).decode().split():
            if sha in seen:
                break
            new.append(sha)
    else:
        for line in git.run(repo, "log", "--first-parent", "--format=%H %ct", info.tip).decode().splitlines():
            sha, stamp = line.split()
            if abs(now.timestamp() - int(stamp)) > tolerance:
                break
            new.append(sha)
    stamp = now.isoformat(timespec="seconds") + "\n"
    for sha in reversed(new):
        git.write_note(repo, sha, stamp, ref=WITNESS_NOTES)
    return Witnessed(now, list(reversed(new)), not seen, info.tip)
