"""Ticket ids: allocating the next free one, and repairing duplicates from concurrent PRs.

Two engineers who each run `gitdesk new incident` on their own branch would
both get the same id if we only looked at the working tree. So allocation also
looks at every local and remote-tracking branch: main's tree, plus the paths
added by commits not on main, found with one ``git log`` across all branches
(40 branches cost one call, not 40 tree listings). Ids come from file names
under each kind's folder, as `gitdesk new` writes them.

The next id is one past the highest ever seen, never a gap: a gap is usually a
deleted ticket, whose id still names it in old links and history.

`gitdesk renumber` repairs what allocation could not prevent (two PRs opened
before either was pushed). :func:`plan_renumber` is pure: the Git evidence
comes in as an :class:`Evidence` value built by :func:`read_evidence`. That
evidence is keyed by *path*, not read from :func:`gitdesk.history.read_history`,
because history is keyed by id, and two tickets sharing an id is the very
thing being repaired here.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Mapping

from gitdesk.errors import RepoError
import gitdesk.history.git as git
from gitdesk.history.git import git_ok as git_ok  # `gitdesk init` asks it through this module
from gitdesk.load.files import DocumentError, discover, kind_for_path, load_paths, parse_document
from gitdesk.model import Kind, Ticket

_ID = re.compile(r"^([A-Z]{2,5})-([0-9]{1,6})$")
_TOP_FOLDERS = tuple(sorted({kind.folder.split("/")[0] for kind in Kind}))

#: Fields whose values name other tickets; renumber rewrites them.
REF_KEYS: tuple[str, ...] = ("related", "origin", "supersedes", "superseded_by")


def field_values(fields: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    """Every string found as the value, or a list item, of ``keys``."""
    out: list[str] = []
    for key in keys:
        value = fields.get(key)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, str))
    return out


def id_number(kind: Kind, ticket_id: str) -> int | None:
    """The number in ``ticket_id`` if it is an id of ``kind`` (``INC-0042`` → 42), else None."""
    match = _ID.match(ticket_id)
    if not match or match.group(1) != kind.prefix:
        return None
    return int(match.group(2))


def format_id(kind: Kind, number: int) -> str:
    """An id zero-padded to four digits, so file listings sort in order: ``INC-0042``."""
    if kind.prefix is None:
        raise ValueError("runbooks are named by slug, not by number")
    return f"{kind.prefix}-{number:04d}"


def ids_in_paths(paths: Iterable[str]) -> set[str]:
    """The ids that ticket file names spell (``tickets/incidents/2026/INC-0042.md`` → ``INC-0042``)."""
    out = set()
    for path in paths:
        kind = kind_for_path(path)
        if kind is not None and kind.prefix is not None:
            out.add(PurePosixPath(path).stem)
    return out


def next_id(kind: Kind, used: Iterable[str]) -> str:
    """One past the highest id of ``kind`` in ``used``."""
    numbers = [n for n in (id_number(kind, i) for i in used) if n is not None]
    return format_id(kind, max(numbers, default=0) + 1)


# --- Git ------------------------------------------------------------------------


def is_git_repo(repo: Path) -> bool:
    """Whether ``repo`` is inside a Git work tree with at least one commit."""
    return git.has_commits(repo)


def _ls_tree(repo: Path, rev: str) -> dict[str, str]:
    """Ticket paths at ``rev`` and their blob ids, in one call."""
    out = git.run(repo, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *_TOP_FOLDERS)
    paths: dict[str, str] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        path = name.decode("utf-8", "surrogateescape")
        if kind_for_path(path) is not None:
            paths[path] = meta.split()[2].decode()
    return paths


def main_ref(repo: Path, branch: str) -> str | None:
    """The ref of the evidence branch: local if present, else its origin copy (as in a CI clone)."""
    found = git.main_ref(git.open_repo(repo), branch)
    return found[0] if found else None


def branch_ticket_paths(repo: Path, branch: str = "main") -> set[str]:
    """Ticket paths on every local and remote-tracking branch (empty outside a Git repo).

    With the evidence branch present: its tree, plus every path added by a commit
    that some branch has and it has not (one ``git log`` for all branches, so the
    cost follows unmerged work, not the number of branches). Without it: one
    ``git ls-tree`` per distinct branch tip.
    """
    if not is_git_repo(repo):
        return set()
    main = main_ref(repo, branch)
    if main is not None:
        paths = set(_ls_tree(repo, main))
        out = git.run(repo, "log", "--branches", "--remotes", "--not", main, "--no-renames", "--diff-filter=A",
                   "--name-only", "-z", "--format=", "--", *_TOP_FOLDERS)
        names = out.decode("utf-8", "surrogateescape").replace("\n", "\0").split("\0")
        paths.update(name for name in names if name and kind_for_path(name) is not None)
        return paths
    paths = set()
    refs = git.run(repo, "for-each-ref", "--format=%(objectname)", "refs/heads", "refs/remotes").decode().split()
    for commit in sorted(set(refs)):  # branches that share a tip are listed once
        paths.update(_ls_tree(repo, commit))
    return paths


def working_tree_ids(repo: Path) -> set[str]:
    """Ids in the working tree: from file names, plus the front matter of files not named by their id."""
    paths, _ = discover(repo)
    odd = []
    for path in paths:
        kind = kind_for_path(path)
        if kind is not None and kind.prefix is not None and id_number(kind, PurePosixPath(path).stem) is None:
            odd.append(path)
    declared = {t.id for t in load_paths(repo.resolve(), odd).tickets}
    return ids_in_paths(paths) | declared


def used_ids(repo: Path, branch: str = "main") -> set[str]:
    """Every id the working tree or any branch uses: what a new id must avoid."""
    return working_tree_ids(repo) | ids_in_paths(branch_ticket_paths(repo, branch))


def blob_id(data: bytes) -> str:
    """Git's object id for a file's bytes, to tell an unchanged file without asking Git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


# --- renumber ---------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What Git says about the evidence branch (main), for :func:`plan_renumber`.

    ``landed`` maps a path to (order, commit) of the first-parent commit that
    added it on main; ``base_paths`` are the ticket paths where the current
    branch forked from main.
    ``fields_at`` reads a file's fields at a revision (None if absent there).
    """

    main: str | None = None
    main_blobs: Mapping[str, str] = field(default_factory=dict)
    base_paths: frozenset[str] = frozenset()
    landed: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    fields_at: Callable[[list[tuple[str, str]]], dict[tuple[str, str], dict[str, object] | None]] = lambda pairs: {}


@dataclass(frozen=True)
class RefChange:
    path: str
    key: str


@dataclass(frozen=True)
class Renumbering:
    """One ticket that gives up ``old`` for ``new``, and the references that follow it."""

    old: str
    new: str
    path: str
    new_path: str
    reason: str
    keeper: str
    refs: tuple[RefChange, ...] = ()


@dataclass(frozen=True)
class _Move:
    newcomer: Ticket
    keeper: str  # a path, for the message
    keeper_ticket: Ticket | None  # in the working tree, if it is there
    reason: str
    side: str  # the revision of main just before the newcomer arrived


def plan_renumber(tickets: list[Ticket], evidence: Evidence, allocate_id: Callable[[Kind, set[str]], str],
                  blob_of: Callable[[str], str]) -> list[Renumbering]:
    """Decide which tickets get fresh ids and which references follow them.

    The ticket that landed on main first keeps its id. A duplicate in the
    working tree that landed later, or is not on main, is renumbered. So is a
    ticket added on this branch whose id main has meanwhile given to another
    ticket (the collision the PR would hit at merge time).

    A reference to the old id means the renumbered ticket when it was written
    on that ticket's side: it is absent from the same file on main as it stood
    before the ticket landed (or on main now, for a ticket not on main yet).
    References that were already there mean the keeper and stay.
    ``blob_of`` gives a working-tree file's Git blob id (asked only for the few candidates).
    """
    by_id: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        if ticket.kind.prefix is not None:
            by_id.setdefault(ticket.id, []).append(ticket)
    moves: list[_Move] = []
    for ticket_id, group in sorted(by_id.items()):
        if len(group) > 1:
            moves.extend(_duplicates(group, evidence))
        else:
            moves.extend(_collision_with_main(group[0], evidence, blob_of))
    if not moves:
        return []
    referrers: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        for ref in set(field_values(ticket.fields, REF_KEYS)):
            referrers.setdefault(ref, []).append(ticket)
    old_fields = evidence.fields_at(sorted({
        (other.path, move.side) for move in moves for other in referrers.get(move.newcomer.id, [])
    }))
    used = {t.id for t in tickets}
    # Two newcomers giving up one id (three copies of it): a reference to it cannot say which one it means, so it stays.
    givers = Counter(move.newcomer.id for move in moves)
    plan = []
    for move in moves:
        newcomer = move.newcomer
        new_id = allocate_id(newcomer.kind, used)
        used.add(new_id)
        refs = []
        for other in referrers.get(newcomer.id, []) if givers[newcomer.id] == 1 else []:
            if other is newcomer or other is move.keeper_ticket:
                continue
            before = old_fields.get((other.path, move.side)) or {}
            for key in REF_KEYS:
                if newcomer.id in field_values(other.fields, (key,)) and newcomer.id not in field_values(before, (key,)):
                    refs.append(RefChange(other.path, key))
        pure = PurePosixPath(newcomer.path)
        new_path = str(pure.with_name(new_id + pure.suffix)) if pure.stem == newcomer.id else newcomer.path
        plan.append(Renumbering(newcomer.id, new_id, newcomer.path, new_path, move.reason, move.keeper, tuple(refs)))
    return plan


def _duplicates(group: list[Ticket], evidence: Evidence) -> list[_Move]:
    """Several working-tree files with one id: the first landed on main keeps it."""
    def landed(ticket: Ticket) -> tuple[int, str] | None:
        return evidence.landed.get(ticket.path) if ticket.path in evidence.main_blobs else None

    def rank(ticket: Ticket) -> tuple[int, str]:
        when = landed(ticket)
        return (when[0] if when else 1 << 62), ticket.path

    keeper, *others = sorted(group, key=rank)
    moves = []
    for other in others:
        when = landed(other)
        if when is not None:
            reason, side = "landed on main later", f"{when[1]}^1"
        elif landed(keeper) is not None:
            reason, side = "not on main yet", evidence.main or "HEAD"
        else:
            reason, side = "neither is on main; the first by path keeps the id", evidence.main or "HEAD"
        moves.append(_Move(other, keeper.path, keeper, reason, side))
    return moves


def _collision_with_main(ticket: Ticket, evidence: Evidence, blob_of: Callable[[str], str]) -> list[_Move]:
    """A ticket new on this branch whose id main gave to another file since the fork."""
    if evidence.main is None or ticket.path in evidence.base_paths:
        return []
    for path, blob in sorted(evidence.main_blobs.items()):
        if path in evidence.base_paths or PurePosixPath(path).stem != ticket.id:
            continue
        if path == ticket.path and blob == blob_of(ticket.path):
            continue  # the same ticket, already landed (squash or cherry-pick)
        return [_Move(ticket, f"{path} on main", None, "added on this branch while main gave the id to another ticket", evidence.main)]
    return []


def read_evidence(repo: Path, branch: str) -> Evidence:
    """Main's ticket files, the fork point, and when each path landed: four Git calls in all."""
    if not is_git_repo(repo):
        raise RepoError(f"{repo} is not a Git repository with commits; renumber needs to know what landed on {branch}")
    main = main_ref(repo, branch)
    if main is None:
        raise RepoError(f"no branch {branch!r} (nor origin/{branch}); renumber compares with it",
                        hint=f"fetch it (`git fetch origin {branch}`) or set `branch:` in gitdesk.yml")
    main_blobs = _ls_tree(repo, main)
    base = git.run(repo, "merge-base", "HEAD", main).decode().strip()
    base_paths = frozenset(_ls_tree(repo, base))
    landed: dict[str, tuple[int, str]] = {}
    log = git.run(repo, "log", main, "--first-parent", "--reverse", "--diff-filter=A", "--no-renames",
               "--name-only", "-z", "--format=%x01%H", "--", *_TOP_FOLDERS)
    commit = ""
    for order, chunk in enumerate(log.split(b"\x01")):
        sha, _, names = chunk.partition(b"\0")
        commit = sha.decode().strip() or commit
        for name in names.split(b"\0"):
            path = name.decode("utf-8", "surrogateescape").strip("\n")
            if path and path not in landed:
                landed[path] = (order, commit)
    return Evidence(main, main_blobs, base_paths, landed, lambda pairs: _fields_at(repo, pairs))


def _fields_at(repo: Path, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, object] | None]:
    """Parse several files at several revisions with one ``git cat-file --batch``."""
    if not pairs:
        return {}
    request = "".join(f"{rev}:{path}\n" for path, rev in pairs).encode("utf-8")
    out = git.run(repo, "cat-file", "--batch", stdin=request)
    result: dict[tuple[str, str], dict[str, object] | None] = {}
    pos = 0
    for path, rev in pairs:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split()
        pos = header_end + 1
        if len(header) < 3 or header[1] == b"missing":
            result[(path, rev)] = None
            continue
        size = int(header[2])
        data = out[pos : pos + size]
        pos += size + 1
        try:
            result[(path, rev)] = dict(parse_document(data, path).fields)
        except DocumentError:
            result[(path, rev)] = None
    return result
