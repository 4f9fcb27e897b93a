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

The stable incidents' SLA parts are kept too (:class:`SlaParts`; in memory
for ``serve``, in the same file as the pages for ``build``), under the same
rules as the SLA cache (:mod:`gitdesk.sla.cache`): an incident's evidence
key, and a part only once it is stable. They are kept per config, scope and
client: a client site's figures are computed from its scoped view, and no
part crosses audiences. On disk they are plain values (:func:`pack_part`),
never pickles, and an entry of any other shape is computed again.
"""

from __future__ import annotations

import dataclasses
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
from gitdesk.sla.cache import Unpacker, evidence_key, pack_part, unpack_part
from gitdesk.sla.engine import Part, compute_rows

_FORMAT = 2


def digest(*parts: object) -> str | None:
    """A digest of ``parts`` by their ``repr``, the same in every process; None when one has no stable text (an object address)."""
    # Dataclasses (the config, the scope) may hold sets, whose order changes with each process's hash seed.
    text = repr(tuple(_canonical(p) if dataclasses.is_dataclass(p) else p for p in parts))
    if " at 0x" in text:
        return None
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def _canonical(value: object) -> object:
    """``value`` with every set sorted (by ``repr``) and every dataclass spelled out as its name and fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__, *((f.name, _canonical(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, *sorted((_canonical(v) for v in value), key=repr))
    if isinstance(value, (list, tuple)):
        return type(value)(_canonical(v) for v in value) if type(value) in (list, tuple) else value
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


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
    #: stable SLA parts between builds (a loaded cache has them); None computes every incident's
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
        """The pages and SLA parts the last finished build used, as bytes for :meth:`load`."""
        return marshal.dumps((_FORMAT, self.salt, self.texts, self.parts.dump() if self.parts is not None else []))

    @classmethod
    def load(cls, raw: bytes | None, *, salt: str) -> RenderCache:
        """The cache in ``raw`` with its SLA parts, or an empty one when it is missing, unreadable or made with another salt."""
        try:
            form, old_salt, texts, parts = marshal.loads(raw) if raw else (None, None, None, None)
        except (EOFError, ValueError, TypeError):
            return cls(salt, parts=SlaParts())
        if form != _FORMAT or old_salt != salt or not isinstance(texts, dict):
            return cls(salt, parts=SlaParts())
        return cls(salt, texts, parts=SlaParts.load(parts))


class SlaParts:
    """Stable incidents' SLA parts per config, scope and client: a rebuild computes only the others."""

    def __init__(self) -> None:
        #: (digest of config, scope and client, incident id) -> (its evidence key, its part)
        self.entries: dict[tuple[str, str], tuple[bytes, Part]] = {}

    def dump(self) -> list[tuple[str, str, bytes, tuple[Any, ...]]]:
        """The entries as plain values (:func:`gitdesk.sla.cache.pack_part`) for :meth:`load`; a part marshal cannot write is left out."""
        out = []
        for (salt, part_id), (key, part) in self.entries.items():
            try:
                packed = part.kept[1] if part.kept is not None else pack_part(part)
            except ValueError:  # a value marshal cannot write: that part is computed again next time
                continue
            out.append((salt, part_id, key, packed))
        return out

    @classmethod
    def load(cls, data: object) -> SlaParts:
        """The parts :meth:`dump` gave ``data``; an entry of any other shape is left out (computed again), never an error."""
        parts = cls()
        unpack = Unpacker()
        for entry in data if isinstance(data, list) else ():
            try:
                salt, part_id, key, packed = entry
                part = unpack_part(packed, unpack)
                # rebuilt now (every site shows every part's clocks): a garbled entry is dropped here, not mid-build
                sla_id = part.sla.id
            except (EOFError, ValueError, TypeError, OverflowError):
                continue
            if isinstance(salt, str) and isinstance(key, bytes) and key and part_id == part.id == sla_id and _well_formed(part):
                part.kept = (key, packed)
                parts.entries[salt, part_id] = (key, part)
        return parts

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


def _well_formed(part: Part) -> bool:
    """Whether a part read back has the types a computed one has (what the report's summaries do arithmetic on)."""
    def number(value: object) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return (isinstance(part.id, str) and isinstance(part.client, (str, type(None))) and isinstance(part.deleted, bool)
            and (part.started is None or number(part.started)) and number(part.horizon)
            and isinstance(part.facts, tuple) and isinstance(part.month, (str, type(None)))
            and isinstance(part.outage, (tuple, type(None))) and isinstance(part.escalations, list)
            and isinstance(part.cached_fragment, (bytes, type(None))))
