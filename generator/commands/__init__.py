"""Command bodies: each turns CLI options into one core call and prints the result.

They return the exit code. Modules are imported lazily by :mod:`gitdesk.cli`
so that `gitdesk --help` stays fast.
"""

from __future__ import annotations

from datetime import datetime, timezone

from gitdesk.errors import GitdeskError
from gitdesk.model import parse_time


def parse_now(value: str | None) -> datetime:
    """``--now`` as an aware datetime (default: the current time, UTC)."""
    if value is None:
        return datetime.now(timezone.utc)
    parsed = parse_time(value)
    if parsed is None:
        raise GitdeskError(f"--now {value!r} is not an ISO 8601 time with an offset", hint="e.g. --now 2026-11-23T10:00:00+00:00")
    return parsed
