from __future__ import annotations

import json
import re
import shutil
import signal
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from gitdesk.cli import cli

HERE = Path(__file__).parent
CASES = HERE / "cases"


def make_repo(case: Path, dest: Path) -> Path:
    """Copy a golden case's input tree to ``dest``, with the shared config unless it has its own."""
    shutil.copytree(case, dest, symlinks=True, ignore=shutil.ignore_patterns("expected.json"))
    if not (dest / "gitdesk.yml").exists():
        shutil.copy(HERE / "config.yml", dest / "gitdesk.yml")
    return dest


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def validate_json(repo: Path) -> tuple[int, dict[str, Any]]:
    code, out, _ = run("--repo", str(repo), "validate", "--format", "json", "--no-history")
    return code, json.loads(out)


def interruptible() -> None:
    """``preexec_fn`` for a server a test stops with SIGINT: a shell runs background jobs with SIGINT
    ignored, and a child inherits that, so ``gitdesk serve`` started from such a job would never stop."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def day_states(html: str) -> dict[str, str]:
    """Each day's state as a status page's bars draw it: ``{"2026-10-01": "none", …}``.

    A run of alike quiet days is one bar from its ``data-day`` to its ``data-until``; every day it covers is listed.
    """
    from datetime import date, timedelta

    days: dict[str, str] = {}
    for state, first, last in re.findall(r'class="gd-day gd-day-(\w+)[^"]*" data-day="([\d-]+)"(?: data-until="([\d-]+)")?', html):
        day, end = date.fromisoformat(first), date.fromisoformat(last or first)
        while day <= end:
            days[day.isoformat()] = state
            day += timedelta(days=1)
    return days
