"""Rendered ticket pages kept between builds: a page's Markdown is a pure function of its view inputs.

Rendering a ticket page (Jinja, plus the ticket's own Markdown through
``markdown_html``) is most of the site core's time, and a one-ticket change
leaves every other page's inputs as they were. Each ticket page is keyed on a
digest of exactly what its template reads: the ticket (fields and body), its
timeline, its SLA clock lines, its start and resolution times, the linked
records it shows (their titles and statuses), its internal notes or facts,
the page path and template, and, once per build, the site-wide inputs
(gitdesk.yml, which carries the language and time zone; the scope, so one
audience's page is never another's; ``directory_urls``) and a salt the caller
gives (gitdesk's code and library versions, for a cache kept on disk).

``now`` is not part of the key as such: whatever a page shows of it (a
running clock's elapsed time, a hidden-history line) is in the computed
views that are. The one line every page carries that changes with each commit
and each ``now``, the footer, is left out: the cache keeps the text before
and after it, and a kept page gets this build's footer.

This module does no I/O: :meth:`RenderCache.dump` and :meth:`RenderCache.load`
turn it into bytes and back; the adapters decide where they live (memory for
``serve``, the Git dir for ``build``).

``serve`` also keeps the stable incidents' SLA parts between rebuilds
(:class:`SlaParts`), under the same rules as the SLA cache
(:mod:`gitdesk.sla.cache`): an incident's evidence key, and a part only once
it is stable. They are kept per config and scope: a client site's figures
are computed from its scoped view, and no part crosses audiences.
"""

from __future__ import annotations

import hashlib
import marshal
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from gitdesk.config import Config
from gitdesk.history import History, TicketHistory
from gitdesk.model import Ticket
from gitdesk.sla import SlaReport
from gitdesk.sla.cache import evidence_key
from gitdesk.sla.engine import Part, compute_rows

_FORMAT = 1


def digest(*parts: object) -> str | None:
    """A digest of ``parts`` by their ``repr``; None when one has no stable text (an object address), so no key."""
    text = repr(parts)
    if " at 0x" in text:
        return None
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


@dataclass
class RenderCache:
    """Ticket pages' Markdown by key, split around the footer; what one build used is what the next one sees."""

    #: what every key of this cache depends on besides the page (gitdesk's code, library versions)
    salt: str = ""
    #: key -> (text before the footer, text after it), as the last finished build left them
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: the pages of the build under way
    fresh: dict[str, tuple[str, str]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    #: stable SLA parts between rebuilds (serve); None computes every incident's
    parts: SlaParts | None = None

    def begin(self) -> None:
        """A new build: count again; pages it does not use are dropped when it finishes."""
        self.fresh = {}
        self.hits = self.misses = 0

    def key(self, *parts: object) -> str | None:
        """The key of a page rendered from ``parts``; None when they cannot be keyed (the page is always rendered)."""
        return digest(self.salt, *parts)

    def get(self, key: str, footer: str) -> str | None:
        """The page kept under ``key`` with this build's ``footer``, or None."""
        found = self.fresh.get(key) or self.texts.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self.fresh[key] = found
        return found[0] + footer + found[1]

    def put(self, key: str, text: str, footer: str) -> None:
        """Keep ``text`` under ``key``; a page whose footer is not where expected is not kept."""
        at = text.rfind(footer)
        if footer and at >= 0:
            self.fresh[key] = (text[:at], text[at + len(footer):])

    def finish(self) -> None:
        """The build succeeded: its pages are the ones the next build may keep."""
        self.texts, self.fresh = self.fresh, {}

    def dump(self) -> bytes:
        return marshal.dumps((_FORMAT, self.salt, self.texts))

    @classmethod
    def load(cls, raw: bytes | None, *, salt: str) -> RenderCache:
        """The cache in ``raw``, or an empty one when it is missing, unreadable or made with another salt."""
        try:
            form, old_salt, texts = marshal.loads(raw) if raw else (None, None, None)
        except (EOFError, ValueError, TypeError):
            return cls(salt)
        if form != _FORMAT or old_salt != salt or not isinstance(texts, dict):
            return cls(salt)
        return cls(salt, texts)


class SlaParts:
    """Stable incidents' SLA parts, in memory, per config and scope: a rebuild computes only the others."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[bytes, Part]] = {}

    def compute(self, *, scope: object) -> Callable[..., SlaReport]:
        """A ``compute`` for :func:`gitdesk.site.scoped_report` that reuses the parts kept for this config and ``scope``."""
        def run(tickets: list[Ticket], history: History, config: Config, *, now: datetime, **window: Any) -> SlaReport:
            salt = digest(config, scope, window.get("client")) or ""

            def kept(ticket: Ticket | None, found: TicketHistory, at: datetime) -> Part | None:
                entry = self.entries.get((salt, found.id)) if salt else None
                if entry is None or entry[1].horizon > at.timestamp() or not entry[0] or entry[0] != evidence_key(ticket, found):
                    return None
                return entry[1]

            report, rows = compute_rows(tickets, history, config, now=now, parts=kept, **window)
            # one file per id (two files with one id are judged each time), and only stable parts: as the SLA cache keeps them
            seen = Counter(found.id for _, found, _ in rows)
            self.entries = {(salt, found.id): (evidence_key(ticket, found), part) for ticket, found, part in rows
                            if salt and part is not None and part.stable and seen[found.id] == 1}
            return report
        return run
