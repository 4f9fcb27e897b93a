"""The history stage's data: commits, ticket versions, whole-branch histories, anomalies.

Plain values, no Git: :mod:`gitdesk.history.walk` builds them, sla, site and
validate read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from gitdesk.model import Kind, parse_time

if TYPE_CHECKING:
    from gitdesk.load.files import LandedFiles


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
    #: a witness note vouches for ``landed_at`` (see :mod:`gitdesk.history.witness`)
    witnessed: bool = False

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
    #: in an audience's view (:func:`gitdesk.site.scope.apply_scope`): indexes into ``versions`` that
    #: follow versions this audience may not see (``len(versions)`` when the hidden ones come last)
    gaps: tuple[int, ...] = ()

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
    kind: str  # "committer-time-backwards" | "author-after-committer" | "witness-disagrees"
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
    #: when the desk's evidence begins (see :meth:`first_day`); kept by scoping so every audience agrees
    began: datetime | None = None
    #: with ``read_history(keep_files=True)``: each path's last blob this run read, with its parse, for
    #: ``load_repo(landed=...)`` (empty when the history came from the cache; never cached itself)
    files: LandedFiles = field(default_factory=dict, repr=False, compare=False)

    def first_day(self) -> datetime | None:
        """When the desk's evidence begins: the earliest landing of any record, deleted ones included.

        Uptime counts from here: before it there is no evidence, so no data
        (rather than invented perfect days). None when nothing has landed.
        """
        if self.began is not None:
            return self.began
        firsts = [th.versions[0].commit.landed_at for th in self.tickets.values() if th.versions]
        return min(firsts, default=None)

    def as_of(self, now: datetime) -> History:
        """The history as it stood at ``now``: nothing that landed after it.

        Each ticket keeps its versions up to the first one landed after ``now``
        (the rule of :func:`gitdesk.sla.clocks.latest`, so site and SLA cut at the
        same place); a ticket with none left is absent; a deletion after ``now``
        has not happened yet. ``head`` becomes the newest kept commit, never a
        later one.
        """
        tickets: dict[str, TicketHistory] = {}
        later: set[str] = set()
        for ticket_id, th in self.tickets.items():
            kept = list(_until(th.versions, now))
            later.update(v.commit.sha for v in th.versions[len(kept):])
            deleted = th.deleted if th.deleted is not None and th.deleted.landed_at <= now else None
            if th.deleted is not None and deleted is None:
                later.add(th.deleted.sha)
            if kept:
                tickets[ticket_id] = TicketHistory(th.id, th.kind, kept, deleted, th.gaps)
        commits = [v.commit for th in tickets.values() for v in th.versions]
        commits += [th.deleted for th in tickets.values() if th.deleted is not None]
        head = max(commits, key=lambda c: c.landed_at).sha if commits else None
        began = self.began if self.began is not None and self.began <= now else None
        return History(self.branch, head, tickets, [a for a in self.anomalies if a.sha not in later],
                       self.commits_read, self.from_cache, began)


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


def _until(versions: Iterable[Version], now: datetime) -> Iterator[Version]:
    for version in versions:
        if version.commit.landed_at > now:
            return
        yield version


def changes_since(versions: Iterable[Version]) -> Iterator[tuple[Version, Version | None]]:
    """Each version with the one before it (None for the first): the timeline's steps."""
    previous: Version | None = None
    for version in versions:
        yield version, previous
        previous = version
