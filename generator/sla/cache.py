"""The SLA cache: each incident's part of the report, and a snapshot for runs where nothing changed.

``.gitdesk-cache/sla.cache`` keeps, per incident, the stable
:class:`~gitdesk.sla.engine.Part` of the last run (its clocks, statistics
facts, outage and JSON entry) under the incident's *evidence key*: the
commits and paths of its landed versions (so its blobs), their landed times
and witness marks, its deletion and its working-tree path and
``breach_reason``. The whole file is keyed by the gitdesk code, the Python
version, ``gitdesk.yml`` (policy, calendars, time zone) and ``--client``:
another config or policy is never reused. Parts whose clocks still run are
computed again at ``now``.

The file also holds a *snapshot* for the everyday case: when the branch's
refs, the working tree's ticket files and ``gitdesk.yml`` are exactly what
they were (no new commit, no edited file), ``gitdesk sla`` reads neither the
history nor the tickets: it takes the stable parts as they are, recomputes the
running ones from the few histories kept with them, and only the summaries
that depend on ``now`` (windows, uptime, runbooks) are worked out again. The
report is the same as a cold run's, byte for byte.

The folder is in the working tree, so the file is signed like the load
cache (:func:`gitdesk.load.cache.write_signed`); a forged or foreign file is
ignored.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import pickle
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import orjson

from gitdesk.config import CONFIG_FILE, Config
from gitdesk.history import Commit, TicketHistory
from gitdesk.history.cache import dump_histories, load_histories, refs_stamp
from gitdesk.history.git import WITNESS_NOTES
from gitdesk.history.model import Anomaly
from gitdesk.load.cache import dump_loaded, git_dir, read_signed, restore_loaded, tree_stamp, write_signed
from gitdesk.model import Kind, Ticket
from gitdesk.sla.clocks import NOT_APPLICABLE, Clock, ClockState, Evidence, TargetName, TicketSla
from gitdesk.sla.engine import Part, Row, SlaReport, assemble, incident_part, lazy_calendars

_FORMAT = 2
FILE = "sla.cache"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)
#: the working-tree folders ticket files live in (what the snapshot stamps)
_FOLDERS = sorted({kind.folder.split("/")[0] for kind in Kind})


def _code_hash() -> str:
    """What decides a report besides its inputs: the code of the stages it runs through."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*package.glob("*.py"), *package.glob("sla/*.py"), *package.glob("history/*.py"),
                        *package.glob("load/*.py")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def libraries() -> tuple[Any, ...]:
    """The libraries whose upgrade could change a report: holidays (calendars) by its files' stat, orjson (the text)."""
    spec = importlib.util.find_spec("holidays")  # found, not imported: importing it costs a tenth of a second
    try:
        st = os.stat(spec.origin) if spec is not None and spec.origin else None
    except OSError:
        st = None
    return (st.st_mtime_ns, st.st_size, st.st_ino) if st else None, orjson.__version__


def _config_digest(repo: Path) -> str | None:
    try:
        return hashlib.sha256((repo / CONFIG_FILE).read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class Fingerprint:
    """The inputs a snapshot stands for: branch refs, ticket files and gitdesk.yml (None: not known to be unchanged)."""

    refs: tuple[Any, ...] | None
    tree: bytes | None
    config: str | None

    @property
    def usable(self) -> bool:
        return self.refs is not None and self.tree is not None and self.config is not None

    def data(self) -> tuple[Any, ...]:
        return self.refs, self.tree, self.config


def fingerprint(repo: Path, branch: str) -> Fingerprint:
    """The current :class:`Fingerprint` of ``repo``; take it *before* reading, so a change during the run shows next time."""
    found = git_dir(repo)
    refs = refs_stamp(found, (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}", WITNESS_NOTES)) if found else None
    return Fingerprint(refs, tree_stamp(repo, _FOLDERS), _config_digest(repo))


# --- plain data for marshal -------------------------------------------------------------


def _pack_time(when: datetime | None) -> tuple[int, int] | None:
    if when is None:
        return None
    offset = when.utcoffset()
    return (when - _EPOCH) // _US, int(offset.total_seconds()) if offset is not None else 0


class Unpacker:
    """Rebuilds datetimes (one tzinfo per offset) and clocks; one per store read."""

    def __init__(self) -> None:
        self._zones: dict[int, timezone] = {}

    def time(self, packed: tuple[int, int] | None) -> datetime | None:
        if packed is None:
            return None
        micros, offset = packed
        zone = self._zones.get(offset)
        if zone is None:
            zone = self._zones[offset] = timezone(timedelta(seconds=offset))
        return (_EPOCH + micros * _US).astimezone(zone)

    def clock(self, packed: tuple[Any, ...] | None) -> Clock:
        if packed is None:
            return NOT_APPLICABLE
        state, target, elapsed, started, stopped, breached, ever, cycles, at_risk, calendar, total, due, evidence, witnessed, breach = packed
        return Clock(ClockState(state), target, elapsed, self.time(started), self.time(stopped), breached, ever, cycles, at_risk,
                     calendar, total, self.time(due), Evidence(evidence), witnessed, self.time(breach))

    def sla(self, packed: tuple[Any, ...]) -> TicketSla:
        ticket_id, severity, status, client, clocks, started, path, reason, title, deleted = packed
        gone = None
        if deleted is not None:
            sha, landed, authored, author, subject, email, witnessed = deleted
            gone = Commit(sha, self.time(landed), self.time(authored), author, subject, email, witnessed)  # type: ignore[arg-type]
        return TicketSla(ticket_id, severity, status, client, {name: self.clock(c) for name, c in zip(TargetName, clocks)},
                         self.time(started), path, reason, title, gone)


def _pack_clock(c: Clock) -> tuple[Any, ...] | None:
    if not c.applicable:
        return None
    return (c.state.value, c.target_seconds, c.elapsed_seconds, _pack_time(c.started_at), _pack_time(c.stopped_at), c.breached,
            c.ever_breached, c.cycles, c.at_risk, c.calendar, c.total_elapsed_seconds, _pack_time(c.due_at), c.evidence.value,
            c.witnessed, _pack_time(c.breach_started_at))


def _pack_sla(t: TicketSla) -> tuple[Any, ...]:
    d = t.deleted
    deleted = None if d is None else (d.sha, _pack_time(d.landed_at), _pack_time(d.authored_at), d.author, d.subject,
                                      d.author_email, d.witnessed)
    return (t.id, t.severity, t.status, t.client, [_pack_clock(t.targets[name]) for name in TargetName],
            _pack_time(t.started_at), t.path, t.breach_reason, t.title, deleted)


def pack_part(part: Part) -> tuple[Any, ...]:
    """A stable ``part`` as plain values :mod:`marshal` writes (:func:`unpack_part` turns it back)."""
    # the TicketSla is a marshal blob of its own: a warm JSON report never rebuilds it, so never unpacks it
    return (part.id, part.client, part.started, part.deleted, part.facts, part.month, part.outage, part.escalations,
            part.horizon, marshal.dumps(_pack_sla(part.sla)), part.cached_fragment)


def unpack_part(packed: tuple[Any, ...], unpack: Unpacker) -> Part:
    """The stable part :func:`pack_part` gave ``packed`` for; its clocks are rebuilt on first use."""
    part_id, client, started, deleted, facts, month, outage, escalations, horizon, sla, fragment = packed
    return Part(id=part_id, client=client, started=started, deleted=deleted, facts=facts, month=month, outage=outage,
                escalations=escalations, horizon=horizon, stable=True, restore=lambda: unpack.sla(marshal.loads(sla)),
                fragment=fragment)


def evidence_key(ticket: Ticket | None, found: TicketHistory) -> bytes:
    """A digest of what an incident's part is computed from besides config and ``now``: its landings and its file.

    The landings are each version's commit and path (so its blob), landed time
    and witness mark, and the deleting commit; the file gives the path and
    ``breach_reason`` the report shows.
    """
    deleted = found.deleted
    key = (ticket.path if ticket is not None else None, ticket.get("breach_reason") if ticket is not None else None,
           [(v.commit.sha, v.path, v.commit.landed_at.timestamp(), v.commit.witnessed) for v in found.versions],
           (deleted.sha, deleted.landed_at.timestamp()) if deleted is not None else None)
    try:
        return hashlib.blake2b(marshal.dumps(key), digest_size=20).digest()
    except ValueError:  # a breach_reason YAML gave as something marshal cannot write: never matches
        return b""


# --- the store ----------------------------------------------------------------------------


@dataclass
class SlaCache:
    """The parts of the last run for this config and client, and its snapshot."""

    repo: Path
    key: tuple[Any, ...]
    entries: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    snapshot: dict[str, Any] | None = None
    _unpack: Unpacker = field(default_factory=Unpacker)

    def part(self, ticket: Ticket | None, found: TicketHistory, now: datetime) -> Part | None:
        """The cached part of ``found`` when its evidence is unchanged and it was already stable at ``now``; else None."""
        entry = self.entries.get(found.id)
        if entry is None or entry[1][8] > now.timestamp() or not entry[0] or entry[0] != evidence_key(ticket, found):
            return None
        part = unpack_part(entry[1], self._unpack)
        part.kept = entry
        return part

    def warm_report(self, config: Config, now: datetime, current: Fingerprint, *, client: str | None,
                    since: datetime | None, until: datetime | None) -> SlaReport | None:
        """The report from the snapshot alone, when ``current`` is the snapshot's fingerprint; None when it cannot be used.

        ``config`` must be the snapshot's (:meth:`config`).
        """
        snap = self.snapshot
        if snap is None or not current.usable or snap["fingerprint"] != current.data():
            return None
        zone = ZoneInfo(config.timezone)
        calendars = lazy_calendars(config)
        declared_before = config.policy_for(client).since
        live = iter(zip(load_histories(*snap["live"]), snap["live_files"]))
        parts: list[Part | None] = []
        at = now.timestamp()
        for part_id in snap["order"]:
            if part_id:
                packed = self.entries[part_id][1]
                if packed[8] > at:
                    return None  # a --now before some landings: that part must be judged from its history
                parts.append(unpack_part(packed, self._unpack))
            else:
                found, packed = next(live)
                ticket = restore_loaded(packed)[0] if packed is not None else None
                parts.append(incident_part(ticket, found, config, calendars, now, zone=zone, since=declared_before))
        unpack = self._unpack
        return assemble(parts, list(load_histories(*snap["maintenance"])), list(load_histories(*snap["backlog"])),
                        [t for t in (restore_loaded(r)[0] for r in snap["runbooks"]) if t is not None], config, now=now,
                        client=client, since=since, until=until, anomalies=[Anomaly(*a) for a in snap["anomalies"]],
                        first_day=unpack.time(snap["first_day"]))

    def config(self) -> Config | None:
        """The snapshot's config (what gitdesk.yml gave when the snapshot was written)."""
        if self.snapshot is None:
            return None
        loaded = pickle.loads(self.snapshot["config"])  # signed by this repo's key: written by gitdesk, not by a push
        return loaded if isinstance(loaded, Config) else None

    def save(self, rows: list[Row], *, config: Config, maintenance: Iterable[TicketHistory], backlog: Iterable[TicketHistory],
             runbooks: Iterable[Ticket], anomalies: Iterable[Anomaly], first_day: datetime | None, before: Fingerprint) -> None:
        """Keep this run's stable parts, and a snapshot of the run when ``before`` (taken before reading) is usable."""
        if _config_digest(self.repo) != self.key[3]:
            return  # gitdesk.yml changed during the run: these parts may be from either text
        entries: dict[str, tuple[Any, ...]] = {}
        order: list[str | None] = []
        live: list[TicketHistory] = []
        files = []
        seen = Counter(found.id for _, found, _ in rows)
        for ticket, found, part in rows:
            # two files with one id (before `renumber`) are two rows of one history: kept whole, judged each time
            if part is not None and part.stable and seen[found.id] == 1:
                entries[found.id] = part.kept or (evidence_key(ticket, found), pack_part(part))
                order.append(found.id)
            else:
                order.append(None)
                live.append(found)
                files.append(dump_loaded((ticket, [])) if ticket is not None else None)
        data: dict[str, Any] = {"key": self.key, "entries": entries, "snapshot": None}
        if before.usable:
            data["snapshot"] = {
                "fingerprint": before.data(), "order": order, "live": dump_histories(live),
                "live_files": files, "maintenance": dump_histories(maintenance), "backlog": dump_histories(backlog),
                "runbooks": [dump_loaded((t, [])) for t in runbooks], "first_day": _pack_time(first_day),
                "anomalies": [(a.sha, a.kind, a.message, a.path) for a in anomalies], "config": pickle.dumps(config),
            }
        write_signed(self.repo, FILE, data)


def open_cache(repo: Path, *, client: str | None) -> SlaCache:
    """``repo``'s SLA cache for ``client``: empty unless signed with this repo's key, by this gitdesk, for this gitdesk.yml."""
    key = (_FORMAT, sys.version_info[:2], _code_hash(), _config_digest(repo), client, libraries())
    cache = SlaCache(repo, key)
    data = read_signed(repo, FILE)
    if isinstance(data, dict) and data.get("key") == key:
        cache.entries = data["entries"]
        cache.snapshot = data["snapshot"]
    return cache
