"""Errors that end a command with a clear message (never a traceback).

Check failures (exit 1) are not errors: commands return 1 after printing their findings.
"""

from __future__ import annotations

from typing import Sequence


class GitdeskError(Exception):
    """A user or environment error: the CLI prints ``message`` and exits with ``exit_code``.

    ``hint`` says what to do about it.
    """

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ConfigError(GitdeskError):
    """gitdesk.yml is missing or invalid, or names no such client.

    For a problem inside the file, ``file``, ``line`` (1-based) and ``key``
    (dotted, e.g. ``calendars.office.hours.mon``) say where; ``more`` holds
    further problems found in the same pass. Rendered one line each as
    ``gitdesk.yml:LINE: key: message``.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, key: str | None = None,
                 hint: str | None = None, more: Sequence[ConfigError] = ()) -> None:
        super().__init__(message, hint=hint)
        self.file = file
        self.line = line
        self.key = key
        self.more = tuple(more)

    @property
    def located(self) -> str:
        """This problem alone, prefixed with where it is."""
        where = f"{self.file}:{self.line}: " if self.file and self.line else f"{self.file}: " if self.file else ""
        return f"{where}{self.key}: {self.message}" if self.key else f"{where}{self.message}"

    def __str__(self) -> str:
        text = "\n".join(error.located for error in (self, *self.more))
        return text if not self.hint else f"{text}\n  hint: {self.hint}"


class RepoError(GitdeskError):
    """The folder is not a usable Git repository (missing, shallow, no commits)."""
