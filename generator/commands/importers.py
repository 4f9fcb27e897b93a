"""`gitdesk import cstate|madr|backlog-md SOURCE DEST`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from gitdesk.commands import parse_now
from gitdesk.errors import GitdeskError
from gitdesk.commands.workflow import announce_install
from gitdesk.importers import Source, cstate
from gitdesk.workflow import scaffold


def parse_severities(pairs: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """The cState severity table with ``NAME=P1`` (or ``NAME=P1:degraded``) overrides applied."""
    table = dict(cstate.SEVERITIES)
    for pair in pairs:
        name, _, value = pair.partition("=")
        severity, _, impact = value.partition(":")
        name = name.strip().lower()
        impact = impact or table.get(name, ("P3", "none"))[1]
        if not name or severity not in ("P0", "P1", "P2", "P3") or impact not in ("outage", "degraded", "none"):
            raise GitdeskError(f"--severity {pair!r} is not NAME=P0..P3[:outage|degraded|none]", hint="e.g. --severity down=P1")
        table[name] = (severity, impact)
    return table


def import_command(tool: str, source: Path, dest: Path, *, severities: tuple[str, ...], now: str | None) -> int:
    """Run one import; print the problems (file, commit, reason) and a summary. 0 when it completed."""
    from gitdesk.importers.replay import run_import  # git plumbing: loaded only when an import runs

    table = parse_severities(severities)
    started = time.monotonic()
    install = scaffold.install_line(scaffold.installed_distribution())
    result = run_import(Source(tool), source, dest, now=parse_now(now), severities=table, install=install)
    if result.created:
        announce_install(install)
    for problem in result.problems:
        where = f"{problem.file}@{problem.commit}" if problem.commit else problem.file
        click.echo(f"{where}: {problem.reason}", err=True)
    if not result.commits:
        click.echo(f"{dest}: up to date with {source} (nothing to import)")
        return 0
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(result.by_kind.items()))
    click.echo(f"imported {result.commits} commit(s) from {source} into {dest}: {result.tickets} ticket(s)"
               f"{f' ({kinds})' if kinds else ''}, {result.notices} notice(s), {len(result.problems)} problem(s) listed "
               f"in {time.monotonic() - started:.1f}s")
    if result.since:
        click.echo(f"sla.since set to {result.since}: clocks before it are history; from now on Git is the evidence")
    return 0


@click.command("import")
@click.argument("tool", type=click.Choice([s.value for s in Source]))
@click.argument("source", type=click.Path(file_okay=False, path_type=Path))
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--severity", "severities", multiple=True, metavar="NAME=P1[:IMPACT]",
              help="cState: map a severity (down, disrupted, notice) to P0-P3 and an impact (repeatable).")
@click.option("--now", "now", default=None, metavar="TIME", help="The import's time, written as sla.since (default: now).")
def import_cmd(tool: str, source: Path, dest: Path, severities: tuple[str, ...], now: str | None) -> None:
    """Replay a cState, MADR or Backlog.md repo's Git history into a gitdesk repo (created if missing)."""
    sys.exit(import_command(tool, source, dest, severities=severities, now=now))
