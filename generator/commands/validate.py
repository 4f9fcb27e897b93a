"""`gitdesk validate`."""

from __future__ import annotations

from pathlib import Path

import click

from generator import report
from generator.config import load_config
from generator.model import DiagnosticLevel
from generator.validate import Report, validate_repo


def validate_command(repo: Path, *, fmt: str, strict: bool = False, history: bool = True) -> int:
    """Run every check; print in ``fmt``; return 0, or 1 when there are errors."""
    config = load_config(repo)
    result: Report = validate_repo(repo, config)
    # `history` gates the checks that read Git (declared times, anomalies): see generator.history.
    items = result.diagnostics
    if fmt == "json":
        click.echo(report.render(items, "json"))
    elif items:
        click.echo(report.render(items, fmt))
    if fmt == "github":
        report.append_step_summary(report.step_summary(items, title="gitdesk validate", files=result.files))
    failed = bool(result.errors) or (strict and bool(result.warnings))
    if fmt != "json":
        errors, warnings = len(result.errors), len(result.warnings)
        summary = f"{result.files} files, {result.tickets} tickets: {errors} error(s), {warnings} warning(s)"
        click.echo(("✗ " if failed else "✓ ") + summary, err=True)
    return 1 if failed else 0

