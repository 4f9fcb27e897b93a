"""Real channels for `gitdesk notify`: an SMTP server (aiosmtpd) and a JSON webhook receiver on 127.0.0.1.

Desks are real Git repositories with fixed commit dates; nothing of Git or
Apprise is mocked. A webhook receiver can be told to answer 500, which is
how a channel fails for real.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from gitdesk.cli import cli

CONFIG: dict[str, Any] = {
    "title": "Acme ERP — service status",
    "timezone": "Europe/Madrid",
    "components": [{"id": "accounting", "name": "Accounting"}, {"id": "orders", "name": "Orders"},
                   {"id": "billing", "name": "Billing"}],
    "clients": [{"id": "acme", "name": "Acme Corp", "components": ["accounting", "orders"]},
                {"id": "globex", "name": "Globex", "components": ["billing"]}],
    "site": {"url": "https://status.example.org"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- SMTP ------------------------------------------------------------------------------

class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@dataclass
class Smtp:
    port: int
    inbox: _Inbox

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=desk@example.org&to={to}"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.inbox.messages if address in str(m["To"])]


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield Smtp(controller.port, inbox)
    finally:
        controller.stop()


# --- webhooks --------------------------------------------------------------------------

@dataclass
class Hooks:
    port: int
    #: path -> JSON payloads accepted (answered 200)
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: paths that answer 500 (their payloads are not recorded as received)
    failing: set[str] = field(default_factory=set)
    attempts: int = 0

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def at(self, path: str) -> list[dict[str, Any]]:
        return self.received.get(path, [])


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    state = Hooks(0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path = self.path.strip("/")
            state.attempts += 1
            if path in state.failing:
                self.send_response(500)
                self.end_headers()
                return
            state.received.setdefault(path, []).append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# --- desks -----------------------------------------------------------------------------

_FOLDERS = {"INC": "tickets/incidents/2026", "MNT": "tickets/maintenance"}


class Desk:
    """A gitdesk repo on branch main whose commits carry fixed dates."""

    def __init__(self, root: Path, config: dict[str, Any]) -> None:
        self.root = root
        self.config = config
        self.fields: dict[str, dict[str, Any]] = {}
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.write_config()
        self.commit({}, "2026-11-02T09:00:00+01:00", "desk")

    def git(self, *args: str, when: str = "2026-11-02T09:00:00+01:00") -> str:
        env = {**os.environ, "GIT_AUTHOR_NAME": "Eng", "GIT_AUTHOR_EMAIL": "eng@example.org", "GIT_COMMITTER_NAME": "Eng",
               "GIT_COMMITTER_EMAIL": "eng@example.org", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        return subprocess.run(["git", "-C", str(self.root), *args], check=True, capture_output=True, text=True, env=env).stdout

    def write_config(self) -> None:
        (self.root / "gitdesk.yml").write_text(yaml.safe_dump(self.config, sort_keys=False, allow_unicode=True), "utf-8")

    def path(self, ticket_id: str) -> Path:
        return self.root / _FOLDERS[ticket_id[:3]] / f"{ticket_id}.md"

    def commit(self, changes: dict[str, dict[str, Any] | None], when: str, message: str = "change") -> str:
        """Merge ``changes`` into each ticket's fields (None deletes the file) and commit at ``when``."""
        for ticket_id, fields in changes.items():
            path = self.path(ticket_id)
            if fields is None:
                path.unlink()
                continue
            merged = self.fields[ticket_id] = {**self.fields.get(ticket_id, {"id": ticket_id}), **fields}
            path.parent.mkdir(parents=True, exist_ok=True)
            front = yaml.safe_dump(merged, sort_keys=False, allow_unicode=True)
            path.write_text(f"---\n{front}---\nDetails.\n", "utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, when=when)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def ref(self, name: str) -> str | None:
        found = subprocess.run(["git", "-C", str(self.root), "rev-parse", "-q", "--verify", name], capture_output=True, text=True)
        return found.stdout.strip() or None

    def notify(self, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, ["--repo", str(self.root), "notify", *args], env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    def notify_json(self, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, dict[str, Any]]:
        code, out, err = self.notify("--format", "json", *args, env=env)
        assert out, err
        return code, json.loads(out)


def incident(title: str, *, client: str | None = None, status: str = "reported", severity: str = "P2",
             components: list[str] | None = None, **more: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": title, "severity": severity, "status": status, "components": components or []}
    if client:
        fields["client"] = client
    fields.update(more)
    return fields


@pytest.fixture
def make_desk(tmp_path: Path) -> Any:
    def make(config: dict[str, Any]) -> Desk:
        return Desk(tmp_path / "desk", config)
    return make


def with_channels(smtp: Smtp, hooks: Hooks) -> dict[str, Any]:
    """Acme by webhook, Globex by e-mail, the service team by webhook and e-mail."""
    config = json.loads(json.dumps(CONFIG))
    config["clients"][0]["notify"] = [hooks.url("acme")]
    config["clients"][1]["notify"] = [smtp.url("globex@example.org")]
    config["notify"] = [hooks.url("internal"), smtp.url("ops@example.org")]
    return config
