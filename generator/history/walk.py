"""The streamed first-parent walk: one ``git log`` and one ``git cat-file --batch``.

Never one ``git log`` per file (about a second each: three hours for 10,000
tickets). The log is parsed while git still writes it, each new ticket blob is
asked of ``cat-file`` as soon as the log names it, and each commit is folded in
(:mod:`gitdesk.history.fold`) as soon as its blobs are back.
"""

from __future__ import annotations

import io
import queue
import threading
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Mapping, cast

import gitdesk.history.git as git
from gitdesk.errors import RepoError
from gitdesk.history.fold import RawCommit, State, apply, kind_of
from gitdesk.history.model import Commit
from gitdesk.load.files import DocumentError, LandedFiles, parse_document

_MODES = (b"100644", b"100755")  # regular files only: links and submodules are not tickets
#: starts each commit in the log; a commit message cannot contain it by accident
_MARK = b"\x01gitdesk\x02"
_LOG_FORMAT = "%x01gitdesk%x02%H%x00%P%x00%ct%x00%cI%x00%at%x00%aI%x00%an%x00%ae%x00%s"


def _parse_time(stamp: bytes, iso: bytes) -> datetime:
    parsed = datetime.fromisoformat(iso.decode())
    # %cI has second precision and the committer's offset; %ct guards against odd offsets
    return parsed if int(parsed.timestamp()) == int(stamp) else datetime.fromtimestamp(int(stamp), parsed.tzinfo)


def _parse_chunk(chunk: bytes, prefix: str) -> RawCommit:
    parts = chunk.split(b"\x00")
    sha, parents, ct, ci, at, ai, name, email, subject = parts[:9]
    commit = Commit(
        sha=sha.decode(),
        landed_at=_parse_time(ct, ci),
        authored_at=_parse_time(at, ai),
        author=name.decode("utf-8", "replace"),
        subject=subject.decode("utf-8", "replace"),
        author_email=email.decode("utf-8", "replace"),
    )
    changes: list[tuple[str, str | None]] = []
    rest = parts[9:]
    raw_prefix = prefix.encode("utf-8")
    for i in range(0, len(rest) - 1, 2):
        meta, raw_path = rest[i].lstrip(b"\n"), rest[i + 1]
        if not meta.startswith(b":") or not raw_path.startswith(raw_prefix):
            continue
        fields = meta[1:].split(b" ")
        if len(fields) < 5:
            continue
        path = raw_path[len(raw_prefix):].decode("utf-8", "replace")
        if kind_of(path) is None:
            continue
        status, new_mode, new_sha = fields[4][:1], fields[1], fields[3]
        if status == b"D" or new_mode not in _MODES:
            changes.append((path, None))  # a file that became a link or submodule is gone as a ticket
        else:
            changes.append((path, new_sha.decode()))
    return RawCommit(commit, tuple(parents.decode().split()), changes)


class Rewritten(Exception):
    """The new commits do not continue the cached first-parent chain."""


def stream(repo: Path, rev_range: str, state: State, *, continues: str | None = None,
           witnessed: Mapping[str, datetime] | None = None, files: LandedFiles | None = None) -> int:
    """Stream ``rev_range``'s first-parent commits, oldest first, into ``state``; return how many.

    Three things run at once: ``git log`` (its own process), a thread that
    parses its output and asks one ``git cat-file --batch`` for each new ticket
    blob, and this thread, which reads the blobs back, parses their front
    matter and folds each commit in as soon as its blobs are in. ``continues``
    is the cached tip the first commit's first parent must be (else
    :class:`Rewritten`). ``witnessed`` maps commits to their witness note's time.
    ``files``, when given, receives each path's last blob read and its parse
    (see :data:`gitdesk.load.files.LandedFiles`).
    """
    log = git.start(repo, "log", "--first-parent", "--diff-merges=first-parent", "--raw", "-z", "--reverse", "--no-abbrev",
                    "--no-renames", "--no-color", f"--format={_LOG_FORMAT}", rev_range, "--")
    cat = git.start(repo, "cat-file", "--batch", stdin=True)
    work: queue.SimpleQueue[tuple[str, Any] | BaseException | None] = queue.SimpleQueue()
    producer = threading.Thread(target=_produce, args=(cast(io.BufferedReader, log.stdout), cat.stdin, state.prefix, work), daemon=True)
    producer.start()
    parsed: dict[tuple[str, str], dict[str, Any] | None] = {}
    count = 0
    finished = False
    try:
        while (item := work.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            what, value = item
            if what == "blob":
                _read_blob(cat.stdout, value, parsed, files)
                continue
            if count == 0 and continues is not None and (not value.parents or value.parents[0] != continues):
                raise Rewritten()
            if witnessed:
                value.witnessed_at = witnessed.get(value.commit.sha)
            apply(state, value, parsed)
            count += 1
        finished = True
    finally:
        if not finished:  # stop both so the producer thread ends too (EOF or a broken pipe)
            log.kill()
            cat.kill()
        producer.join()
        code, stderr = log.finish()
        cat.finish()
    if code != 0:
        raise RepoError(f"git log failed: {stderr}")
    return count


def _produce(out: io.BufferedReader, blobs_in: IO[bytes], prefix: str, work: queue.SimpleQueue[Any]) -> None:
    """Parse ``git log`` output into commits; request each new blob before its commit is queued."""
    requested: set[tuple[str, str]] = set()

    def emit(chunk: bytes) -> None:
        raw = _parse_chunk(chunk, prefix)
        for path, blob in raw.changes:
            if blob is not None and (path, blob) not in requested:
                requested.add((path, blob))
                work.put(("blob", (blob, path)))
                blobs_in.write(f"{blob}\n".encode())
        work.put(("commit", raw))

    try:
        pending = bytearray()  # the commit still being received, starting with its mark
        while block := out.read1(1 << 16):  # whatever is there: parse while git still writes
            # search only the new bytes (and a mark cut in two): a commit touching thousands
            # of files spans many blocks, and rescanning it each time would be quadratic
            search_from = max(1, len(pending) - len(_MARK) + 1)
            pending += block
            last = pending.rfind(_MARK, search_from)
            if last != -1:
                for chunk in bytes(pending[:last]).split(_MARK):
                    if chunk:
                        emit(chunk)
                del pending[:last]
            blobs_in.flush()  # cat-file must see every blob the reader will wait for
        for chunk in bytes(pending).split(_MARK):
            if chunk:
                emit(chunk)
        blobs_in.close()
        work.put(None)
    except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, which raises it
        work.put(exc)


def _read_blob(stream: IO[bytes], wanted: tuple[str, str], parsed: dict[tuple[str, str], dict[str, Any] | None],
               files: LandedFiles | None) -> None:
    blob, path = wanted
    header = stream.readline().split()
    if len(header) < 3:  # "<sha> missing": a corrupt or partial repository
        raise RepoError(f"git cat-file cannot read blob {blob} ({path})", hint="run `git fsck`; the repository looks incomplete")
    data = stream.read(int(header[2]))
    stream.read(1)
    try:
        document = parse_document(data, path)
    except DocumentError:
        parsed[(path, blob)] = None  # the loader parses the file again and reports why
        return
    parsed[(path, blob)] = document.fields
    if files is not None:
        # the last read is the blob a clean working tree holds (after a revert, an older one: the
        # loader compares bytes, so that file is only parsed again)
        files[path] = (data, document)
