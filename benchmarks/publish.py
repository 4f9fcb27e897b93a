"""Benchmark `gitdesk publish` (internal + 2 clients, one read of the repo) against one `gitdesk build`.

    .venv/bin/python benchmarks/publish.py [--runs 3] [--keep DIR]

On the demo desk (`gitdesk demo`: two clients, a year of history) with access
files added, it times end to end, each in a new process with the history
cache warm:

- ``gitdesk publish`` (internal site, both clients' sites, nginx.conf, feeds);
- one ``gitdesk build --client acme``, the floor: a publish cannot cost less;
- the three builds a publish replaces (internal, acme, norte), run one after another.

Runs alternate and the best of each is kept (the machine is shared).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOW = "2026-11-20T17:45:00+01:00"
SECRET = "benchmark-secret-" + "0" * 32


def gitdesk(*args: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``gitdesk ARGS`` in a new process: (wall seconds, CPU seconds of it and its forked workers).

    CPU time is the steadier figure on a shared machine: other jobs stretch the wall time, not the work.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gitdesk", *args], check=True, capture_output=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _sum(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(r[0] for r in runs), sum(r[1] for r in runs)


def make_desk(root: Path) -> Path:
    """The demo desk, with an htpasswd file per site and a public address."""
    repo = root / "desk"
    subprocess.run([sys.executable, "-m", "gitdesk", "demo", str(repo)], check=True, capture_output=True)
    (repo / "access").mkdir()
    for name in ("internal", "acme", "norte"):
        digest = base64.b64encode(hashlib.sha1(f"{name}-pw".encode()).digest()).decode()
        (repo / "access" / f"{name}.htpasswd").write_text(f"{name}:{{SHA}}{digest}\n", encoding="utf-8")
    config = (repo / "gitdesk.yml").read_text(encoding="utf-8")
    for client in ("acme", "norte"):
        config = config.replace(f"- {{id: {client},", f"- {{id: {client}, access: {{htpasswd: access/{client}.htpasswd}},")
    config += "\nsite: {url: 'https://status.example.org/', access: {internal_htpasswd: access/internal.htpasswd}}\n"
    (repo / "gitdesk.yml").write_text(config, encoding="utf-8")
    return repo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="keep the desk and outputs here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="gitdesk-bench-publish-"))
    root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GITDESK_FEED_SECRET=SECRET)
    try:
        repo = make_desk(root)
        base = ("--repo", str(repo))
        gitdesk(*base, "build", "--client", "acme", "--out", str(root / "warmup"), "--now", NOW)  # warm the history cache
        publish, one, three = [], [], []
        for _ in range(args.runs):
            publish.append(gitdesk(*base, "publish", "--out", str(root / "published"), "--now", NOW, env=env))
            one.append(gitdesk(*base, "build", "--client", "acme", "--out", str(root / "one"), "--now", NOW))
            three.append(_sum([gitdesk(*base, "build", *who, "--out", str(root / f"three-{i}"), "--now", NOW)
                               for i, who in enumerate((("--audience", "internal"), ("--client", "acme"), ("--client", "norte")))]))
        pages = sum(1 for _ in (root / "published").rglob("*.html"))
        print(f"demo desk, {pages} HTML pages published (internal + acme + norte), best of {args.runs}:")
        rows = (("one build (acme), the floor", one), ("three builds, one per site", three), ("publish (all three + nginx)", publish))
        best = {name: (min(r[0] for r in runs), min(r[1] for r in runs)) for name, runs in rows}
        floor, separate = best[rows[0][0]], best[rows[1][0]]
        print(f"  {'':30} {'wall':>8} {'CPU':>8}")
        for name, (wall, cpu) in best.items():
            print(f"  {name:30} {wall:7.2f}s {cpu:7.2f}s   {wall / floor[0]:.2f}x / {cpu / floor[1]:.2f}x one build, "
                  f"{wall / separate[0]:.2f}x / {cpu / separate[1]:.2f}x three builds")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
