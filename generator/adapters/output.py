"""Output folders: written beside the old one, swapped in only when complete."""

from __future__ import annotations

import contextlib
import os
import shutil
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
    fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        yield fresh
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    os.chmod(fresh, 0o755)  # mkdtemp makes it private; a published site is world-readable
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rename(out, old / out.name)
        os.rename(fresh, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(fresh, out)


def write_bundle(bundle: Bundle, folder: Path) -> None:
    """Write every bundle file under ``folder``."""
    for rel, content in bundle.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
