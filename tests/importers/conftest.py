"""Source repositories for the importers: real Git, fixed commit times, built with git fast-import."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from gitdesk.cli import cli
from gitdesk.history.fastimport import FastImport

NOW = "2026-12-01T12:00:00+00:00"


@dataclass
class Commit:
    """One source commit: files to write (text) or delete (None), at a fixed time."""

    when: str
    files: dict[str, str | None]
    message: str = "update"
    author: str = "Ana Source <ana@example.org>"


@dataclass
class Result:
    code: int
    out: str
    err: str
    dest: Path
    problems: list[str] = field(default_factory=list)


def build_source(path: Path, commits: list[Commit]) -> Path:
    """A source repo whose main branch has ``commits`` in order, with exactly those times."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    with FastImport(path) as fast:
        for commit in commits:
            fast.commit("main", when=datetime.fromisoformat(commit.when), message=commit.message, author=commit.author,
                        files={p: t for p, t in commit.files.items() if t is not None},
                        deletes=[p for p, t in commit.files.items() if t is None])
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard"], check=True)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def import_into(tool: str, source: Path, dest: Path, *extra: str) -> Result:
    """Run ``gitdesk import`` and return its outcome (problems are the stderr lines)."""
    code, out, err = run("import", tool, str(source), str(dest), "--now", NOW, *extra)
    return Result(code, out, err, dest, [line for line in err.splitlines() if line.strip()])


def validate(dest: Path) -> tuple[int, dict[str, Any]]:
    code, out, _ = run("--repo", str(dest), "validate", "--format", "json")
    return code, json.loads(out)


def ticket(dest: Path, rel: str) -> tuple[dict[str, Any], str]:
    """A written ticket's front matter and body."""
    text = (dest / rel).read_text("utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def tickets(dest: Path, folder: str) -> dict[str, dict[str, Any]]:
    """Every ticket under ``folder`` by id."""
    out = {}
    for path in sorted((dest / folder).rglob("*.md")):
        fields, _ = ticket(dest, str(path.relative_to(dest)))
        out[fields.get("id") or path.stem] = fields
    return out


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "desk"
