"""Stage 2: Git evidence. The only module that talks to Git.

INTERFACE STUB (foundation): the types below are the contract other stages use.
The implementation (one `git log --first-parent --raw` walk + one persistent
`cat-file --batch`, cached by commit) lands with issue 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from generator.model import Diagnostic, Kind


@dataclass(frozen=True)
class Commit:
    """A first-parent commit of the evidence branch.

    ``landed_at`` is the committer time of the first-parent commit that brought a
    change to the branch (merge, squash or direct commit): the SLA clock's time.
    """

    sha: str
    landed_at: datetime
    authored_at: datetime
    author: str
    subject: str


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


@dataclass(frozen=True)
class Anomaly:
    """Something odd in the evidence, reported rather than hidden."""

    sha: str
    kind: str  # "committer-time-backwards" | "author-after-committer"
    message: str


@dataclass
class History:
    """The whole repo's ticket history on one branch."""

    branch: str
    head: str | None
    tickets: dict[str, TicketHistory] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)


def read_history(repo: Path, *, branch: str = "main", cache_dir: Path | None = None) -> History:
    """Walk ``branch``'s first-parent chain once and return every ticket's versions.

    Raises :class:`generator.errors.RepoError` (exit 2) for a shallow clone, a
    folder that is not a Git repo, or a missing branch.
    """
    raise NotImplementedError("history stage lands with issue 3")


def history_diagnostics(repo: Path, history: History) -> list[Diagnostic]:
    """Checks that need history: declared times later than their landing; anomalies as warnings."""
    raise NotImplementedError("history stage lands with issue 3")
