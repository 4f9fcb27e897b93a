"""Benchmark `gitdesk notify` with 500 events in one push, against the history read it cannot avoid.

    .venv/bin/python benchmarks/notify.py [--runs 3] [--events 500]

A desk with two clients and three channels (Acme: a JSON webhook, Globex:
e-mail, the service team: a JSON webhook), all real servers on 127.0.0.1
(an HTTP receiver and aiosmtpd). The first run adopts the desk; then one push
lands ``--events`` new incidents, half per client, in two shapes:

- one commit carrying them all;
- 50 commits of ``events / 50`` each (a busy day merged at once).

Each measured run happens in a new process on a copy of the adopted desk
(warm history cache): ``notify()`` in process, and beside it the floor, a
``read_history`` of the same repo. Reported: wall and CPU seconds of the
call, the peak resident memory of the whole process (imports included), and
the peak of Python allocations during the call (tracemalloc, in a separate
run because it slows allocation down). Runs alternate; the best CPU of each
is kept.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

NOW = "2026-11-03T10:01:00+01:00"


def _git(repo: Path, *args: str, when: str = "2026-11-02T09:00:00+01:00") -> None:
    env = {"GIT_AUTHOR_NAME": "Eng", "GIT_AUTHOR_EMAIL": "eng@example.org", "GIT_COMMITTER_NAME": "Eng",
           "GIT_COMMITTER_EMAIL": "eng@example.org", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(repo)}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _ticket(n: int) -> str:
    client = "acme" if n % 2 else "globex"
    return (f"---\nid: INC-{n:04d}\ntitle: Issue {n} <in> the module\nseverity: P2\nstatus: reported\nclient: {client}\n"
            f"update: We are looking into issue {n}.\n---\nDetails.\n")


def make_desk(root: Path, *, hook: int, smtp: int, events: int, commits: int) -> Path:
    repo = root / f"desk-{commits}"
    (repo / "tickets/incidents/2026").mkdir(parents=True)
    (repo / "gitdesk.yml").write_text(f"""\
title: Benchmark desk
timezone: Europe/Madrid
components: [{{id: erp, name: ERP}}]
clients:
  - {{id: acme, name: Acme Corp, notify: ["json://127.0.0.1:{hook}/acme"]}}
  - {{id: globex, name: Globex, notify: ["mailto://127.0.0.1:{smtp}?from=desk@example.org&to=globex@example.org"]}}
notify: ["json://127.0.0.1:{hook}/internal"]
site: {{url: "https://status.example.org"}}
""", encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "desk")
    subprocess.run([sys.executable, "-m", "gitdesk", "--repo", str(repo), "notify", "--now", NOW], check=True, capture_output=True)
    per = events // commits
    for batch in range(commits):
        for n in range(1000 + batch * per, 1000 + (batch + 1) * per):
            (repo / f"tickets/incidents/2026/INC-{n:04d}.md").write_text(_ticket(n), encoding="utf-8")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", f"batch {batch}", when=f"2026-11-03T09:{batch:02d}:00+01:00")
    # warm the history cache, as CI's earlier steps (validate, sla check, build) do
    subprocess.run([sys.executable, "-m", "gitdesk", "--repo", str(repo), "sla", "--format", "json", "--now", NOW],
                   check=True, capture_output=True)
    return repo


def child(repo: Path, what: str, trace: bool) -> None:
    """Run one measured call in this fresh process and print its figures as JSON (``trace``: Python allocations only)."""
    from gitdesk.clock import parse_now
    from gitdesk.history import read_history

    if trace:  # tracemalloc slows every allocation down: timed runs go without it
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    if what == "notify":
        from gitdesk.notify import notify

        report = notify(repo, now=parse_now(NOW), env={})
        outcome = {c.where: (c.outcome.value, len(c.events), c.messages) for c in report.channels}
    else:
        history = read_history(repo)
        outcome = {"tickets": (len(history.tickets), 0, 0)}
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    print(json.dumps({"wall": wall, "cpu": cpu, "peak_alloc": peak,
                      "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "outcome": outcome}))


def measure(repo: Path, what: str, *, trace: bool = False) -> dict[str, Any]:
    work = repo.parent / f"{repo.name}-run"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(repo, work, symlinks=True)
    out = subprocess.run([sys.executable, __file__, "--child", str(work), what, *(["--trace"] if trace else [])], check=True, capture_output=True, text=True).stdout
    shutil.rmtree(work)
    return dict(json.loads(out))


def _servers() -> tuple[int, int, Any, Any]:
    from aiosmtpd.controller import Controller

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    class Inbox:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            return "250 OK"

    http = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    smtp = Controller(Inbox(), hostname="127.0.0.1", port=port)
    smtp.start()
    return http.server_address[1], port, http, smtp


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--child", nargs=2, metavar=("REPO", "WHAT"))
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1], args.trace)
        return 0
    hook, smtp_port, http, smtp = _servers()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for commits in (1, 50):
                repo = make_desk(Path(tmp), hook=hook, smtp=smtp_port, events=args.events, commits=commits)
                best: dict[str, dict[str, Any]] = {}
                for _ in range(args.runs):
                    for what in ("read_history", "notify"):
                        got = measure(repo, what)
                        if what not in best or got["cpu"] < best[what]["cpu"]:
                            best[what] = got
                for what in best:
                    best[what]["peak_alloc"] = measure(repo, what, trace=True)["peak_alloc"]
                print(f"{args.events} events in {commits} commit(s):")
                for what, got in best.items():
                    print(f"  {what:12}  wall {got['wall']:.2f} s  cpu {got['cpu']:.2f} s  peak alloc {got['peak_alloc'] / 2**20:.1f} MiB  "
                          f"max RSS {got['max_rss'] / 2**20:.1f} MiB  {got['outcome']}")
    finally:
        http.shutdown()
        smtp.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
