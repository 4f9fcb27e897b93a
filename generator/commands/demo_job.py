"""What `make demo` runs: ``python -m gitdesk.commands.demo_job [DIR]`` (default ``build/demo``).

Creates the demo repo (replacing an earlier demo), then runs what a newcomer
would: ``validate``, the ``sla`` table, and builds of the first client's site
and the internal site, all judged at the demo's own "now" so the output is the
same whatever the date. Prints where each ``index.html`` is and how to preview.
Each step calls the command function the CLI calls; nothing shells out.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Callable

import click

from gitdesk.errors import GitdeskError

#: Steps whose stage is not on this branch yet are reported, not fatal (see `_run`).
MISSING_STAGE = (ImportError, NotImplementedError)


def _run(title: str, step: Callable[[], int], timings: list[tuple[str, float]]) -> int | None:
    """Run one step; its exit code, or None when its stage is not built yet."""
    click.secho(f"\n== {title}", bold=True)
    started = time.perf_counter()
    try:
        code = step()
    except MISSING_STAGE as exc:
        click.echo(f"   skipped: this stage is not available in this build ({type(exc).__name__}: {exc})")
        return None
    except GitdeskError as exc:
        click.echo(f"gitdesk: {'error' if exc.exit_code == 2 else 'failed'}: {exc}", err=True)
        code = exc.exit_code
    finally:
        timings.append((title, time.perf_counter() - started))
    return code


def run(directory: Path, *, size: str = "full") -> int:
    """The whole demo job; 0 when every available step succeeded."""
    from gitdesk.demo import vocab as demo_vocab
    from gitdesk.demo.render import iso
    from gitdesk.demo.timeline import DEMO_NOW
    from gitdesk.commands.demo import demo_command, prepare_directory
    from gitdesk.commands.validate import validate_command

    now = iso(DEMO_NOW)
    client = demo_vocab.CLIENTS[0][0]
    sites = {f"client site ({client})": (client, "client", directory / f"site-{client}"),
             "internal site": (None, "internal", directory / "site-internal")}
    timings: list[tuple[str, float]] = []
    failures: list[str] = []
    started = time.perf_counter()

    def check(title: str, code: int | None) -> None:
        if code not in (0, None):
            failures.append(title)

    def create() -> int:
        prepare_directory(directory, force=True)
        return demo_command(directory, size=size)

    check("demo", _run(f"gitdesk demo {directory}", create, timings))
    if failures:
        return 1
    check("validate", _run("gitdesk validate", lambda: validate_command(directory, fmt="text"), timings))

    def sla_table() -> int:
        from gitdesk.commands.sla import sla_command

        return sla_command(directory, now=now, fmt="table", client=None, since=None, until=None)

    check("sla", _run(f"gitdesk sla --now {now}", sla_table, timings))
    built: list[tuple[str, Path]] = []
    for title, (who, audience, out) in sites.items():
        def build(who: str | None = who, audience: str = audience, out: Path = out) -> int:
            from gitdesk.commands.site import build_command

            return build_command(directory, client=who, audience=audience, out=out, now=now)

        code = _run(f"gitdesk build --audience {audience}" + (f" --client {who}" if who else ""), build, timings)
        check(title, code)
        if code == 0:
            built.append((title, out / "index.html"))

    click.secho("\n== Summary", bold=True)
    for title, seconds in timings:
        click.echo(f"   {seconds:6.1f}s  {title}")
    click.echo(f"   {time.perf_counter() - started:6.1f}s  total")
    for title, index in built:
        click.echo(f"   {title}: {index.resolve()}")
    click.echo(f"   preview: {_gitdesk_command()} --repo {directory} serve --audience internal --now {now}   (then open http://127.0.0.1:8000)")
    if failures:
        click.echo(f"   failed: {', '.join(failures)}", err=True)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else Path("build/demo")
    from gitdesk.cli import configure_logging  # the commands' summaries and warnings, as `gitdesk` shows them

    configure_logging(0)
    try:
        return run(directory)
    except GitdeskError as exc:
        click.echo(f"gitdesk: error: {exc}", err=True)
        return exc.exit_code


def _gitdesk_command() -> str:
    """How the reader can run gitdesk: plain `gitdesk` if it is on PATH, else the venv's script (after `make demo`)."""
    if shutil.which("gitdesk"):
        return "gitdesk"
    script = Path(sys.executable).parent / "gitdesk"
    return os.path.relpath(script) if script.exists() else "gitdesk"


if __name__ == "__main__":
    sys.exit(main())
