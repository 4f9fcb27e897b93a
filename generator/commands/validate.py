"""`gitdesk validate`."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from gitdesk import report
from gitdesk.config import load_config
from gitdesk.model import Diagnostic, DiagnosticLevel
from gitdesk.validate import Report, history_diagnostics, validate_repo

log = logging.getLogger(__name__)


def _history_checks(repo: Path, branch: str, tolerance: int) -> list[Diagnostic]:
    """Declared-time and anomaly checks; none outside a Git repo or before the first commit."""
    from gitdesk.errors import RepoError
    from gitdesk.history import has_commits, read_history
    from gitdesk.history.git import open_repo

    if not has_commits(repo):
        try:
            open_repo(repo)
        except RepoError as exc:
            # a desk outside Git is checked file by file; it must not look as if its history had been
            return [Diagnostic("gitdesk.yml", 1, 1, "GD312", f"history checks skipped: {exc}", DiagnosticLevel.WARNING)]
        return []  # a new repo: no history to check yet
    try:
        return history_diagnostics(repo, read_history(repo, branch=branch, witness_tolerance=tolerance))
    except RepoError as exc:
        # a shallow CI clone or a missing branch must not hide the file checks: say what was skipped
        return [Diagnostic("gitdesk.yml", 1, 1, "GD312", f"history checks skipped: {exc}", DiagnosticLevel.WARNING)]


def validate_command(repo: Path, *, fmt: str, strict: bool = False, history: bool = True) -> int:
    """Run every check; print in ``fmt``; return 0, or 1 when there are errors."""
    config = load_config(repo)
    result: Report = validate_repo(repo, config, use_cache=True)  # unlike `status` or `renumber --dry-run`, validate may write a cache
    # `history` gates the checks that read Git (declared times, anomalies): see gitdesk.history.
    items = result.diagnostics
    if history:
        items = sorted(items + _history_checks(repo, config.branch, config.sla.witness_tolerance), key=lambda d: (d.file, d.line, d.column, d.code))
        result.diagnostics = items
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
        log.info(("✗ " if failed else "✓ ") + summary)  # a summary: on stderr, silenced by -q
    return 1 if failed else 0

