"""Helpers for the publish tests: a two-client desk with access files, and a real nginx serving its publish.

Debian's nginx is started on 127.0.0.1 with a free port (`.ci/run` installs
it); the tests that need it are skipped, saying why, only when it is absent.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Iterator

import pytest
from click.testing import CliRunner

from gitdesk.cli import cli

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None)
HTPASSWD = shutil.which("htpasswd")
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx; .ci/run does it)")

SECRET = "a" * 16 + "publish-test-secret-0001"
OTHER_SECRET = "b" * 16 + "publish-test-secret-0002"
NOW = "2026-11-23T10:00:00+00:00"
#: user, password per site; acme's entry is bcrypt (htpasswd -B) when htpasswd is installed, the others SHA
USERS = {"acme": ("alice", "alice-pw"), "globex": ("gina", "gina-pw"), "internal": ("sam", "sam-pw")}


def _sample() -> ModuleType:
    # tests/ folders are not packages (pytest runs in importlib mode): load the site tests' sample by path.
    path = Path(__file__).parent.parent / "site" / "sample.py"
    spec = importlib.util.spec_from_file_location("gitdesk_publish_sample", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


sample = _sample()


def git(repo: Path, *args: str, when: datetime | None = None) -> None:
    """Run git in ``repo`` with a fixed author, and fixed commit dates when ``when`` is given."""
    sample._git(repo, *args, when=when)


def sha_entry(user: str, password: str) -> str:
    """An htpasswd line as `htpasswd -s` writes it."""
    return f"{user}:{{SHA}}{base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()}\n"


def bcrypt_entry(user: str, password: str) -> str:
    """An htpasswd line as `htpasswd -B` writes it (SHA when htpasswd is not installed)."""
    if HTPASSWD is None:
        return sha_entry(user, password)
    out = subprocess.run([HTPASSWD, "-nbB", user, password], check=True, capture_output=True, text=True).stdout
    return out.strip() + "\n"


def add_access(repo: Path) -> Path:
    """Give the sample desk access files for both clients and the internal site (acme's outside the repo)."""
    (repo / "access").mkdir()
    (repo / "access" / "globex.htpasswd").write_text(sha_entry(*USERS["globex"]), encoding="utf-8")
    (repo / "access" / "internal.htpasswd").write_text("# staff\n" + sha_entry(*USERS["internal"]), encoding="utf-8")
    outside = repo.parent / f"{repo.name}-acme.htpasswd"
    outside.write_text(bcrypt_entry(*USERS["acme"]), encoding="utf-8")
    config = (repo / "gitdesk.yml").read_text(encoding="utf-8")
    config = config.replace("- {id: acme, name: Acme Corp,", f"- {{id: acme, access: {{htpasswd: {outside}}}, name: Acme Corp,")
    config = config.replace("- {id: globex, name: Globex,", "- {id: globex, access: {htpasswd: access/globex.htpasswd}, name: Globex,")
    config = config.replace('site: {url: "https://status.example.org/"}',
                            'site: {url: "https://status.example.org/", access: {internal_htpasswd: access/internal.htpasswd}}')
    (repo / "gitdesk.yml").write_text(config, encoding="utf-8")
    return repo


def run(repo: Path, *args: str, secret: str | None = SECRET) -> tuple[int, str, str]:
    env = {"GITDESK_FEED_SECRET": secret or ""}
    result = CliRunner().invoke(cli, ["--repo", str(repo), *args], env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def publish(repo: Path, out: Path, port: int, *, secret: str | None = SECRET) -> tuple[int, str, str]:
    # site.url is the public address; the test server is reached through --listen
    return run(repo, "publish", "--out", str(out), "--listen", f"127.0.0.1:{port}", "--now", NOW, secret=secret)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running nginx serving a publish folder."""

    out: Path
    port: int
    stdout: str

    def get(self, path: str, auth: tuple[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """GET ``path`` exactly as written (no client-side normalising of `..` or %-escapes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {}
        if auth is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()


@contextmanager
def nginx(out: Path, port: int) -> Iterator[None]:
    """Run ``nginx -p OUT -c nginx.conf`` in the foreground until the block ends."""
    assert NGINX is not None
    # Started as root, nginx runs its workers as nobody, who cannot enter pytest's private temp folders.
    user = " user root;" if os.geteuid() == 0 else ""
    command = [NGINX, "-p", str(out), "-c", "nginx.conf", "-e", "_nginx/logs/error.log", "-g", "daemon off;" + user]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise AssertionError(f"nginx exited: {process.stdout.read().decode() if process.stdout else ''}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("nginx did not start listening") from None
                time.sleep(0.05)
        yield
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful stop; its workers go with it
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
