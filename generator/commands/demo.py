"""`gitdesk demo DIR`: a realistic demo repo with a year of back-dated history."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import click

from gitdesk.errors import GitdeskError, RepoError


def prepare_directory(directory: Path, *, force: bool) -> None:
    """Make sure ``directory`` can receive a new demo: absent, empty, or an old demo when ``force``.

    ``--force`` only ever deletes a folder that looks like a gitdesk repo (a
    ``.git`` and a ``gitdesk.yml``): a typo must not wipe someone's home folder.
    """
    if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
        raise GitdeskError(f"{directory} exists and is not a folder", hint="pick another path")
    if not directory.exists() or not any(directory.iterdir()):
        return
    looks_like_demo = (directory / ".git").is_dir() and (directory / "gitdesk.yml").is_file()
    if not force:
        hint = "pass --force to replace it" if looks_like_demo else "pick a new or empty folder"
        raise GitdeskError(f"{directory} already exists and is not empty", hint=hint)
    if not looks_like_demo:
        raise GitdeskError(f"{directory} is not empty and is not a gitdesk repo; --force only replaces an earlier demo",
                           hint="pick a new or empty folder")
    shutil.rmtree(directory)


def demo_command(directory: Path, *, size: str = "full", force: bool = False) -> int:
    """Create the demo repo and say what to do next; 0 on success."""
    from gitdesk.demo import create_demo
    from gitdesk.demo.render import iso
    from gitdesk.demo.timeline import DEMO_NOW

    prepare_directory(directory, force=force)
    started = time.perf_counter()
    try:
        result = create_demo(directory, size=size)
    except RuntimeError as exc:  # git fast-import refused the stream (git itself failing is a RepoError already)
        raise RepoError(f"git failed while writing the demo: {str(exc).strip()}") from None
    seconds = time.perf_counter() - started
    now = iso(DEMO_NOW)
    click.echo(f"Created the {size} demo in {directory}: {result.commits} commits on main, "
               f"history ending {now} ({seconds:.1f}s).")
    click.echo("Next:")
    for line in (f"gitdesk --repo {directory} validate",
                 f"gitdesk --repo {directory} sla --now {now}",
                 f"gitdesk --repo {directory} history INC-0001",
                 f"gitdesk --repo {directory} serve"):
        click.echo(f"  {line}")
    return 0
