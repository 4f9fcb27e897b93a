"""Benchmark `gitdesk publish` for N clients (one read of the repo) against the N + 1 builds it replaces.

    .venv/bin/python benchmarks/publish.py [--tickets 1000] [--clients 2,20] [--runs 2] [--keep DIR] [--before SRC]

For each N it synthesizes a desk (``benchmarks/site.py``'s repo: a year of
incidents, three landed status changes each, spread round-robin over N
clients, plus shared decisions, backlog and maintenance), with an htpasswd
file per site and a public address. Each command then runs end to end in a
new process, with the history cache warm:

- ``gitdesk publish``: the internal site, every client's site, feeds, nginx.conf;
- the N + 1 builds it replaces, one after another: ``build --audience internal``
  and ``build --client X`` for each client;
- one ``build --client`` alone: a publish cannot cost less than its smallest site;
- with ``--before SRC``, ``publish`` again with the gitdesk of an older checkout
  (SRC/generator imported as ``gitdesk``), to measure a change in the same run.

Runs alternate and the best of each is kept (the machine is shared). CPU is
user + system time of the process and its forked page workers: the steadier
figure when other jobs stretch the wall time.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scale import Run, gitdesk, sibling, timed

SECRET = "benchmark-secret-" + "0" * 32
SITE = sibling("site")


def client_ids(count: int) -> list[str]:
    return [f"c{k:02d}" for k in range(1, count + 1)]


def make_desk(repo: Path, *, tickets: int, clients: int) -> None:
    """The synthesized desk with ``clients`` clients, an htpasswd file per site and a public address."""
    ids = client_ids(clients)
    SITE.make_repo(repo, tickets, clients=ids)
    (repo / "access").mkdir()
    for name in ("internal", *ids):
        digest = base64.b64encode(hashlib.sha1(f"{name}-pw".encode()).digest()).decode()
        (repo / "access" / f"{name}.htpasswd").write_text(f"{name}:{{SHA}}{digest}\n", encoding="utf-8")
    config = SITE.CONFIG.replace("site: {page_size: 100}",
                                 "site: {page_size: 100, url: 'https://status.example.org/', "
                                 "access: {internal_htpasswd: access/internal.htpasswd}}")
    config += "clients:\n" + "".join(f"  - {{id: {c}, name: Client {c}, access: {{htpasswd: access/{c}.htpasswd}}}}\n" for c in ids)
    (repo / "gitdesk.yml").write_text(config, encoding="utf-8")


def total(runs: list[Run]) -> Run:
    return Run(sum(r.wall for r in runs), sum(r.cpu for r in runs), max(r.rss_mib for r in runs))


def best(runs: list[Run]) -> Run:
    return Run(min(r.wall for r in runs), min(r.cpu for r in runs), max(r.rss_mib for r in runs))


def older(source: Path, shim: Path) -> dict[str, str]:
    """An environment whose ``gitdesk`` (the CLI and the MkDocs plugin it loads) is ``source``/generator."""
    shim.mkdir(parents=True, exist_ok=True)
    link = shim / "gitdesk"
    if not link.is_symlink():
        link.symlink_to((source / "generator").resolve())
    return dict(os.environ, GITDESK_FEED_SECRET=SECRET, PYTHONPATH=str(shim))


def measure(root: Path, *, tickets: int, clients: int, runs: int, before: Path | None) -> dict[str, Run]:
    """Best of ``runs`` alternating rounds of publish, the N + 1 separate builds and one client build."""
    repo = root / f"desk-{clients}"
    make_desk(repo, tickets=tickets, clients=clients)
    env = dict(os.environ, GITDESK_FEED_SECRET=SECRET)
    old_env = older(before, root / "before-shim") if before else None
    now = ("--now", SITE.NOW)
    sites = [("--audience", "internal"), *(("--client", c) for c in client_ids(clients))]
    timed(gitdesk(repo, "build", *sites[1], "--out", str(root / "warmup"), *now))  # warms the history cache
    publish, separate, one, previous = [], [], [], []
    for _ in range(runs):
        if old_env is not None:
            previous.append(timed(gitdesk(repo, "publish", "--out", str(root / f"published-before-{clients}"), *now), env=old_env))
        publish.append(timed(gitdesk(repo, "publish", "--out", str(root / f"published-{clients}"), *now), env=env))
        separate.append(total([timed(gitdesk(repo, "build", *who, "--out", str(root / f"separate-{i}"), *now))
                               for i, who in enumerate(sites)]))
        one.append(timed(gitdesk(repo, "build", *sites[1], "--out", str(root / "one"), *now)))
    figures = {"one": best(one), "separate": best(separate), "publish": best(publish)}
    return figures | ({"before": best(previous)} if previous else {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--clients", default="2,20", help="comma-separated client counts")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="keep the desks and outputs here")
    parser.add_argument("--before", type=Path, default=None, help="also time publish with the gitdesk of this older checkout")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="gitdesk-bench-publish-"))
    root.mkdir(parents=True, exist_ok=True)
    head = subprocess.run(["git", "-C", str(Path(__file__).parent), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"{args.tickets} incidents, best of {args.runs}, at {head}; load {os.getloadavg()[0]:.1f} (1 min average)")
    print("| clients | what | wall | CPU | peak RSS | CPU vs N + 1 builds | wall vs N + 1 builds |")
    print("|---|---|---|---|---|---|---|")
    try:
        for count in (int(c) for c in args.clients.split(",")):
            shutil.rmtree(root / f"desk-{count}", ignore_errors=True)
            figures = measure(root, tickets=args.tickets, clients=count, runs=args.runs, before=args.before)
            separate = figures["separate"]
            labels = {"one": "one `build --client` (the floor)", "separate": f"{count + 1} builds, one per site",
                      "before": f"`publish` before (`{args.before}`)", "publish": f"`publish`: {count + 1} sites, feeds, nginx.conf"}
            for key, label in labels.items():
                if key not in figures:
                    continue
                run = figures[key]
                print(f"| {count} | {label} | {run.wall:.1f} s | {run.cpu:.1f} s | {run.rss_mib:.0f} MiB "
                      f"| {run.cpu / separate.cpu:.2f}x | {run.wall / separate.wall:.2f}x |", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
