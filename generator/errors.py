"""Errors that end a command with a clear message (never a traceback).

Check failures (exit 1) are not errors: commands return 1 after printing their findings.
"""

from __future__ import annotations


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
    """gitdesk.yml is missing or invalid."""


class RepoError(GitdeskError):
    """The folder is not a usable Git repository (missing, shallow, no commits)."""
