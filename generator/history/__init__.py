"""Stage 2: Git evidence, as per-ticket histories.

One ``git log --first-parent --raw`` walk over the whole branch and one
``git cat-file --batch`` for every ticket blob it names (:mod:`.walk`), folded
into per-ticket versions (:mod:`.fold`). Results are cached under the Git dir,
keyed by the tip commit (:mod:`.cache`); the next run reads only the new
commits, and a rewritten history starts over. :mod:`.git` is the only module
that runs git.

A change happens at its *landed time*: the committer time of the first-parent
commit that brought it to the branch (a merge, a squash or a direct commit).
"""

from __future__ import annotations

from pathlib import Path

from gitdesk.history import cache, git, walk, witness  # submodules; none imports this package back
from gitdesk.history.fold import State
from gitdesk.history.git import find_root, has_commits, is_git_repo
from gitdesk.history.model import (
    DECLARED_TIMES,
    Anomaly,
    Commit,
    History,
    TicketHistory,
    Version,
    changes_since,
    declared_time_problems,
)
from gitdesk.load.files import LandedFiles

__all__ = [
    "DECLARED_TIMES",
    "Anomaly",
    "Commit",
    "History",
    "TicketHistory",
    "Version",
    "changes_since",
    "declared_time_problems",
    "find_root",
    "has_commits",
    "is_git_repo",
    "read_history",
]


def read_history(repo: Path, *, branch: str = "main", cache_dir: Path | None = None, use_cache: bool = True,
                 witness_tolerance: int = witness.DEFAULT_TOLERANCE, keep_files: bool = False) -> History:
    """Walk ``branch``'s first-parent chain once and return every ticket's versions.

    With a cache from an earlier run whose tip is on the new first-parent chain,
    only the new commits are read; otherwise (a rewritten history) it starts over,
    so the answer is always the cold run's. Commits with a witness note get the
    note's time as their landed time when their committer time is off by more
    than ``witness_tolerance`` seconds (``sla.witness_tolerance``). With
    ``keep_files``, :attr:`History.files` holds each ticket path's last blob
    read and its parse, so that ``load_repo(landed=history.files)`` need not
    parse a working-tree file equal to it again. Raises
    :class:`gitdesk.errors.RepoError` (exit 2) for a shallow clone, a folder
    that is not a Git repo, a repo without commits, or a missing branch.
    """
    with cache.no_gc():
        return _read(repo, branch, cache_dir, use_cache, witness_tolerance, {} if keep_files else None)


def _read(repo: Path, branch: str, cache_dir: Path | None, use_cache: bool, tolerance: int, files: LandedFiles | None) -> History:
    info = git.open_branch(repo, branch)
    cache_path = cache.cache_file(info.git_dir, cache_dir, branch, info.prefix)
    key = State(branch, info.prefix, witness_ref=git.read_ref(repo, git.WITNESS_NOTES), witness_tolerance=tolerance)
    state = cache.load(cache_path, key) if use_cache else None
    if state is not None and state.tip == info.tip:
        return History(branch, info.tip, state.tickets, state.anomalies, 0, True)
    notes = witness.read_notes(repo).times if key.witness_ref else {}
    count = 0
    if state is not None and state.tip is not None:
        try:
            count = walk.stream(repo, f"{state.tip}..{info.tip}", state, continues=state.tip, witnessed=notes, files=files)
        except walk.Rewritten:
            state = None  # rewritten (force-pushed) or re-parented history: start over
    if state is None:
        state = key
        count = walk.stream(repo, info.tip, state, witnessed=notes, files=files)
    state.tip = info.tip
    if use_cache:
        cache.save(cache_path, state)
    history = History(branch, info.tip, state.tickets, state.anomalies, count, False)
    if files is not None:
        history.files = files
    return history
