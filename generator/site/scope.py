"""Audience scoping: the one place that decides what a build may see.

This is the security boundary of the site. Everything the site shows (pages,
search index, feeds, API, badges, charts) is computed from the output of
:func:`apply_scope` only, so a record that does not pass :func:`visible` cannot
reach any output file, and the ``internal`` mapping is stripped before any
renderer sees a ticket.

Rules (documented in docs/site.md):

* ``internal`` audience: every record, ``internal`` notes included (optionally
  narrowed to one client plus shared records).
* ``client`` audience: public records only (``visibility`` defaults to
  ``default_visibility``; runbooks default to internal). A record with a
  ``client`` is shown only in that client's build. A record with no ``client``
  is *shared*: it is shown to every client whose components it touches (or to
  every client when it names no component, or when the client declares no
  components), because platform-wide incidents and maintenance concern them all.
* A record whose id is not a valid id is never shown: ids become file names
  and URLs.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from typing import Any, Mapping

from gitdesk.config import Client, Config
from gitdesk.history import History, TicketHistory, Version
from gitdesk.model import Kind, Ticket

#: Fields that never reach a client audience. ``internal`` is the documented
#: notes mapping; assignee and reporter name people and stay in-house.
PRIVATE_FIELDS = frozenset({"internal", "assignee", "reporter"})

_ID = re.compile(r"^[A-Z]{2,5}-[0-9]{1,6}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Audience(str, enum.Enum):
    CLIENT = "client"
    INTERNAL = "internal"


#: the internal site's folder under ``site.url``; a client's is its id
INTERNAL_FOLDER = "internal"


@dataclass(frozen=True)
class Scope:
    """Who a build is for. Build it with :func:`scope_for`."""

    audience: Audience
    client: Client | None = None
    #: components this build shows; None means every component of the config
    components: frozenset[str] | None = None

    @property
    def client_id(self) -> str | None:
        return self.client.id if self.client else None

    @property
    def internal(self) -> bool:
        return self.audience is Audience.INTERNAL

    @property
    def folder(self) -> str:
        """The folder ``gitdesk publish`` puts this audience's site in: the client's id, or ``internal``."""
        return self.client_id or INTERNAL_FOLDER

    def published_url(self, root: str) -> str:
        """This audience's site under ``root``, gitdesk.yml's ``site.url`` (each published site lives under it)."""
        return root.rstrip("/") + "/" + self.folder + "/"


def scope_for(config: Config, audience: Audience | str, client_id: str | None) -> Scope:
    """The scope of a build; raises ConfigError (exit 2) naming the valid clients for an unknown one."""
    audience = Audience(audience)
    client = config.client(client_id) if client_id is not None else None
    components = frozenset(client.components) if client and client.components else None
    return Scope(audience, client, components)


def valid_id(ticket: Ticket) -> bool:
    """Whether a ticket's id is safe to use as a file name and URL."""
    pattern = _SLUG if ticket.kind is Kind.RUNBOOK else _ID
    return bool(pattern.match(ticket.id))


def visible(ticket: Ticket, scope: Scope, config: Config) -> bool:
    """Whether ``ticket`` may appear in a build for ``scope``."""
    if not valid_id(ticket):
        return False
    owner = ticket.get("client")
    if scope.client is not None and owner is not None and owner != scope.client.id:
        return False
    if scope.internal:
        return True
    if ticket.visibility(config.default_visibility) != "public":
        return False
    if owner is not None:
        # A client-owned record is never shared, not even with a build for no client.
        return scope.client is not None
    if scope.components is None or not ticket.components:
        return True
    return bool(scope.components & set(ticket.components))


def strip_fields(fields: Mapping[str, Any], scope: Scope) -> dict[str, Any]:
    """A copy of ``fields`` without what ``scope`` may not see."""
    if scope.internal:
        return dict(fields)
    return {k: v for k, v in fields.items() if k not in PRIVATE_FIELDS}


def apply_scope(tickets: list[Ticket], history: History, scope: Scope, config: Config) -> tuple[list[Ticket], History]:
    """The tickets and history a build for ``scope`` may use, private fields stripped.

    Scoping is per version: a ticket is in the build when its current state
    is visible, and of its history only the versions that were themselves
    visible to ``scope`` are kept (each version judged on its own ``client``
    and ``visibility``). A run of hidden versions leaves only its place, in
    :attr:`TicketHistory.gaps`: no text, id, time or author of theirs.

    Call this before rendering anything for the site; the SLA figures come
    from :func:`sla_evidence`.
    """
    kept = [replace(t, fields=strip_fields(t.fields, scope)) for t in tickets if visible(t, scope, config)]
    scoped = History(history.branch, history.head, anomalies=list(history.anomalies) if scope.internal else [],
                     began=history.first_day())
    for ticket in kept:
        th = history.tickets.get(ticket.id)
        if th is not None:
            scoped.tickets[ticket.id] = _visible_versions(th, scope, config)
    return kept, scoped


def sla_evidence(kept: list[Ticket], history: History, scope: Scope, config: Config) -> History:
    """The history the audience's SLA figures are computed from: every landed version of its tickets.

    Clocks count from the ticket's real start, hidden versions included, so a
    client's figures are the ones the evidence gives (docs/site.md, Scoping: figures must be believable).
    The SLA report carries only times, states and counts from them, never a
    field value. A ticket whose latest landed version is hidden (its
    visibility change is not landed yet) has no clocks for this audience.
    """
    evidence = History(history.branch, history.head, anomalies=list(history.anomalies) if scope.internal else [],
                       began=history.first_day())
    for ticket in kept:
        th = history.tickets.get(ticket.id)
        if th is None or not th.versions or not _version_visible(th, th.latest, scope, config):
            continue
        evidence.tickets[ticket.id] = TicketHistory(th.id, th.kind, [_scoped_version(v, scope) for v in th.versions], th.deleted)
    return evidence


def _version_visible(th: TicketHistory, version: Version, scope: Scope, config: Config) -> bool:
    return visible(Ticket(th.kind, th.id, version.path, dict(version.fields)), scope, config)


def _visible_versions(th: TicketHistory, scope: Scope, config: Config) -> TicketHistory:
    versions: list[Version] = []
    gaps: list[int] = []
    hidden = False
    for version in th.versions:
        if not _version_visible(th, version, scope, config):
            hidden = True
            continue
        if hidden:
            gaps.append(len(versions))
            # what changed since a hidden version would tell what that version held
            version = replace(version, changed=frozenset(version.fields))
        versions.append(_scoped_version(version, scope))
        hidden = False
    if hidden:
        gaps.append(len(versions))
    return TicketHistory(th.id, th.kind, versions, th.deleted, tuple(gaps))


def _scoped_version(version: Version, scope: Scope) -> Version:
    if scope.internal:
        return version
    # Commit subjects and author names are free text written for the team, not the client.
    commit = replace(version.commit, author="", subject="", author_email="")
    return Version(commit, version.path, strip_fields(version.fields, scope), version.changed - PRIVATE_FIELDS)
