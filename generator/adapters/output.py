"""Output folders: written beside the old one, swapped in only when complete.

The temporary folders carry their owner in their name
(``.site.new-<pid>@<host>-…``), so a later build can tell the leftovers of a
killed one (SIGKILL runs no cleanup) from a build still running, and remove
only those.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from gitdesk.errors import GitdeskError

if TYPE_CHECKING:
    from gitdesk.site import Bundle


def _refuse_dangerous(out: Path, repo: Path) -> None:
    out, repo = out.resolve(), repo.resolve()
    if repo == out or repo.is_relative_to(out):
        raise GitdeskError(f"refusing to build into {out}: it holds the repository", hint="pick an output folder such as site/")
    if out.exists() and not out.is_dir():
        raise GitdeskError(f"{out} exists and is not a folder", hint="remove it or pick another --out")


@contextlib.contextmanager
def atomic_folder(out: Path, repo: Path) -> Iterator[Path]:
    """Yield a fresh folder next to ``out``; on success it replaces ``out``, on failure it is removed.

    The previous ``out`` stays untouched until the new one is complete, and a
    failed build never leaves a half-written site behind. Refuses (exit 2) an
    ``out`` that holds ``repo`` or is a file.
    """
    _refuse_dangerous(out, repo)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{_owner()}-", dir=out.parent))
    try:
        yield fresh
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    os.chmod(fresh, 0o755)  # mkdtemp makes it private; a published site is world-readable
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{_owner()}-", dir=out.parent))
        os.rename(out, old / out.name)
        os.rename(fresh, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(fresh, out)


def remove_stale(out: Path) -> list[Path]:
    """Remove the temporary folders of ``out`` left by builds that were killed; return them.

    Only provably stale ones: named by this host and a process id that no
    longer runs. A build still running, another host's build on a shared
    disk, and folders named before owners were recorded are left alone.
    """
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(?:new|old)-(\d+)@{re.escape(_host())}-[^/]+")
    removed = []
    for entry in out.parent.iterdir() if out.parent.is_dir() else ():
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not _running(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _owner() -> str:
    return f"{os.getpid()}@{_host()}"


def _host() -> str:
    # Part of a file name: only the characters a host name should have anyway.
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:64] or "localhost"


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists (and is not a zombie) on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def write_bundle(bundle: Bundle, folder: Path) -> None:
    """Write every bundle file under ``folder``."""
    for rel, content in bundle.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
