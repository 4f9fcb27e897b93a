"""The load cache: parsed and checked ticket files, keyed by each file's stat, in ``.gitdesk-cache/``.

A file whose (size, mtime, ctime, inode) are what they were when it was parsed
gives back the same Ticket and Diagnostics without being read again: a warm
``gitdesk sla`` on 10,000 tickets then costs a stat per file instead of a
parse and a schema check per file.

The folder sits in the working tree, where a pushed commit could put a forged
cache. So the file is signed (HMAC-SHA256) with a key kept in the Git dir,
which no push can write; a cache without a valid signature, from another
gitdesk, Python, loader or schema, is ignored and the files are parsed again.
Entries for files modified in the last seconds before the load are not kept:
a same-size rewrite within the file system's timestamp granularity would
otherwise look unchanged (Git's "racily clean" index entries).
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import marshal
import os
import secrets
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitdesk.model import Diagnostic, DiagnosticLevel, Kind, Position, Ticket

_FORMAT = 1
CACHE_DIR = ".gitdesk-cache"
_RACY_NS = 2_000_000_000

#: (size, mtime_ns, ctime_ns, inode)
Stamp = tuple[int, int, int, int]
Loaded = tuple[Ticket | None, list[Diagnostic]]


def stamp(root: Path, rel: str) -> Stamp | None:
    """The stat fields that change whenever a file's content does; None if it cannot be stat'ed."""
    try:
        st = os.lstat(f"{root}/{rel}")  # not root / rel: pathlib's parsing costs more than the stat, 10,000 times
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _loader_hash() -> str:
    """What decides a file's Ticket and Diagnostics besides its bytes: the loader's code and schemas."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*here.glob("*.py"), *(here / "schemas").glob("*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in ("model.py", "__init__.py"):  # Ticket/Diagnostic shapes, the package version
        digest.update((here.parent / name).read_bytes())
    return digest.hexdigest()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # slow to import: only a load needs it

    try:
        return version("gitdesk")
    except PackageNotFoundError:
        return "0+unknown"


def git_dir(repo: Path) -> Path | None:
    """The Git dir of the work tree rooted at ``repo`` (a worktree's too); None when ``repo`` is not one's root."""
    dot = repo / ".git"
    if dot.is_dir():
        return dot
    try:
        text = dot.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text[len("gitdir:"):].strip())
    return target if target.is_absolute() else (repo / target).resolve()


def _key(repo: Path, *, create: bool) -> bytes | None:
    found = git_dir(repo)
    if found is None:
        return None
    path = found / "gitdesk" / "load-cache.key"
    try:
        return path.read_bytes()
    except OSError:
        if not create:
            return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        os.replace(tmp, path)
        return path.read_bytes()
    except OSError:
        return None


def dump_loaded(loaded: Loaded) -> tuple[Any, ...]:
    ticket, diagnostics = loaded
    diags = [(d.file, d.line, d.column, d.code, d.message, d.level.value) for d in diagnostics]
    if ticket is None:
        return None, diags
    t = ticket
    return (t.kind.value, t.id, t.path, t.fields, t.body, {k: (p.line, p.column) for k, p in t.positions.items()},
            t.body_line), diags


def restore_loaded(data: tuple[Any, ...]) -> Loaded:
    raw, diags = data
    diagnostics = [Diagnostic(f, line, col, code, msg, DiagnosticLevel(level)) for f, line, col, code, msg, level in diags]
    if raw is None:
        return None, diagnostics
    kind, ticket_id, path, fields, body, positions, body_line = raw
    return Ticket(Kind(kind), ticket_id, path, fields, body, {k: Position(*p) for k, p in positions.items()}, body_line), diagnostics


@dataclass
class LoadCache:
    """Entries read from disk, and the ones this run will write back."""

    repo: Path
    key: tuple[Any, ...]
    entries: dict[str, tuple[Stamp, tuple[Any, ...]]] = field(default_factory=dict)
    started_ns: int = field(default_factory=time.time_ns)
    fresh: dict[str, tuple[Stamp, tuple[Any, ...]]] = field(default_factory=dict)

    def get(self, rel: str, at: Stamp | None) -> Loaded | None:
        """The cached result for ``rel`` if its stat is still ``at``."""
        entry = self.entries.get(rel)
        if entry is None or at is None or entry[0] != at:
            return None
        self.fresh[rel] = entry
        return restore_loaded(entry[1])

    def get_all(self, paths: list[str], stamps: list[Stamp | None]) -> list[Loaded | None]:
        """:meth:`get` for each path, None where the file must be parsed again."""
        enabled = gc.isenabled()
        gc.disable()  # 10,000 tickets built from cached data all live on: the cyclic GC would only rescan them
        try:
            return [self.get(rel, at) for rel, at in zip(paths, stamps)]
        finally:
            if enabled:
                gc.enable()

    def put(self, rel: str, at: Stamp | None, loaded: Loaded) -> None:
        """Remember a freshly parsed file (not one changed too recently to trust its stat)."""
        if at is not None and at[1] < self.started_ns - _RACY_NS:
            self.fresh[rel] = (at, dump_loaded(loaded))

    def save(self) -> None:
        """Write the entries of this run (files gone since are dropped), atomically and signed."""
        write_signed(self.repo, "load.cache", {"key": self.key, "entries": self.fresh})


def write_signed(repo: Path, name: str, data: Any) -> None:
    """Write ``data`` (plain values, see :mod:`marshal`) to ``.gitdesk-cache/name``, atomically, signed with the repo's key.

    Silently does nothing where it cannot write: a read-only checkout still
    gets correct results, only slower.
    """
    secret = _key(repo, create=True)
    if secret is None:
        return
    try:
        body = marshal.dumps(data)
        folder = repo / CACHE_DIR
        folder.mkdir(exist_ok=True)
        path = folder / name
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(hmac.digest(secret, body, "sha256") + body)
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass  # a read-only checkout (or an unmarshallable field) still loads correctly, only slower


def read_signed(repo: Path, name: str) -> Any:
    """What :func:`write_signed` wrote to ``.gitdesk-cache/name``; None when absent, unsigned or signed with another key.

    The folder is in the working tree, where a push could put a forged file:
    only this repo's key (in its Git dir, which no push writes) makes it count.
    """
    secret = _key(repo, create=False)
    if secret is None:
        return None
    try:
        raw = (repo / CACHE_DIR / name).read_bytes()
        if not hmac.compare_digest(raw[:32], hmac.digest(secret, raw[32:], "sha256")):
            return None
        return marshal.loads(raw[32:])
    except (OSError, EOFError, ValueError, TypeError):
        return None


def open_cache(repo: Path) -> LoadCache:
    """The load cache of ``repo``: its entries when the file is signed with this repo's key and from this loader."""
    key = (_FORMAT, _version(), sys.version_info[:2], _loader_hash())
    cache = LoadCache(repo, key)
    data = read_signed(repo, "load.cache")
    if isinstance(data, dict) and data.get("key") == key and isinstance(data.get("entries"), dict):
        cache.entries = data["entries"]
    return cache


def tree_stamp(repo: Path, folders: list[str]) -> bytes | None:
    """A digest of every entry's path, type and stat under ``folders`` of ``repo``; None if one changed too recently.

    Equal digests mean no ticket file was added, removed, renamed or written
    since (what the SLA snapshot needs to skip loading altogether). One
    ``scandir`` walk: about 10,000 files in a few hundredths of a second.
    A file written in the last seconds gives None, as :meth:`LoadCache.put`
    refuses to trust its stat.
    """
    digest = hashlib.sha256()
    recent = time.time_ns() - _RACY_NS
    todo = [f"{repo}/{folder}" for folder in folders]
    stamps: list[tuple[Any, ...]] = []
    for top in todo:  # a folder swapped for a symbolic link changes the digest too
        try:
            st = os.lstat(top)
            digest.update(f"{top}\0{st.st_mode}\0{st.st_ino}\n".encode())
        except FileNotFoundError:
            digest.update(f"{top}\0-\n".encode())
        except OSError:
            return None
    while todo:
        folder = todo.pop()
        try:  # unsorted: an unchanged folder lists in the same order, and a new order only costs a cold run
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            digest.update(f"{folder}\0-\n".encode())
            continue
        except OSError:
            return None
        stamps.append((folder, len(entries)))
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                return None
            if st.st_mtime_ns > recent:  # as LoadCache.put: a write changes mtime, and ctime is in the stamp
                return None
            stamps.append((entry.name, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
            if stat.S_ISDIR(st.st_mode):
                todo.append(entry.path)
    digest.update(marshal.dumps(stamps))
    return digest.digest()
