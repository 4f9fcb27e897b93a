"""Stage 1: files on disk (or blobs from history) into Tickets and Diagnostics.

Ticket content is untrusted. This module refuses symlinks, paths that leave the
repo, files over :data:`MAX_FILE_BYTES`, non-UTF-8 bytes, empty files, broken
or non-mapping front matter, YAML anchors/aliases, and control characters
(other than tab and newline) in any field or the body. Every refusal is a
:class:`~gitdesk.model.Diagnostic`; one bad file never stops the others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, cast

from gitdesk.load import cache, schema, yamlsafe
from gitdesk.load.cache import Loaded
from gitdesk.model import Diagnostic, DiagnosticLevel, Kind, Position, Ticket, parse_time

MAX_FILE_BYTES = 1024 * 1024
#: below this many files a process pool costs more than it saves
PARALLEL_THRESHOLD = 1500
TICKET_SUFFIXES = (".md", ".yaml", ".yml")
_SKIP_NAMES = frozenset({"README.md", "index.md"})
_TIMESTAMP_FIELDS = ("reported_at", "started_at", "starts_at", "ends_at")

#: (folder parts, kind), most specific first.
_KIND_FOLDERS: tuple[tuple[tuple[str, ...], Kind], ...] = tuple(
    (tuple(kind.folder.split("/")), kind) for kind in Kind
)


@dataclass
class LoadResult:
    """Everything loaded from a tree: good tickets and what was wrong with the rest."""

    tickets: list[Ticket] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0


class DocumentError(Exception):
    """A file that cannot be read as a ticket; line/column are 1-based."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Document:
    """A parsed ticket file: its fields, body and where each top-level key is written."""

    fields: dict[str, Any]
    body: str
    positions: dict[str, Position]
    body_line: int


#: repo-relative path -> bytes of a version of that file and their :func:`parse_document` (what the
#: history walk read; ``load_repo(landed=...)`` parses a file holding exactly those bytes no more)
LandedFiles = dict[str, tuple[bytes, Document]]


def kind_for_path(path: str) -> Kind | None:
    """The kind of ticket a repo-relative path holds, or None if it is not a ticket file."""
    # Plain string work: this runs for every file of every commit the history walk sees.
    folder, _, name = path.rpartition("/")
    if not name.endswith(TICKET_SUFFIXES) or name in _SKIP_NAMES or name[0] in "._":
        return None
    parts = tuple(folder.split("/")) if folder else ()
    for prefix, kind in _KIND_FOLDERS:
        if parts[: len(prefix)] == prefix:
            if kind is not Kind.INCIDENT and len(parts) != len(prefix):
                return None  # only incidents are sharded into sub-folders
            return kind
    return None


def parse_document(data: bytes, path: str) -> Document:
    """Parse a ticket file's bytes (Markdown with front matter, or YAML).

    Raises :class:`DocumentError` for anything that is not a safe, well-formed ticket.
    """
    if len(data) > MAX_FILE_BYTES:
        raise DocumentError("GD001", f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} (split it or move attachments out)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DocumentError("GD002", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", line, column) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise DocumentError("GD002", "file contains NUL bytes; it does not look like text")
    if (control := yamlsafe.find_control(text)) is not None:  # written raw, in the fields or the body
        char, line, column = control
        raise DocumentError("GD015", yamlsafe.control_message(char, "this line"), line + 1, column + 1)
    if not text.strip():
        raise DocumentError("GD003", "file is empty; a ticket needs at least its required fields")
    if path.endswith(".md"):
        front, body, offset, body_line = _split_front_matter(text)
    else:
        front, body, offset, body_line = text, "", 0, 1
    try:
        loaded = yamlsafe.load(front)
    except yamlsafe.YamlError as exc:
        raise DocumentError(exc.code, exc.message, exc.line + 1 + offset, exc.column + 1) from None
    if not isinstance(loaded.value, dict):
        what = "empty" if loaded.value is None else f"a {type(loaded.value).__name__}"
        raise DocumentError("GD004", f"front matter must be a mapping of fields, not {what}", 1 + offset, 1)
    fields: dict[str, Any] = {str(k): v for k, v in loaded.value.items()}
    positions = {k: _position(line + 1 + offset, col + 1) for k, (line, col) in loaded.key_positions.items()}
    if not path.endswith(".md") and isinstance(fields.get("description"), str):
        body = fields["description"]
    return Document(fields, body, positions, body_line)


#: positions are frozen and repeat in every file: shared, not built per key (half a million in a history walk)
_POSITIONS: dict[tuple[int, int], Position] = {}


def _position(line: int, column: int) -> Position:
    found = _POSITIONS.get((line, column))
    if found is None:
        found = Position(line, column)
        if len(_POSITIONS) < 65536:  # keys of one-line entries sit in the first lines: a few hundred
            _POSITIONS[(line, column)] = found
    return found


def _split_front_matter(text: str) -> tuple[str, str, int, int]:
    """Return (front matter, body, line offset of the front matter, body's first line)."""
    first, sep, rest = text.partition("\n")
    if first.rstrip() != "---":
        raise DocumentError("GD004", "no front matter: a ticket file must start with a '---' line, then YAML fields, then '---'")
    lines = rest.split("\n")
    for index, line in enumerate(lines):
        if line.rstrip() in ("---", "..."):
            front = "\n".join(lines[:index]) + "\n"
            body = "\n".join(lines[index + 1 :])
            return front, body.lstrip("\n"), 1, index + 3
    raise DocumentError("GD004", "front matter is not closed: add a '---' line after the fields", 1, 1)


def ticket_from_document(doc: Document, path: str, kind: Kind) -> tuple[Ticket | None, list[Diagnostic]]:
    """Check a parsed document against its kind's schema and build the Ticket.

    The ticket is returned even when there are schema problems as long as it has
    an id, so cross-file checks can still see it.
    """
    diagnostics: list[Diagnostic] = []
    for problem in schema.check(kind, doc.fields):
        top = str(problem.path[0]) if problem.path else None
        pos = doc.positions.get(top, Position(1, 1)) if top else Position(1, 1)
        diagnostics.append(Diagnostic(path, pos.line, pos.column, problem.code, problem.message))
    for key in _TIMESTAMP_FIELDS:
        value = doc.fields.get(key)
        if isinstance(value, str) and parse_time(value) is None and not any(d.code == "GD105" and key in d.message for d in diagnostics):
            pos = doc.positions[key]
            diagnostics.append(Diagnostic(path, pos.line, pos.column, "GD105", f"'{key}' {value!r} is not a real date and time"))
    slug = PurePosixPath(path).stem
    if kind is Kind.RUNBOOK:
        ticket_id = slug
        declared = doc.fields.get("id")
        if declared is not None and declared != slug:
            pos = doc.positions.get("id", Position(1, 1))
            diagnostics.append(Diagnostic(path, pos.line, pos.column, "GD206", f"runbook id {declared!r} must equal the file name {slug!r}"))
    else:
        raw = doc.fields.get("id")
        if not isinstance(raw, str) or not raw:
            return None, diagnostics
        ticket_id = raw
        id_ok = not any(d.code == "GD104" and "'id'" in d.message for d in diagnostics)
        if id_ok and slug != ticket_id:
            pos = doc.positions.get("id", Position(1, 1))
            diagnostics.append(Diagnostic(path, pos.line, pos.column, "GD207", f"file name {slug!r} differs from id {ticket_id!r}; rename the file to {ticket_id}{PurePosixPath(path).suffix}", DiagnosticLevel.WARNING))
    ticket = Ticket(kind, ticket_id, path, doc.fields, doc.body, doc.positions, doc.body_line)
    return ticket, diagnostics


def load_bytes(data: bytes, path: str, kind: Kind | None = None) -> tuple[Ticket | None, list[Diagnostic]]:
    """Parse and check one ticket file given its bytes and repo-relative path."""
    kind = kind or kind_for_path(path)
    if kind is None:
        return None, []
    try:
        doc = parse_document(data, path)
    except DocumentError as exc:
        return None, [Diagnostic(path, exc.line, exc.column, exc.code, exc.message)]
    return ticket_from_document(doc, path, kind)


def discover(repo: Path) -> tuple[list[str], list[Diagnostic]]:
    """Repo-relative paths of every ticket file, plus refusals (symlinks, escapes)."""
    root = repo.resolve()
    paths: list[str] = []
    refusals: list[Diagnostic] = []
    for top in sorted({kind.folder.split("/")[0] for kind in Kind}):
        base = root / top
        if base.is_symlink():
            refusals.append(_symlink(root, base))
            continue
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            current = Path(dirpath)
            for name in list(dirnames):
                if (current / name).is_symlink():
                    refusals.append(_symlink(root, current / name))
                    dirnames.remove(name)
                elif name.startswith("."):
                    dirnames.remove(name)
            dirnames.sort()
            for name in sorted(filenames):
                full = current / name
                rel = full.relative_to(root).as_posix()
                if kind_for_path(rel) is None:
                    continue
                if full.is_symlink():
                    refusals.append(_symlink(root, full))
                    continue
                paths.append(rel)
    return paths, refusals


def _symlink(root: Path, path: Path) -> Diagnostic:
    rel = path.relative_to(root).as_posix()
    return Diagnostic(rel, 1, 1, "GD005", "symbolic links are refused (they can point outside the repo); commit a real file instead")


def read_file(root: Path, rel: str) -> bytes:
    """Read a repo file safely: no symlinks, no escape from ``root``, size-capped."""
    # strings, not PurePosixPath: this runs for every ticket file, and pathlib's parsing costs more than the read
    if rel.startswith("/") or ".." in rel.split("/"):
        raise DocumentError("GD005", "path leaves the repository; refused")
    # O_NOFOLLOW refuses a symlink in the last component without a race between check and open;
    # folders were walked without following links (discover), so no component above is one.
    try:
        fd = os.open(f"{root}/{rel}", os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if (root / rel).is_symlink():
            raise DocumentError("GD005", "symbolic links are refused; commit a real file instead") from None
        raise exc
    try:
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            raise DocumentError("GD001", f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} (split it or move attachments out)")
        # to the end (or one byte past the cap) in pieces of the size fstat said: asking for the cap
        # at once would allocate 1 MiB per file, the most of a warm load's time
        chunks = []
        left = MAX_FILE_BYTES + 1
        while left > 0 and (chunk := os.read(fd, min(size + 1, left))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_paths(root: Path, paths: Iterable[str], *, landed: LandedFiles | None = None) -> LoadResult:
    """Load the given repo-relative ticket files; every problem becomes a diagnostic.

    Large trees are split across processes (parsing is CPU-bound and per file);
    the result is the same as a serial load, in the same order. ``landed``: see
    :func:`load_repo`.
    """
    todo = list(paths)
    return _result(_load_all(root, todo, landed), len(todo))


def _load_all(root: Path, paths: list[str], landed: LandedFiles | None) -> list[Loaded]:
    from gitdesk import parallel  # multiprocessing: imported when files are loaded, not by every history reader

    done: list[Loaded | None] = [_from_landed(root, rel, landed) for rel in paths] if landed else [None] * len(paths)
    missing = [i for i, hit in enumerate(done) if hit is None]
    for i, loaded in zip(missing, parallel.run_all([partial(_load_one, root, paths[i]) for i in missing],
                                                   min_jobs=PARALLEL_THRESHOLD)):
        done[i] = loaded
    return cast(list[Loaded], done)  # every None was filled


def _from_landed(root: Path, rel: str, landed: LandedFiles) -> Loaded | None:
    """``rel`` checked from the parse of a blob with its very bytes; None when there is none (then it is parsed)."""
    known = landed.get(rel)
    kind = kind_for_path(rel)
    if known is None or kind is None:
        return None
    try:
        data = read_file(root, rel)
    except (DocumentError, OSError):
        return None  # read again by the normal path, which says why
    if data != known[0]:
        return None
    doc = known[1]
    # the schema and the id checks run as for a parsed file; the Ticket gets its own top-level dicts,
    # since the history keeps the parsed fields as a version's
    return ticket_from_document(Document(dict(doc.fields), doc.body, dict(doc.positions), doc.body_line), rel, kind)


def _result(loaded: Iterable[Loaded], files: int) -> LoadResult:
    result = LoadResult(files=files)
    for ticket, diagnostics in loaded:
        result.diagnostics.extend(diagnostics)
        if ticket is not None:
            result.tickets.append(ticket)
    return result


def _load_one(root: Path, rel: str) -> Loaded:
    try:
        data = read_file(root, rel)
    except DocumentError as exc:
        return None, [Diagnostic(rel, exc.line, exc.column, exc.code, exc.message)]
    except OSError as exc:
        return None, [Diagnostic(rel, 1, 1, "GD001", f"cannot read file: {exc.strerror}")]
    return load_bytes(data, rel)


def load_repo(repo: Path, *, use_cache: bool = False, landed: LandedFiles | None = None) -> LoadResult:
    """Discover and load every ticket file under ``repo``.

    With ``use_cache``, files unchanged since the last load (same stat) come
    from ``.gitdesk-cache/`` (:mod:`gitdesk.load.cache`), which this writes;
    the result is the same as without it. Off by default: commands that
    promise to write nothing (a refused ``status``, ``renumber --dry-run``)
    must not leave a cache behind.

    ``landed`` maps a path to the bytes of a version of it and their
    :func:`parse_document` (``read_history(keep_files=True).files``): a file
    that holds exactly those bytes is not parsed again, only checked (schema,
    id, times), so the result is the same as without it.
    """
    paths, refusals = discover(repo)
    root = repo.resolve()
    if not use_cache:
        result = load_paths(root, paths, landed=landed)
    else:
        result = _load_cached(root, paths, landed)
    result.diagnostics[:0] = refusals
    return result


def _load_cached(root: Path, paths: list[str], landed: LandedFiles | None) -> LoadResult:
    store = cache.open_cache(root)
    stamps = [cache.stamp(root, rel) for rel in paths]
    done = store.get_all(paths, stamps)
    missing = [i for i, hit in enumerate(done) if hit is None]
    for i, loaded in zip(missing, _load_all(root, [paths[i] for i in missing], landed)):
        done[i] = loaded
        store.put(paths[i], stamps[i], loaded)
    if missing or len(store.entries) != len(paths):
        store.save()
    return _result((entry for entry in done if entry is not None), len(paths))
