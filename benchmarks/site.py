"""Benchmark the site build: gitdesk vs a bare Material build of as many plain pages, same run.

    /work/venv/bin/python benchmarks/site.py [--sizes 1000,10000] [--keep DIR]
    /work/venv/bin/python benchmarks/site.py --incremental 2000 [--rounds 3]
    /work/venv/bin/python benchmarks/site.py --serve 1000 [--rounds 3]

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

``--incremental N`` (issue 15): each round commits a change to one ticket,
then runs, in alternating order, a cold ``gitdesk build`` (no page cache)
into a new folder and an incremental one into the folder of the previous
round, each in a new process; it checks that both folders are byte-identical.
Target: incremental <= 0.3x cold.

``--serve N`` (issue 15): runs ``gitdesk serve``, edits one ticket file per
round and times until the server returns the edited page; the floor is
``mkdocs serve --dirty`` on as many plain Material pages, one page edited.
Target: <= 1 s.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitdesk.history.fastimport import FastImport  # noqa: E402

NOW = "2026-11-23T10:00:00+00:00"
#: the console script installed beside this Python (gitdesk has no ``python -m`` entry)
GITDESK = str(Path(sys.executable).parent / "gitdesk")
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


def timed_build(root: Path, out: Path, *, cold: bool) -> dict[str, float]:
    """``gitdesk build`` end to end in a new process: wall and CPU seconds (its forked workers included)."""
    if cold:
        shutil.rmtree(out, ignore_errors=True)
        for kept in (root / ".git/gitdesk").glob("site-*"):
            if kept.name in _cache_names(root, out):  # the page cache's manifest and the rendered ticket pages
                kept.unlink()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([GITDESK, "--repo", str(root), "build", "--out", str(out), "--now", NOW],
                   check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"seconds": wall, "cpu": cpu}


def _cache_names(root: Path, out: Path) -> set[str]:
    from gitdesk.adapters.page_cache import manifest_path, renders_path

    return {manifest_path(root / ".git", out).name, renders_path(root / ".git", out).name}


def change_one_ticket(root: Path, n: int) -> str:
    """Commit a new title for one incident (landed before NOW); its page path."""
    path = next(iter(sorted((root / "tickets/incidents").rglob("INC-00010.md"))))
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("\ntitle: ")
    path.write_text(f"{head}\ntitle: Export failure, round {n}\n{rest.split(chr(10), 1)[1]}", encoding="utf-8")
    env = dict(os.environ, GIT_AUTHOR_DATE=f"2026-11-23T09:{n:02d}:00+00:00", GIT_COMMITTER_DATE=f"2026-11-23T09:{n:02d}:00+00:00",
               GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.org", GIT_COMMITTER_NAME="bench",
               GIT_COMMITTER_EMAIL="bench@example.org")
    subprocess.run(["git", "-C", str(root), "commit", "-qam", f"INC-00010 round {n}"], check=True, env=env)
    return "incidents/INC-00010.html"


def same_tree(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def incremental(work: Path, size: int, rounds: int) -> None:
    """Cold vs one-ticket incremental builds at ``size`` tickets, alternating, best of ``rounds``."""
    repo = work / f"repo-{size}"
    shutil.rmtree(repo, ignore_errors=True)
    make_repo(repo, size)
    out, cold_out = work / "site-incremental", work / "site-cold"
    timed_build(repo, out, cold=True)  # the previous build the first round starts from (history cache warm after it)
    colds, incrs, identical = [], [], True
    for n in range(1, rounds + 1):
        change_one_ticket(repo, n)
        order = [("cold", cold_out), ("incremental", out)]
        for kind, folder in order if n % 2 else reversed(order):
            run = timed_build(repo, folder, cold=kind == "cold")
            (colds if kind == "cold" else incrs).append(run)
            print(f"[{size}] round {n} {kind}: {run['seconds']:.2f} s wall, {run['cpu']:.2f} s CPU", file=sys.stderr)
        identical = identical and same_tree(out, cold_out)
    cold, incr = min(colds, key=lambda r: r["seconds"]), min(incrs, key=lambda r: r["seconds"])
    cold_cpu, incr_cpu = min(r["cpu"] for r in colds), min(r["cpu"] for r in incrs)
    print(f"{'tickets':>8} {'cold wall':>10} {'incr wall':>10} {'ratio':>6} {'cold CPU':>9} {'incr CPU':>9} {'ratio':>6} identical")
    print(f"{size:>8} {cold['seconds']:>9.2f}s {incr['seconds']:>9.2f}s {incr['seconds'] / cold['seconds']:>6.2f} "
          f"{cold_cpu:>8.2f}s {incr_cpu:>8.2f}s {incr_cpu / cold_cpu:>6.2f} {identical}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, needle: str, *, timeout: float) -> float | None:
    """Seconds until ``url`` answers with ``needle`` in it (polled every 10 ms), None after ``timeout``."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local server
                if needle in response.read().decode("utf-8", "replace"):
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.01)
    return None


def serve_latency(command: list[str], cwd: Path, url: str, edit: Callable[[int], str], rounds: int) -> list[float]:
    """Start a preview server, then per round: edit, and time until ``url`` shows the edit."""
    server = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if _wait_for(url, "<html", timeout=600) is None:
            raise SystemExit(f"{command[0]} did not serve {url}")
        times = []
        for n in range(1, rounds + 1):
            time.sleep(1.5)  # let the watcher settle after the last build
            needle = edit(n)
            took = _wait_for(url, needle, timeout=120)
            times.append(took if took is not None else float("inf"))
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def serve(work: Path, size: int, rounds: int) -> None:
    """Edit-to-served latency of ``gitdesk serve`` at ``size`` tickets, beside ``mkdocs serve --dirty`` of as many plain pages."""
    repo, bare = work / f"repo-{size}", work / f"bare-{size}"
    for folder in (repo, bare):
        shutil.rmtree(folder, ignore_errors=True)
    make_repo(repo, size)
    make_bare(bare, size)
    ticket = next(iter(sorted((repo / "tickets/incidents").rglob("INC-00010.md"))))
    page = bare / "docs/pages/p00010.md"

    def edit_ticket(n: int) -> str:
        text = ticket.read_text(encoding="utf-8")
        head, _, rest = text.partition("\ntitle: ")
        ticket.write_text(f"{head}\ntitle: Served edit {n}\n{rest.split(chr(10), 1)[1]}", encoding="utf-8")
        return f"Served edit {n}"

    def edit_page(n: int) -> str:
        page.write_text(page.read_text(encoding="utf-8").replace("# Page 10", f"# Served edit {n}", 1)
                        .replace(f"# Served edit {n - 1}\n", f"# Served edit {n}\n", 1), encoding="utf-8")
        return f"Served edit {n}"

    gitdesk_port, bare_port = _free_port(), _free_port()
    # No --now: a preview shows the working tree, uncommitted edits included.
    ours = serve_latency([GITDESK, "--repo", str(repo), "serve", "--dev-addr", f"127.0.0.1:{gitdesk_port}"],
                         repo, f"http://127.0.0.1:{gitdesk_port}/incidents/INC-00010.html", edit_ticket, rounds)
    floor = serve_latency([sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{bare_port}"],
                          bare, f"http://127.0.0.1:{bare_port}/pages/p00010.html", edit_page, rounds)
    print(f"{'tickets':>8} {'gitdesk serve (best, all)':>40} {'mkdocs serve --dirty (best, all)':>40}")
    print(f"{size:>8} {min(ours):>8.2f}s {', '.join(f'{t:.2f}' for t in ours):>30} {min(floor):>8.2f}s {', '.join(f'{t:.2f}' for t in floor):>30}")


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    """The fastest run (least disturbed by other load on the machine) and the highest RSS seen."""
    return {"seconds": min(r["seconds"] for r in runs), "rss_mib": max(r["rss_mib"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=2, help="warm and bare runs per size, interleaved; the fastest counts")
    parser.add_argument("--keep", type=Path, default=None, help="build under this folder and keep it")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "ROOT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--incremental", type=int, metavar="TICKETS", help="cold vs one-ticket incremental builds")
    parser.add_argument("--serve", type=int, metavar="TICKETS", help="gitdesk serve: edit to served page")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --incremental / --serve; the fastest counts")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="gitdesk-bench-site-"))
    # an installed package has its bytecode; an editable checkout under PYTHONDONTWRITEBYTECODE does not, and
    # compiling ~150 modules at every start would be counted as gitdesk's time (more of a short incremental build's)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "generator")], check=True, stdout=subprocess.DEVNULL)
    if args.incremental or args.serve:
        try:
            if args.incremental:
                incremental(work, args.incremental, args.rounds)
            if args.serve:
                serve(work, args.serve, args.rounds)
        finally:
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)
        return
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
