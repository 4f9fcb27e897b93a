"""Write Git history fast with ``git fast-import``: for the demo and benchmarks.

Thousands of back-dated commits (direct commits, PR branches merged with
``--no-ff``, squashes) in seconds, with exact author and committer times.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Mapping

import gitdesk.history.git as git


class FastImport:
    """A ``git fast-import`` session on an existing (possibly empty) repository.

    Use as a context manager; each :meth:`commit` returns a mark (``":N"``) that
    later commits may name as ``parent`` or in ``merges``.
    """

    def __init__(self, repo: Path) -> None:
        self._proc = git.start(repo, "fast-import", "--quiet", "--done", stdin=True, stdout=False)
        self._out: IO[bytes] = self._proc.stdin
        self._mark = 0
        self._known: set[str] = set()

    def __enter__(self) -> FastImport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(ok=exc[0] is None)

    def commit(
        self,
        branch: str,
        *,
        when: datetime,
        message: str,
        author: str = "gitdesk <gitdesk@example.org>",
        committer: str | None = None,
        author_when: datetime | None = None,
        files: Mapping[str, bytes | str] | None = None,
        deletes: tuple[str, ...] | list[str] = (),
        renames: Mapping[str, str] | None = None,
        parent: str | None = None,
        merges: tuple[str, ...] | list[str] = (),
    ) -> str:
        """Add a commit on ``branch`` and return its mark.

        ``when`` is the committer time (the landed time on main); ``author_when``
        defaults to it. ``parent`` starts a new branch from a mark or ref.
        fast-import does not merge trees: a merge commit's tree is its first
        parent's plus ``files``, so pass the branch's changes again.
        """
        self._mark += 1
        mark = f":{self._mark}"
        name, email = _split(committer or author)
        a_name, a_email = _split(author)
        data = message.encode("utf-8")
        out = [
            f"commit refs/heads/{branch}\n",
            f"mark {mark}\n",
            f"author {a_name} <{a_email}> {_stamp(author_when or when)}\n",
            f"committer {name} <{email}> {_stamp(when)}\n",
            f"data {len(data)}\n",
        ]
        self._out.write("".join(out).encode("utf-8") + data + b"\n")
        if parent is not None:
            self._out.write(f"from {parent}\n".encode())
        for other in merges:
            self._out.write(f"merge {other}\n".encode())
        for old, new in (renames or {}).items():
            self._out.write(f'R "{old}" "{new}"\n'.encode("utf-8"))
        for path in deletes:
            self._out.write(f'D "{path}"\n'.encode("utf-8"))
        for path, content in (files or {}).items():
            blob = content.encode("utf-8") if isinstance(content, str) else content
            self._out.write(f'M 100644 inline "{path}"\ndata {len(blob)}\n'.encode("utf-8") + blob + b"\n")
        self._out.write(b"\n")
        return mark

    def reset(self, branch: str, to: str) -> None:
        """Point ``branch`` at a mark or ref (e.g. to start a PR branch from main)."""
        self._out.write(f"reset refs/heads/{branch}\nfrom {to}\n\n".encode())

    def close(self, ok: bool = True) -> None:
        """Finish the import (``ok``) or abandon it; raise RuntimeError if git refused the stream."""
        if not self._out.closed:
            if ok:
                self._out.write(b"done\n")
            self._out.close()
        code, stderr = self._proc.finish()
        if ok and code != 0:
            raise RuntimeError(f"git fast-import failed with exit code {code}: {stderr}")


def _split(ident: str) -> tuple[str, str]:
    name, _, rest = ident.partition("<")
    return name.strip() or "gitdesk", rest.rstrip(">").strip() or "gitdesk@example.org"


def _stamp(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("fast-import times need an offset")
    offset = when.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{int(when.timestamp())} {sign}{minutes // 60:02d}{minutes % 60:02d}"
