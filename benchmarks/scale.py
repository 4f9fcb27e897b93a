"""Benchmark every stage at one size (100,000 incidents by default), each beside its floor, with peak RSS.

    .venv/bin/python benchmarks/scale.py [--tickets 100000] [--years 10] [--keep DIR | --reuse DIR] [--rounds 1]

The repo is the one ``benchmarks/history.py`` synthesizes (``git fast-import``,
one commit per status change, incidents in ``--years`` year folders). Every
step runs end to end in a new process under GNU time, which gives its wall
time, its CPU time (user + system, forked workers included) and its peak RSS
(the largest process of the step). Steps and their floors:

- history: the raw floor is one ``git log --first-parent --raw`` over
  ``tickets/`` plus one ``git cat-file --batch`` of every blob it names;
  ``read_history`` runs cold (no cache) and warm (its cache, no new commit);
- ``gitdesk sla --format json``, cold (no history or load cache) and warm
  (both caches): same floor;
- ``gitdesk validate`` and ``validate --no-history``: the floor reads every
  ticket file and parses its front matter with PyYAML's C loader;
- ``gitdesk build --audience internal`` (history cache warm): the floor is a
  bare MkDocs Material build of as many plain pages (``benchmarks/site.py``);
- ``gitdesk serve`` (the desk's own audience, the working tree): the time to
  its first page, then per round the time from rewriting one ticket's title
  to the page serving it, and the server's peak RSS; the floor is ``mkdocs
  serve --dirty`` on the same plain pages, one page edited the same way (not
  run with ``--rounds``: the servers' start-up is most of the step).

With ``--rounds`` above 1 each step and its floor alternate, and the best of
each is kept. The repo is generated once: ``--keep DIR`` keeps it, ``--reuse
DIR`` times it again. A 100k repo (86,141 hourly commits) took 43 minutes to
synthesize on a loaded machine, and history, sla and validate about 30 more;
the build step adds two builds of 100,000 pages. Run nothing else heavy meanwhile.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

HERE = Path(__file__).resolve().parent
NOW = "2026-11-23T10:00:00+00:00"
STEPS = ("history", "sla", "validate", "build", "serve")


def sibling(name: str) -> ModuleType:
    """Another benchmark script of this folder as a module (``site`` would otherwise be the standard library's)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    rss_mib: float


def timed(argv: list[str], *, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` in a new process under GNU time: wall, user + system CPU (waited children included), peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        started = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", report.name, *argv], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - started
        user, system, rss = report.read().split()[-3:]
    return Run(wall, float(user) + float(system), int(rss) / 1024)


def gitdesk(repo: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "gitdesk", "--repo", str(repo), *args]


def child(kind: str, *args: str) -> list[str]:
    """A command that runs one in-process step of this script in a new process."""
    return [sys.executable, __file__, "--child", kind, *args]


def run_child(kind: str, args: list[str]) -> None:
    repo = Path(args[0])
    if kind == "floor":
        sibling("history").floor(repo)
    elif kind == "history":
        from gitdesk.history import read_history

        read_history(repo)
    elif kind == "yaml":
        sibling("validate").floor(sorted((repo / "tickets").rglob("*.md")))


def serve_step(repo: Path, work: Path, files: int, *, rounds: int) -> list[str]:
    """``gitdesk serve`` and ``mkdocs serve --dirty``: start-up, then edit to served page per round, and peak RSS."""
    site = sibling("site")
    bare = work / "bare"
    if not (bare / "mkdocs.yml").is_file():
        shutil.rmtree(bare, ignore_errors=True)
        site.make_bare(bare, files)
    ticket = next(iter(sorted((repo / "tickets").rglob("INC-00010.md"))))
    page = bare / "docs/pages/p00010.md"
    saved = ticket.read_bytes(), page.read_bytes()

    def edit_ticket(n: int) -> str:
        head, _, rest = ticket.read_text(encoding="utf-8").partition("\ntitle: ")
        ticket.write_text(f"{head}\ntitle: Served edit {n}\n{rest.split(chr(10), 1)[1]}", encoding="utf-8")
        return f"Served edit {n}"

    def edit_page(n: int) -> str:
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace("# Page 10\n", f"# Served edit {n}\n", 1)
                        .replace(f"# Served edit {n - 1}\n", f"# Served edit {n}\n", 1), encoding="utf-8")
        return f"Served edit {n}"

    lines = ["", "| server | first page | edit → page served (each round) | peak RSS |", "|---|---|---|---|"]
    try:
        for name, command, cwd, path, edit in (
                ("mkdocs serve --dirty (floor)", [sys.executable, "-m", "mkdocs", "serve", "--dirty"], bare,
                 "pages/p00010.html", edit_page),
                ("gitdesk serve", [sys.executable, "-m", "gitdesk", "--repo", str(repo), "serve"], repo,
                 "incidents/INC-00010.html", edit_ticket)):
            port = site._free_port()
            server = subprocess.Popen([*command, "--dev-addr", f"127.0.0.1:{port}"], cwd=cwd,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            url = f"http://127.0.0.1:{port}/{path}"
            try:
                first = site._wait_for(url, "<html", timeout=3600)
                times = []
                for n in range(1, rounds + 1 if first is not None else 1):
                    time.sleep(2)  # let the watcher settle after the last build
                    took = site._wait_for(url, edit(n), timeout=1800)
                    times.append(took if took is not None else float("inf"))
                rss = peak_rss_mib(server.pid)
            finally:
                server.terminate()
                server.wait(timeout=60)
            line = (f"| {name} | {first:.1f} s | " if first is not None else f"| {name} | did not start | ") + \
                f"{', '.join(f'{t:.2f} s' for t in times)} | {rss:.0f} MiB |"
            print(f"  serve: {line}; load {os.getloadavg()[0]:.1f}", file=sys.stderr)
            lines.append(line)
    finally:
        ticket.write_bytes(saved[0])
        page.write_bytes(saved[1])
    return lines


def peak_rss_mib(pid: int) -> float:
    """The peak resident memory of a running process (Linux: VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def clear_caches(repo: Path) -> None:
    """Forget the history cache (``.git/gitdesk``) and the load cache (``.gitdesk-cache``)."""
    shutil.rmtree(repo / ".git" / "gitdesk", ignore_errors=True)
    shutil.rmtree(repo / ".gitdesk-cache", ignore_errors=True)


def best(runs: list[Run]) -> Run:
    """The fastest run (least disturbed by other load) and the highest RSS seen."""
    fastest = min(runs, key=lambda r: r.wall)
    return Run(fastest.wall, min(r.cpu for r in runs), max(r.rss_mib for r in runs))


def alternate(rounds: int, floor: list[str], ours: list[str], *,
              prepare: Callable[[], None] = lambda: None) -> tuple[Run, Run]:
    """Best of ``rounds`` of the floor and of ours, alternating; ``prepare`` runs before each of ours."""
    floors, runs = [], []
    for _ in range(rounds):
        floors.append(timed(floor))
        prepare()
        runs.append(timed(ours))
    return best(floors), best(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=10, help="year folders the incidents are spread over")
    parser.add_argument("--per-change", action="store_true",
                        help="one commit per status change (default: one per hour of changes; 100k would take hours to write)")
    parser.add_argument("--keep", type=Path, default=None, help="synthesize under this folder and keep it")
    parser.add_argument("--reuse", type=Path, default=None, help="time the repo an earlier --keep left (DIR/repo)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--steps", default=",".join(STEPS), help=f"a subset of {','.join(STEPS)}")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child[0], args.child[1:])
        return
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # progress shows when piped
    work = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="gitdesk-bench-scale-"))
    repo = work / "repo"
    steps = set(args.steps.split(","))
    rows: list[tuple[str, str, Run, Run]] = []
    serve_rows: list[str] = []

    def note(step: str, floor_name: str, floor: Run, ours: Run) -> None:
        rows.append((step, floor_name, floor, ours))
        print(f"  {step}: {ours.wall:.1f} s (CPU {ours.cpu:.1f} s, {ours.rss_mib:.0f} MiB) against {floor_name} "
              f"{floor.wall:.1f} s (CPU {floor.cpu:.1f} s, {floor.rss_mib:.0f} MiB) = {ours.wall / floor.wall:.2f}x wall, "
              f"{ours.cpu / floor.cpu:.2f}x CPU; load {os.getloadavg()[0]:.1f}", file=sys.stderr)
        if args.json:  # after every step: a long run stopped halfway keeps what it measured
            args.json.write_text(json.dumps({"tickets": args.tickets, "commits": commits, "rows": [
                {"step": s, "floor_name": n, "floor": vars(f), "gitdesk": vars(o)} for s, n, f, o in rows]}, indent=2), encoding="utf-8")

    try:
        if args.reuse is None:
            started = time.perf_counter()
            work.mkdir(parents=True, exist_ok=True)
            commits = sibling("history").synthesize(repo, args.tickets, years=args.years, hourly=not args.per_change)
            print(f"synthesized {args.tickets} incidents, {commits} commits in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        commits = int(subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True, text=True,
                                     check=True).stdout)
        files = sum(1 for _ in (repo / "tickets").rglob("*.md"))
        print(f"{files} ticket files, {commits} commits; load: {os.getloadavg()[0]:.1f} (1 min average), "
              f"{subprocess.run(['git', '-C', str(HERE), 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()}",
              file=sys.stderr)
        history_floor = child("floor", str(repo))
        if "history" in steps:
            floor, cold = alternate(args.rounds, history_floor, child("history", str(repo)), prepare=lambda: clear_caches(repo))
            note("read_history cold", "git log + cat-file", floor, cold)
            floor, warm = alternate(args.rounds, history_floor, child("history", str(repo)))
            note("read_history warm", "git log + cat-file", floor, warm)
        if "sla" in steps:
            sla = gitdesk(repo, "sla", "--format", "json", "--now", NOW)
            floor, cold = alternate(args.rounds, history_floor, sla, prepare=lambda: clear_caches(repo))
            note("sla --format json cold", "git log + cat-file", floor, cold)
            floor, warm = alternate(args.rounds, history_floor, sla)
            note("sla --format json warm", "git log + cat-file", floor, warm)
        if "validate" in steps:
            yaml_floor = child("yaml", str(repo))
            floor, ours = alternate(args.rounds, yaml_floor, gitdesk(repo, "validate", "--no-history"))
            note("validate --no-history", "read + C YAML", floor, ours)
            floor, ours = alternate(args.rounds, yaml_floor, gitdesk(repo, "validate"))
            note("validate (history warm)", "read + C YAML", floor, ours)
        if "build" in steps:
            bare = work / "bare"
            if not (bare / "mkdocs.yml").is_file():
                shutil.rmtree(bare, ignore_errors=True)
                sibling("site").make_bare(bare, files)
            bare_build = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(bare / "mkdocs.yml"), "-d", str(work / "bare-site")]
            floor, ours = alternate(args.rounds, bare_build,
                                    gitdesk(repo, "build", "--audience", "internal", "--out", str(work / "site"), "--now", NOW))
            note("build --audience internal", "bare Material build", floor, ours)
        if "serve" in steps:
            serve_rows.extend(serve_step(repo, work, files, rounds=max(3, args.rounds)))
    finally:
        if args.keep is None and args.reuse is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{args.tickets:,} incidents, {commits:,} commits; best of {args.rounds}")
    print("| step | floor, same run | floor wall / CPU | gitdesk wall / CPU | ratio wall / CPU | peak RSS | floor RSS | ms per ticket |")
    print("|---|---|---|---|---|---|---|---|")
    for step, floor_name, floor, ours in rows:
        print(f"| {step} | {floor_name} | {floor.wall:.1f} s / {floor.cpu:.1f} s | {ours.wall:.1f} s / {ours.cpu:.1f} s "
              f"| {ours.wall / floor.wall:.2f}x / {ours.cpu / floor.cpu:.2f}x | {ours.rss_mib:.0f} MiB | {floor.rss_mib:.0f} MiB "
              f"| {1000 * ours.wall / args.tickets:.2f} |")
    for line in serve_rows:
        print(line)


if __name__ == "__main__":
    main()
