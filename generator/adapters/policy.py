"""All-or-nothing builds: a site is published only from a desk that validates, unless ``--keep-going``.

A ticket that fails to load, or loads with a validation error (``severity:
P9``), would otherwise drop out of the site or show wrong: an ongoing P1
could vanish from a client's status page while the build says ✓. ``build``,
``generate`` and ``publish`` therefore refuse (exit 1, the previous site
kept) and list every problem; with ``--keep-going`` they publish the rest
and list what was left out. The same rule covers refused files in the MkDocs
docs folder (see :mod:`gitdesk.docs_dir`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from gitdesk.errors import GitdeskError
from gitdesk.model import Diagnostic, DiagnosticLevel
from gitdesk.pipeline import Sources
from gitdesk.validate import check_tickets, history_diagnostics

log = logging.getLogger(__name__)

#: How many problems a refusal lists before it says "and N more".
SHOWN = 20


class BuildRefused(GitdeskError):
    """The desk has problems, so nothing was published (exit 1: a check failed, not a usage error)."""

    exit_code = 1


def checked(sources: Sources, *, repo: Path, keep_going: bool) -> Sources:
    """``sources`` as a build may publish them.

    Unchanged when ``gitdesk validate`` would report no error; with
    ``keep_going``, without the tickets of every file that has one (each
    logged, all listed in ``skipped``); otherwise BuildRefused (exit 1)
    listing every problem.
    """
    found = problems(sources, repo=repo)
    if not found:
        return sources
    if not keep_going:
        raise refusal(found, what="ticket(s)")
    bad = {d.file for d in found}
    for path, reasons in _by_file(found).items():
        log.warning("%s is left out of the site: %s", path, reasons)
    return replace(sources, tickets=[t for t in sources.tickets if t.path not in bad],
                   skipped=tuple(sorted(set(sources.skipped) | bad)))


def problems(sources: Sources, *, repo: Path) -> list[Diagnostic]:
    """Every error ``gitdesk validate`` reports for these sources: load, cross-file, lifecycle and history checks."""
    found = [*sources.diagnostics, *check_tickets(sources.tickets, sources.config), *history_diagnostics(repo, sources.history)]
    unique = {(d.file, d.line, d.column, d.code, d.message): d for d in found if d.level is DiagnosticLevel.ERROR}
    return [unique[key] for key in sorted(unique)]


def refusal(found: Iterable[Diagnostic], *, what: str) -> BuildRefused:
    """The error that ends a refused build: every problem with its file, line and fix, the first :data:`SHOWN` of them."""
    from gitdesk import report

    items = list(found)
    listing = report.render(items[:SHOWN], "text") + (f"\n… and {len(items) - SHOWN} more" if len(items) > SHOWN else "")
    files = len({d.file for d in items})
    return BuildRefused(f"nothing was published: {files} {what} with problems (the previous site is kept)\n{listing}",
                        hint="fix them (`gitdesk validate` lists each with its fix), or pass --keep-going "
                             "to publish the rest and leave them out")


def _by_file(found: list[Diagnostic]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for d in found:
        out.setdefault(d.file, []).append(f"{d.code} {d.message}")
    return {path: "; ".join(reasons) for path, reasons in out.items()}
