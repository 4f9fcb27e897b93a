"""Benchmark the site build: gitdesk vs a bare Material build of as many plain pages, same run.

    /work/venv/bin/python benchmarks/site.py [--sizes 1000,10000] [--keep DIR]

For each size it synthesizes a valid gitdesk repo with ``git fast-import``
(incidents sharded by year, three landed status changes each, a few decisions,
backlog items and maintenance windows), then times, each in a fresh process:

- ``gitdesk build`` (the real pipeline: load, Git history, SLA, site core,
  MkDocs + Material), cold (no history cache) and warm (cache up to date);
- a bare ``mkdocs build`` with Material of the same number of plain pages,
  kept out of the nav like the ticket pages (``not_in_nav``).

It prints the ratio gitdesk / bare, the per-ticket time, and every build's
peak RSS. Targets (issue 4): ratio <= 1.3, per-ticket time at 10k <= 1.3x
that at 1k, peak RSS <= 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitdesk.history.fastimport import FastImport  # noqa: E402

NOW = "2026-11-23T10:00:00+00:00"
# No sla/uptime sections: the built-in defaults are the seed's policy (P0 15m/1h/4h 24/7, P1 1h/8h, ...).
CONFIG = """title: Benchmark desk
timezone: Europe/Madrid
repo_url: https://example.org/bench/ops
components:
  - {id: accounting, name: Accounting module}
  - {id: orders, name: Orders panel}
  - {id: reports, name: Reports}
calendars:
  business:
    timezone: Europe/Madrid
    hours: {mon: ["09:00-14:00", "15:00-18:00"], tue: ["09:00-14:00", "15:00-18:00"], wed: ["09:00-14:00", "15:00-18:00"], thu: ["09:00-14:00", "15:00-18:00"], fri: ["09:00-14:00", "15:00-18:00"]}
site: {page_size: 100}
"""
MKDOCS = """site_name: Benchmark desk
use_directory_urls: false
theme: {name: material, font: false}
plugins: [search, gitdesk]
"""
BARE = """site_name: Bare
use_directory_urls: false
theme: {name: material, font: false}
plugins: [search]
not_in_nav: |
  /pages/
"""
BODY = ("The export of the accounting module failed after the nightly run. Users saw an error when "
        "opening the ledger. We reproduced it on staging and traced it to a renamed column.\n\n"
        "- affected: accounting exports\n- workaround: run the export by hand\n")


def incident(n: int, status: str, when: datetime, rng: random.Random, client: str | None = None) -> str:
    sev = rng.choice(("P0", "P1", "P2", "P2", "P3", "P3"))
    return (f"---\nid: INC-{n:05d}\ntitle: Export failure number {n}\nseverity: {sev}\nstatus: {status}\n"
            + (f"client: {client}\n" if client else "")
            + f"components: [{rng.choice(('accounting', 'orders', 'reports'))}]\nimpact: {rng.choice(('none', 'degraded', 'outage'))}\n"
            f"reported_at: '{when.isoformat()}'\nupdate: Now {status}.\n"
            + ("root_cause: A renamed column.\nresolution: Mapping fixed.\nprevention: Contract test.\n" if status == "resolved" else "")
            + f"---\n{BODY}")


def make_repo(root: Path, size: int, *, clients: Sequence[str] = ()) -> None:
    """A gitdesk repo of ``size`` incidents over the year before NOW, one commit per status change.

    With ``clients``, incident n belongs to ``clients[n % len(clients)]`` (gitdesk.yml is left without them).
    """
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    rng = random.Random(size)
    end = datetime(2026, 11, 22, tzinfo=timezone.utc)
    start = end - timedelta(days=365)
    events = []
    for n in range(1, size + 1):
        opened = start + timedelta(seconds=rng.randrange(365 * 86400))
        path = f"tickets/incidents/{opened.year}/INC-{n:05d}.md"
        for status, delta in (("reported", 0), ("investigating", 600 + rng.randrange(3600)), ("resolved", 7200 + rng.randrange(86400))):
            events.append((opened + timedelta(seconds=delta), path, n, status))
    events.sort()
    with FastImport(root) as fi:
        extra = {"gitdesk.yml": CONFIG, "mkdocs.yml": MKDOCS, "docs/.keep": ""}
        for i in range(1, 21):
            extra[f"tickets/decisions/DEC-{i:04d}.md"] = f"---\nid: DEC-{i:04d}\ntitle: Decision {i}\nstatus: accepted\n---\n## Decision\nDo it.\n"
            extra[f"backlog/EVO-{i:04d}.md"] = f"---\nid: EVO-{i:04d}\ntitle: Improvement {i}\nstatus: planned\ncategory: automation\ntarget: 2027-Q1\n---\n"
            day = end + timedelta(days=i)
            extra[f"tickets/maintenance/MNT-{i:04d}.md"] = (f"---\nid: MNT-{i:04d}\ntitle: Window {i}\nstarts_at: '{day.isoformat()}'\n"
                                                            f"ends_at: '{(day + timedelta(hours=2)).isoformat()}'\ncomponents: [orders]\n---\n")
        fi.commit("main", when=start - timedelta(days=1), message="desk", files=extra)
        batch: dict[str, str] = {}
        # One commit per event would be 3 commits per ticket; group events of the same hour into a commit at its end, as merges do
        # (never before an event it declares: that would be a GD310 error, and the build refuses those).
        current = None
        for when, path, n, status in events:
            hour = when.replace(minute=0, second=0, microsecond=0)
            if current is not None and hour != current and batch:
                fi.commit("main", when=current + timedelta(hours=1), message="tickets", files=batch)
                batch = {}
            current = hour
            batch[path] = incident(n, status, when, rng, clients[n % len(clients)] if clients else None)
        if batch and current is not None:
            fi.commit("main", when=current + timedelta(hours=1), message="tickets", files=batch)
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "main"], check=True)


def make_bare(root: Path, size: int) -> None:
    """``size`` plain pages of about a ticket page's text, out of the nav, plus a home page."""
    (root / "docs/pages").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(BARE, encoding="utf-8")
    (root / "docs/index.md").write_text("# Home\n", encoding="utf-8")
    for n in range(1, size + 1):
        rows = "".join(f"| 2026-11-0{i} 10:00 | status change {i} | Update {i} | abc{i} |\n" for i in range(1, 4))
        (root / f"docs/pages/p{n:05d}.md").write_text(
            f"# Page {n}\n\nSeverity P2, status resolved.\n\n## Timeline\n\n| Time | Change | Update | Commit |\n|---|---|---|---|\n{rows}\n## Details\n\n{BODY}",
            encoding="utf-8")


def child(kind: str, root: Path, out: Path) -> None:
    """Run one build in this (fresh) process and print its time and peak RSS as JSON."""
    started = time.perf_counter()
    if kind == "gitdesk":
        from gitdesk.adapters.mkdocs_build import build_site
        from gitdesk.pipeline import SiteOptions
        from gitdesk.clock import parse_now

        build_site(SiteOptions(root, now=parse_now(NOW)), out)
    else:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        build(load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(out)))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def measure(kind: str, root: Path, out: Path) -> dict[str, float]:
    """One build in a fresh process into a fresh ``out`` (removing an old site is not the build's cost)."""
    shutil.rmtree(out, ignore_errors=True)
    result = subprocess.run([sys.executable, __file__, "--child", kind, str(root), str(out)], check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    """The fastest run (least disturbed by other load on the machine) and the highest RSS seen."""
    return {"seconds": min(r["seconds"] for r in runs), "rss_mib": max(r["rss_mib"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=2, help="warm and bare runs per size, interleaved; the fastest counts")
    parser.add_argument("--keep", type=Path, default=None, help="build under this folder and keep it")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "ROOT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="gitdesk-bench-site-"))
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            repo, bare = work / f"repo-{size}", work / f"bare-{size}"
            for folder in (repo, bare):
                shutil.rmtree(folder, ignore_errors=True)
            t0 = time.perf_counter()
            make_repo(repo, size)
            make_bare(bare, size)
            print(f"[{size}] data ready in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            shutil.rmtree(repo / ".git" / "gitdesk", ignore_errors=True)
            cold = measure("gitdesk", repo, work / f"site-{size}")
            warm_runs, bare_runs = [], []
            for _ in range(args.repeat):  # interleaved, so a burst of load elsewhere hits both sides
                bare_runs.append(measure("bare", bare, work / f"bare-site-{size}"))
                warm_runs.append(measure("gitdesk", repo, work / f"site-{size}"))
            warm, plain = best(warm_runs), best(bare_runs)
            pages = sum(1 for _ in (work / f"site-{size}").rglob("*.html"))
            rows.append({"tickets": size, "pages": pages, "cold": cold, "warm": warm, "bare": plain})
            print(f"[{size}] gitdesk cold {cold['seconds']:.1f} s, warm {warm['seconds']:.1f} s, bare {plain['seconds']:.1f} s", file=sys.stderr)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{'tickets':>8} {'html pages':>10} {'gitdesk cold':>13} {'gitdesk warm':>13} {'bare':>8} {'ratio warm':>10} {'ratio cold':>10} "
          f"{'ms/ticket':>9} {'RSS MiB':>8} {'bare RSS':>8}")
    for row in rows:
        n = row["tickets"]
        print(f"{n:>8} {row['pages']:>10} {row['cold']['seconds']:>12.1f}s {row['warm']['seconds']:>12.1f}s {row['bare']['seconds']:>7.1f}s "
              f"{row['warm']['seconds'] / row['bare']['seconds']:>10.2f} {row['cold']['seconds'] / row['bare']['seconds']:>10.2f} "
              f"{1000 * row['warm']['seconds'] / n:>9.2f} {max(row['cold']['rss_mib'], row['warm']['rss_mib']):>8.0f} {row['bare']['rss_mib']:>8.0f}")
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        growth = (large["warm"]["seconds"] / large["tickets"]) / (small["warm"]["seconds"] / small["tickets"])
        print(f"per-ticket time {large['tickets']} vs {small['tickets']}: {growth:.2f}x")


if __name__ == "__main__":
    main()
