"""The build clock: ``--now`` (and mkdocs.yml's ``now``) as an aware datetime."""

from __future__ import annotations

from datetime import datetime, timezone

from gitdesk.errors import GitdeskError
from gitdesk.model import parse_time


def parse_now(value: str | None) -> datetime:
    """``value`` as an aware datetime (None: the current time, UTC); GitdeskError (exit 2) when it has no offset."""
    if value is None:
        return datetime.now(timezone.utc)
    parsed = parse_time(value)
    if parsed is None:
        raise GitdeskError(f"--now {value!r} is not an ISO 8601 time with an offset", hint="e.g. --now 2026-11-23T10:00:00+00:00")
    return parsed
