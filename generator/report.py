"""Diagnostics out: plain text, GitHub annotations plus step summary, or JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable

from gitdesk.model import Diagnostic, DiagnosticLevel

FORMATS = ("text", "github", "json")


def render(diagnostics: Iterable[Diagnostic], fmt: str) -> str:
    """Render diagnostics in one of :data:`FORMATS`."""
    items = list(diagnostics)
    if fmt == "json":
        return json.dumps(
            {
                "errors": [d.to_json() for d in items if d.level is DiagnosticLevel.ERROR],
                "warnings": [d.to_json() for d in items if d.level is DiagnosticLevel.WARNING],
            },
            indent=2,
        )
    if fmt == "github":
        return "\n".join(_github(d) for d in items)
    return "\n".join(_text(d) for d in items)


def _text(d: Diagnostic) -> str:
    tag = "warning: " if d.level is DiagnosticLevel.WARNING else ""
    return f"{d.file}:{d.line}:{d.column}: {d.code} {tag}{d.message}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(d: Diagnostic) -> str:
    level = "warning" if d.level is DiagnosticLevel.WARNING else "error"
    return (
        f"::{level} file={_escape_prop(d.file)},line={d.line},col={d.column},title={_escape_prop(d.code)}::"
        f"{_escape_data(d.message)}"
    )


def step_summary(diagnostics: Iterable[Diagnostic], *, title: str, files: int) -> str:
    """A Markdown table of every finding: GitHub shows only 10 annotations per step."""
    items = list(diagnostics)
    errors = sum(d.level is DiagnosticLevel.ERROR for d in items)
    warnings = len(items) - errors
    lines = [f"### {title}", "", f"{files} files checked: **{errors} error(s)**, {warnings} warning(s).", ""]
    if items:
        lines += ["| | file | line | code | message |", "|---|---|---|---|---|"]
        for d in items:
            mark = "⚠️" if d.level is DiagnosticLevel.WARNING else "❌"
            message = d.message.replace("|", "\\|")
            lines.append(f"| {mark} | `{d.file}` | {d.line} | {d.code} | {message} |")
    return "\n".join(lines) + "\n"


def append_step_summary(markdown: str) -> None:
    """Append to ``$GITHUB_STEP_SUMMARY`` when running in GitHub Actions."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(markdown)
