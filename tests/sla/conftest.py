"""Scenario helpers: real Git repos with fixed commit times, built with git fast-import.

A scenario (``cases/<name>/scenario.yaml``) lists commits; each sets ticket
fields (merged into the ticket's previous fields), deletes or moves files, and
lands directly, through a ``--no-ff`` merge of a PR branch, or as a squash.
``expected.json`` next to it is the golden ``gitdesk sla --format json``
output; ``GITDESK_REGEN=1`` rewrites the goldens (review the diff by hand).
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitdesk.history.fastimport import FastImport
from gitdesk.model import parse_time

CASES = Path(__file__).parent / "cases"
REGEN = bool(os.environ.get("GITDESK_REGEN"))

BASE_CONFIG: dict[str, Any] = {
    "title": "Acme ERP — service status",
    "timezone": "Europe/Madrid",
    "components": [
        {"id": "accounting", "name": "Accounting module"},
        {"id": "orders", "name": "Orders panel"},
    ],
    "calendars": {
        "business": {
            "timezone": "Europe/Madrid",
            "hours": {d: ["09:00-14:00", "15:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": {"country": "ES", "subdiv": "MD"},
            "extra_holidays": ["2026-12-24"],
        }
    },
    "sla": {
        "pause_statuses": ["waiting"],
        "at_risk": 0.75,
        "min_compliance": 0.95,
        "targets": {
            "P0": {"calendar": "always", "response": "15m", "mitigation": "1h", "resolution": "4h"},
            "P1": {"calendar": "business", "response": "1h", "resolution": "8h"},
            "P2": {"calendar": "business", "response": "4h", "resolution": "40h"},
            "P3": {"calendar": "business", "response": "16h"},
        },
    },
    "uptime": {"target": 99.8, "notice": "48h", "windows": [30, 90]},
}

_FOLDERS = {"INC": "tickets/incidents/{year}", "MNT": "tickets/maintenance", "EVO": "backlog", "DEC": "tickets/decisions"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def render_ticket(fields: dict[str, Any]) -> str:
    """A ticket file: front matter from ``fields`` (``body`` becomes the Markdown body)."""
    fields = dict(fields)
    body = fields.pop("body", "Details.\n")
    front = yaml.safe_dump(_plain(fields), sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n{body}"


def _when(value: Any) -> datetime:
    parsed = parse_time(value if isinstance(value, str) else _plain(value))
    assert parsed is not None, f"scenario time {value!r} needs an offset"
    return parsed


def config_text(overrides: dict[str, Any] | None) -> str:
    config = json.loads(json.dumps(BASE_CONFIG))
    for key, value in (overrides or {}).items():
        config[key] = value
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def build_repo(root: Path, scenario: dict[str, Any]) -> Path:
    """Create the scenario's repo under ``root`` and check out main (the working tree = main's tip)."""
    repo = root / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    state: dict[str, dict[str, Any]] = {}
    paths: dict[str, str] = {}
    commits = scenario["commits"]
    first = _when(commits[0]["at"])
    with FastImport(repo) as fi:
        main = fi.commit("main", when=first.replace(year=first.year - 1), message="gitdesk.yml",
                         files={"gitdesk.yml": config_text(scenario.get("config"))})
        for number, step in enumerate(commits):
            at = _when(step["at"])
            files: dict[str, str] = {}
            for ticket_id, fields in (step.get("tickets") or {}).items():
                fields = dict(fields or {})
                path = fields.pop("path", None) or paths.get(ticket_id)
                if path is None:
                    folder = _FOLDERS[ticket_id.split("-")[0]].format(year=at.year)
                    path = f"{folder}/{ticket_id}.md"
                base = state.get(ticket_id) or {"id": ticket_id, "title": f"Ticket {ticket_id}"}
                state[ticket_id] = {**base, **fields}
                state[ticket_id] = {k: v for k, v in state[ticket_id].items() if v is not None}
                paths[ticket_id] = path
                files[path] = render_ticket(state[ticket_id])
            deletes = [paths.pop(t) for t in step.get("delete") or []]
            for ticket_id, new_path in (step.get("move") or {}).items():
                deletes.append(paths[ticket_id])
                files.pop(paths[ticket_id], None)
                files[new_path] = render_ticket(state[ticket_id])
                paths[ticket_id] = new_path
            message = step.get("message", f"step {number + 1}")
            author_at = _when(step["author_at"]) if "author_at" in step else None
            via = step.get("via", "direct")
            if via == "merge":
                fi.reset(f"pr-{number}", main)
                branch = fi.commit(f"pr-{number}", when=_when(step["branch_at"]), message=message, files=files,
                                   deletes=deletes)
                main = fi.commit("main", when=at, message=f"Merge pull request #{number + 1}", files=files,
                                 deletes=deletes, parent=main, merges=[branch])
            else:
                main = fi.commit("main", when=at, message=message, files=files, deletes=deletes,
                                 author_when=author_at, parent=main)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True)
    for path, fields in (scenario.get("worktree") or {}).items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_ticket(fields), encoding="utf-8")
    return repo


def load_scenario(name: str) -> dict[str, Any]:
    return yaml.safe_load((CASES / name / "scenario.yaml").read_text(encoding="utf-8"))


def read_golden(path: Path, actual: str) -> str:
    """The committed expected text (rewritten first when GITDESK_REGEN is set)."""
    if REGEN or not path.exists():
        path.write_text(actual, encoding="utf-8")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def golden():  # type: ignore[no-untyped-def]
    return read_golden


@pytest.fixture
def scenario_repo(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(name: str) -> tuple[Path, dict[str, Any]]:
        scenario = load_scenario(name)
        root = tmp_path / name
        root.mkdir()
        return build_repo(root, scenario), scenario

    return make
