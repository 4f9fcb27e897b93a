"""A small gitdesk desk in a real Git repo with fixed commit times, driven through the real CLI.

Shared by the trust tests (tests/security/test_breach_*.py, test_witness*.py):
each builds its history commit by commit with :func:`land`, then asks the
``gitdesk`` command line what a client would be told.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from gitdesk.cli import cli
from tests.history.repos import ENV, git

#: P0 counted 24/7: 15m response, 1h mitigation, 4h resolution; P3 has a response target only
CONFIG: dict[str, Any] = {
    "title": "Acme ERP — service status",
    "timezone": "Europe/Madrid",
    "components": [{"id": "accounting", "name": "Accounting module"}],
    "clients": [
        {"id": "acme", "name": "Acme Corp"},
        {"id": "globex", "name": "Globex", "sla": {"targets": {"P0": {"calendar": "always", "response": "100h"}}}},
    ],
    "sla": {"targets": {
        "P0": {"calendar": "always", "response": "15m", "mitigation": "1h", "resolution": "4h"},
        "P3": {"calendar": "always", "response": "16h"},
    }},
}
INCIDENT = "tickets/incidents/2026/INC-0001.md"


def ticket(**fields: Any) -> str:
    """An incident file (INC-0001, P0, acme, reported unless ``fields`` say otherwise)."""
    front = {"id": "INC-0001", "title": "Ledger export fails", "severity": "P0", "status": "reported",
             "client": "acme", "components": ["accounting"], **fields}
    return "---\n" + yaml.safe_dump({k: v for k, v in front.items() if v is not None}, sort_keys=False) + "---\nDetails.\n"


def new_desk(root: Path, config: dict[str, Any] | None = None, *, when: str = "2026-03-01T09:00:00+01:00") -> Path:
    """A Git repo on ``main`` whose first commit (at ``when``) is gitdesk.yml."""
    repo = root / "desk"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "gitdesk.yml").write_text(yaml.safe_dump(config or CONFIG, sort_keys=False, allow_unicode=True), encoding="utf-8")
    git(repo, "add", "gitdesk.yml")
    git(repo, "commit", "-q", "-m", "gitdesk.yml", when=when)
    return repo


def land(repo: Path, when: str, *, message: str = "edit", remove: str | None = None, **files: str) -> str:
    """Commit on main at ``when`` (committer and author time): write ``files`` (keyword = path with / as __), remove ``remove``."""
    for key, text in files.items():
        path = repo / key.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        git(repo, "add", key.replace("__", "/"))
    if remove is not None:
        git(repo, "rm", "-q", remove)
    git(repo, "commit", "-q", "-m", message, when=when)
    return git(repo, "rev-parse", "HEAD").strip()


def write_incident(repo: Path, when: str, *, message: str = "edit", **fields: Any) -> str:
    """Land INC-0001 with ``fields`` at ``when``; return the commit."""
    return land(repo, when, message=message, **{INCIDENT.replace("/", "__"): ticket(**fields)})


def gitdesk(repo: Path, *args: str) -> tuple[int, str]:
    """Run the real CLI on ``repo``; (exit code, stdout and stderr). A traceback fails the test."""
    result = CliRunner().invoke(cli, ["--repo", str(repo), *args], env=ENV)  # notes commits need an identity
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def sla_json(repo: Path, now: str) -> dict[str, Any]:
    code, out = gitdesk(repo, "sla", "--format", "json", "--now", now)
    assert code == 0, out
    data: dict[str, Any] = json.loads(out)
    return data


def clocks_of(report: dict[str, Any], ticket_id: str = "INC-0001") -> dict[str, Any]:
    """The ``targets`` of one ticket in an ``sla --format json`` report (KeyError-free: fails clearly if absent)."""
    found = [t for t in report["tickets"] if t["id"] == ticket_id]
    assert found, f"{ticket_id} is not in the SLA report: {[t['id'] for t in report['tickets']]}"
    targets: dict[str, Any] = found[0]["targets"]
    return targets
