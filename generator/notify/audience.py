"""Who hears what: the channels of gitdesk.yml and the site's scope rules, applied per version.

A client's channels get exactly what that client's site would show: the
decision is the site's own :func:`gitdesk.site.scope.visible`, called through
:func:`version_visible` only, so notifications follow the site whenever its
scoping rules change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from gitdesk.config import Config
from gitdesk.history import TicketHistory, Version
from gitdesk.notify.events import Event, Sees, as_ticket
from gitdesk.site.scope import Audience, Scope, scope_for, strip_fields, visible


def version_visible(ticket: TicketHistory, version: Version, scope: Scope, config: Config) -> bool:
    """Whether ``scope``'s site shows this version of ``ticket``: the one call into the site's scope code."""
    return visible(as_ticket(ticket, version), scope, config)


@dataclass(frozen=True)
class Channel:
    """One Apprise URL of gitdesk.yml and the audience it serves."""

    #: where it is written, e.g. ``clients[0].notify[1]`` or ``notify[0]``
    where: str
    #: the URL as written, ``${VAR}`` placeholders unexpanded (never a secret)
    template: str
    scope: Scope

    @property
    def audience_name(self) -> str:
        """For whom, in words: the client's name, or the internal audience."""
        return self.scope.client.name if self.scope.client else ""

    @property
    def id(self) -> str:
        """A stable name for the delivery log: the audience and the URL as written (not its secrets)."""
        who = self.scope.client_id or Audience.INTERNAL.value
        return hashlib.sha256(f"{who}\n{self.template}".encode("utf-8")).hexdigest()[:16]

    def sees(self, config: Config) -> Sees:
        """This channel's audience's view of a version, for :mod:`gitdesk.notify.events`."""
        return lambda ticket, version: version_visible(ticket, version, self.scope, config)

    def scoped(self, event: Event) -> Event:
        """``event`` without the fields this audience may not see."""
        return replace(event, ticket=replace(event.ticket, fields=strip_fields(event.ticket.fields, self.scope)))


def channels(config: Config) -> list[Channel]:
    """Every channel of gitdesk.yml: each client's ``notify`` URLs (client audience), then the top-level ones (internal)."""
    out: list[Channel] = []
    for index, client in enumerate(config.clients):
        scope = scope_for(config, Audience.CLIENT, client.id)
        out.extend(Channel(f"clients[{index}].notify[{n}]", url, scope) for n, url in enumerate(client.notify))
    internal = scope_for(config, Audience.INTERNAL, None)
    out.extend(Channel(f"notify[{n}]", url, internal) for n, url in enumerate(config.notify))
    return out
