"""`gitdesk witness`: note when CI first saw each new commit of the evidence branch (run it on every push to main)."""

from __future__ import annotations

from pathlib import Path

import click

from gitdesk.commands import parse_now


@click.command("witness")
@click.option("--now", "now", default=None, metavar="TIME", help="The time to record (default: now; for tests).")
@click.pass_context
def witness_cli(ctx: click.Context, now: str | None) -> None:
    """Record in refs/notes/gitdesk-witness when this run first saw each new commit of the main branch."""
    from gitdesk.history.git import find_root

    ctx.exit(witness_command(find_root(ctx.find_root().obj["repo"]), now=now))


def witness_command(repo: Path, *, now: str | None) -> int:
    """Write the notes; say what was witnessed and how to publish the notes. 0, or 2 when Git refuses."""
    from gitdesk.config import load_config
    from gitdesk.history.git import WITNESS_NOTES
    from gitdesk.history.witness import witness

    config = load_config(repo)
    run = witness(repo, branch=config.branch, now=parse_now(now), tolerance=config.sla.witness_tolerance)
    stamp = run.at.isoformat(timespec="seconds")
    if run.baseline and not run.noted:
        click.echo(f"first witness run: the tip {run.tip[:10]} of {config.branch} is older than sla.witness_tolerance, "
                   "so nothing was noted; the record starts with the next push")
    elif run.baseline:
        click.echo(f"first witness run: noted {len(run.noted)} fresh commit(s) at the tip of {config.branch} at {stamp}; "
                   "earlier commits keep their committer times (the witness cannot vouch for what it did not see)")
    elif run.noted:
        click.echo(f"witnessed {len(run.noted)} new commit(s) of {config.branch} at {stamp}: "
                   + ", ".join(sha[:10] for sha in run.noted))
    else:
        click.echo(f"nothing new on {config.branch} since the last witness run")
    if run.noted:
        click.echo(f"publish the notes: git push origin {WITNESS_NOTES}", err=True)
    return 0
