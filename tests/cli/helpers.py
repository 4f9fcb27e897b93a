"""Running the real `gitdesk` CLI: in-process through click, or as its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from gitdesk.cli import cli

NOW = "2026-11-23T10:00:00+00:00"


def run(repo: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """``gitdesk --repo REPO ARGS`` in-process; stdout and stderr apart."""
    return CliRunner().invoke(cli, ["--repo", str(repo), *args], env=env, catch_exceptions=False)


def run_process(*argv: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python ARGV`` as its own process, with this checkout's gitdesk; the exit code crosses the process boundary."""
    return subprocess.run([sys.executable, *argv], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
