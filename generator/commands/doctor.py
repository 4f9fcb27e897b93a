"""`gitdesk doctor`: what this desk is missing to publish."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command("doctor")
@click.pass_context
def doctor_cli(ctx: click.Context) -> None:
    """Say what this desk is missing to publish, and how to fix each (exit 1 when something blocks it)."""
    ctx.exit(doctor_command(ctx.find_root().obj["repo"]))


def doctor_command(repo: Path) -> int:
    """Print each finding with its fix; 1 when one blocks publishing, 0 otherwise."""
    from gitdesk.doctor import Severity, diagnose

    findings = diagnose(repo, environ=os.environ)
    for finding in findings:
        mark = "✗" if finding.severity is Severity.BLOCKS else "!"
        click.echo(f"{mark} {finding.problem}\n  fix: {finding.fix}")
    blocking = sum(f.severity is Severity.BLOCKS for f in findings)
    if blocking:
        click.echo(f"{blocking} problem(s) block publishing", err=True)
        return 1
    click.echo("✓ ready to publish" + (" (see the warnings above)" if findings else ""), err=True)
    return 0
