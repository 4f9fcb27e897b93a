"""Benchmark the history stage: one command, prints floor, cold, warm, per-file and RSS.

    /work/venv/bin/python benchmarks/history.py [--tickets 10000] [--sample 50] [--keep DIR | --reuse DIR]

It synthesizes a valid gitdesk repo with ``git fast-import`` (incidents sharded
in five year folders, one commit per status change), then times:

- the raw floor: one ``git log --first-parent --raw`` over ``tickets/`` plus one
  ``git cat-file --batch`` of the blobs it names;
- ``read_history`` cold (no cache) and warm (cache, no new commits), in process;
- ``gitdesk sla --format json`` end to end (a fresh process), cold (no history,
  load or SLA cache) and warm (no new commit, no edited file: the SLA snapshot),
  each right after a floor run, alternating, in wall-clock and CPU seconds
  (``--sla-only`` runs just these);
- the per-file approach (``git log --follow`` per file), sampled and extrapolated;
- reading every ticket blob three ways: the pipelined ``cat-file --batch``
  that ``read_history`` uses, GitPython's ``GitCmdObjectDB`` (one persistent
  ``cat-file``, one round trip per blob) and its pure-Python ``GitDB``;
- peak RSS of this process and of the gitdesk child processes.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitdesk.history.fastimport import FastImport  # noqa: E402
from gitdesk.history import read_history  # noqa: E402

CONFIG = """title: Benchmark desk
timezone: Europe/Madrid
components:
  - {id: accounting, name: Accounting module}
  - {id: orders, name: Orders panel}
  - {id: reports, name: Reports}
calendars:
  business:
    timezone: Europe/Madrid
    hours: {mon: ["09:00-14:00", "15:00-18:00"], tue: ["09:00-14:00", "15:00-18:00"], wed: ["09:00-14:00", "15:00-18:00"], thu: ["09:00-14:00", "15:00-18:00"], fri: ["09:00-14:00", "15:00-18:00"]}
    holidays: {country: ES, subdiv: MD}
sla:
  pause_statuses: [waiting]
  targets:
    P0: {calendar: always,   response: 15m, mitigation: 1h, resolution: 4h}
    P1: {calendar: business, response: 1h,  resolution: 8h}
    P2: {calendar: business, response: 4h,  resolution: 40h}
    P3: {calendar: business, response: 16h}
uptime: {target: 99.8, notice: 48h, windows: [30, 90]}
"""

FLOWS = (("reported", "investigating", "resolved"), ("reported", "triaged", "investigating", "resolved"),
         ("reported", "investigating", "resolved", "closed"), ("reported", "triaged", "investigating", "mitigated", "resolved"))


def incident(number: int, status: str, severity: str, level: str, year: int) -> str:
    return (f"---\nid: INC-{number:05d}\ntitle: Export of ledger {number} fails for some users\nseverity: {severity}\n"
            f"status: {status}\ncomponents: [accounting]\nimpact: degraded\nlevel: {level}\nassignee: ana\n"
            f"reporter: client-desk\nupdate: \"{status} after checking the export queue ({year})\"\n"
            + ("root_cause: A missing index.\nresolution: Index added.\nprevention: Query plan check.\n"  # a P0/P1 postmortem
               if status in ("resolved", "closed") else "")
            + "---\n"
            "## What happened\n\nThe nightly export stopped with a timeout on the ledger table.\n"
            "Users saw an empty file. We are looking at the query plan.\n")


def synthesize(repo: Path, tickets: int, seed: int = 7, *, years: int = 5, hourly: bool = False) -> int:
    """Write the repo, incidents spread over ``years`` year folders ending in 2026; return the number of commits.

    One commit per status change, or with ``hourly`` one per clock hour holding
    that hour's changes (landed at the last one), as a desk merging batches
    would. Every commit rewrites the tree of its year folder, so fast-import's
    time per commit grows with the folder (20 ms at 20,000 files, 3 ms at
    2,000 on this machine): 400,000 commits into 10,000-file folders would take
    over an hour to write.
    """
    rnd = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    first = 2027 - years
    begin = datetime(first, 1, 3, 9, 0, tzinfo=timezone.utc)
    span = (datetime(2026, 11, 1, tzinfo=timezone.utc) - begin).total_seconds()
    events = []
    for n in range(1, tickets + 1):
        at = begin + timedelta(seconds=span * (n - 1) / tickets)
        flow = rnd.choice(FLOWS)
        severity = rnd.choice(("P0", "P1", "P2", "P2", "P3", "P3"))
        for step, status in enumerate(flow):
            level = "L1" if step < 2 else "L2"
            events.append((at, n, status, severity, level))
            at += timedelta(minutes=rnd.randint(5, 600))
    events.sort()
    with FastImport(repo) as fi:
        fi.commit("main", when=begin - timedelta(days=1), message="gitdesk.yml", files={"gitdesk.yml": CONFIG})
        commits = 1
        batch: dict[str, str] = {}
        for index, (at, n, status, severity, level) in enumerate(events):
            year = first + (n - 1) * years // tickets
            batch[f"tickets/incidents/{year}/INC-{n:05d}.md"] = incident(n, status, severity, level, year)
            following = events[index + 1][0] if index + 1 < len(events) else None
            if not hourly or following is None or following.replace(minute=0, second=0, microsecond=0) != at.replace(minute=0, second=0, microsecond=0):
                message = f"INC-{n:05d}: {status}" if len(batch) == 1 else f"{len(batch)} tickets"
                fi.commit("main", when=at, message=message, author="Ana <ana@example.org>", files=batch)
                commits += 1
                batch = {}
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)
    return commits


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def ticket_blobs(repo: Path) -> list[bytes]:
    """Every ticket blob the first-parent log names (hex)."""
    log = subprocess.run(["git", "-C", str(repo), "-c", "log.showSignature=false", "log", "--first-parent", "--raw", "-z",
                          "--no-abbrev", "--format=%H %ct", "--", "tickets/"], capture_output=True, check=True).stdout
    out = []
    for field in log.split(b"\x00"):
        field = field.lstrip(b"\n")  # the first file of a commit follows its header line
        if field.startswith(b":") and (new := field.split(b" ")[3]).strip(b"0"):
            out.append(new)
    return out


def object_databases(repo: Path) -> dict[str, float]:
    """Seconds to read every ticket blob: pipelined cat-file, GitPython's GitCmdObjectDB and GitDB."""
    import threading

    import git

    blobs = ticket_blobs(repo)
    out: dict[str, float] = {}
    start = time.perf_counter()
    cat = subprocess.Popen(["git", "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert cat.stdin is not None and cat.stdout is not None

    def feed() -> None:
        assert cat.stdin is not None
        cat.stdin.write(b"".join(sha + b"\n" for sha in blobs))
        cat.stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    for _ in blobs:
        size = int(cat.stdout.readline().split()[2])
        cat.stdout.read(size + 1)
    writer.join()
    cat.wait()
    out["pipelined cat-file --batch"] = time.perf_counter() - start
    # pure-Python GitDB takes minutes for 40,000 blobs: time a sample and scale
    for label, odbt, sample in (("GitPython GitCmdObjectDB", git.GitCmdObjectDB, blobs),
                                ("GitPython GitDB (pure Python; 2,000 sampled, scaled)", git.GitDB, blobs[:2000])):
        handle = git.Repo(repo, odbt=odbt)
        start = time.perf_counter()
        for sha in sample:
            handle.odb.stream(bytes.fromhex(sha.decode())).read()
        out[label] = (time.perf_counter() - start) * len(blobs) / max(1, len(sample))
        handle.close()
    return out


def floor(repo: Path) -> float:
    """One git log over tickets/ plus one cat-file --batch of every blob it names."""
    start = time.perf_counter()
    shas = ticket_blobs(repo)
    subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input=b"\n".join(shas) + b"\n",
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def per_file(repo: Path, sample: int, total: int) -> tuple[float, float]:
    """Seconds for ``sample`` files with one ``git log --follow`` each, and the extrapolation to ``total``."""
    paths = subprocess.run(["git", "-C", str(repo), "ls-files", "tickets/"], capture_output=True, text=True, check=True).stdout.split()
    chosen = random.Random(1).sample(paths, min(sample, len(paths)))
    start = time.perf_counter()
    for path in chosen:
        subprocess.run(["git", "-C", str(repo), "log", "--first-parent", "--follow", "--format=%H %ct", "--raw", "--", path],
                       capture_output=True, check=True)
    spent = time.perf_counter() - start
    return spent, spent / len(chosen) * total


def cli_sla(repo: Path, rss_file: Path) -> float:
    """Seconds for ``gitdesk sla --format json`` in a new process; its peak RSS (KiB) goes to ``rss_file``.

    GNU time measures the child: ``RUSAGE_CHILDREN`` here would report this
    process's own size, which a forked child inherits as its high-water mark.
    """
    timer = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file)] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    subprocess.run([*timer, sys.executable, "-m", "gitdesk", "--repo", str(repo), "sla", "--format", "json",
                    "--now", "2026-11-23T10:00:00+00:00"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def cpu_of(fn, *args):  # type: ignore[no-untyped-def]
    """(wall seconds, CPU seconds of the child processes it ran: user + system), for ``fn(*args)`` that runs children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = fn(*args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def clear_caches(repo: Path) -> None:
    """No history, load or SLA cache: the next `gitdesk sla` is cold."""
    shutil.rmtree(repo / ".git" / "gitdesk", ignore_errors=True)
    shutil.rmtree(repo / ".gitdesk-cache", ignore_errors=True)


def end_to_end(repo: Path, rss_file: Path, rounds: int) -> None:
    """`gitdesk sla --format json` cold and warm, each run right after a floor run (alternating), best of ``rounds``.

    Ratios are against the floor of the same round, in wall-clock and in CPU
    seconds (the child processes' user + system time, which the other loads
    on the machine disturb far less than wall time).
    """
    # an installed package has its bytecode; the editable checkout may not (PYTHONDONTWRITEBYTECODE), and
    # compiling ~150 modules at every start would be counted as gitdesk's time
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "generator")], check=True, stdout=subprocess.DEVNULL)
    colds, warms, rss = [], [], "n/a"
    for _ in range(rounds):
        floor_wall, floor_cpu = cpu_of(floor, repo)
        clear_caches(repo)
        wall, cpu = cpu_of(cli_sla, repo, rss_file)
        colds.append((wall / floor_wall, cpu / floor_cpu, wall, cpu, floor_wall, floor_cpu))
        rss = _rss_mib(rss_file)
        floor_wall, floor_cpu = cpu_of(floor, repo)
        wall, cpu = cpu_of(cli_sla, repo, rss_file)
        warms.append((wall / floor_wall, cpu / floor_cpu, wall, cpu, floor_wall, floor_cpu))
    for label, runs in (("cold (no cache)", colds), ("warm (no new commit, no edited file)", warms)):
        print(f"gitdesk sla --format json end to end, {label}: best {min(r[0] for r in runs):.3f}x floor wall, "
              f"{min(r[1] for r in runs):.3f}x floor CPU; per round (gitdesk / floor of that round):")
        for ratio, cpu_ratio, wall, cpu, floor_wall, floor_cpu in runs:
            print(f"    wall {wall:.2f}s / {floor_wall:.2f}s = {ratio:.3f}x; CPU {cpu:.2f}s / {floor_cpu:.2f}s = {cpu_ratio:.3f}x")
    print(f"peak RSS of the cold gitdesk sla process: {rss}; load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def _rss_mib(rss_file: Path) -> str:
    try:
        return f"{int(rss_file.read_text().split()[-1]) / 1024:.0f} MiB"
    except (OSError, ValueError, IndexError):
        return "n/a (no /usr/bin/time)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=10000)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--keep", type=Path, default=None, help="build the repo here and keep it")
    parser.add_argument("--reuse", type=Path, default=None, help="time an existing synthesized repo (skip synthesis)")
    parser.add_argument("--rounds", type=int, default=3, help="floor and cold are the best of this many alternating runs")
    parser.add_argument("--sla-only", action="store_true", help="only the end-to-end gitdesk sla runs (cold and warm against the floor)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # progress shows when piped
    base = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="gitdesk-bench-"))
    repo = base / "repo" if args.keep is None and args.reuse is None else base
    try:
        if args.reuse is None:
            spent, commits = timed(synthesize, repo, args.tickets)
            print(f"synthesized {args.tickets} incidents, {commits} commits in {spent:.1f}s")
        if args.sla_only:
            end_to_end(repo, base / ".bench-rss", args.rounds)
            return
        cache = base / ".bench-cache"
        # alternate floor and cold runs so that load from other processes hits both alike
        floors, colds = [], []
        for _ in range(args.rounds):
            floors.append(floor(repo))
            shutil.rmtree(cache, ignore_errors=True)
            cold, history = timed(read_history, repo, cache_dir=cache)
            colds.append(cold)
        floor_s, cold_s = min(floors), min(colds)
        print(f"floor (git log --raw over tickets/ + cat-file --batch): {floor_s:.2f}s (runs: {', '.join(f'{f:.2f}' for f in floors)})")
        versions = sum(len(t.versions) for t in history.tickets.values())
        print(f"read_history cold: {cold_s:.2f}s = {cold_s / floor_s:.2f}x floor ({len(history.tickets)} tickets, {versions} versions; "
              f"runs: {', '.join(f'{c:.2f}' for c in colds)})")
        warm_s = min(timed(read_history, repo, cache_dir=cache)[0] for _ in range(args.rounds))
        print(f"read_history warm (no new commits): {warm_s:.3f}s = {warm_s / floor_s:.3f}x floor")
        rss_file = base / ".bench-rss"
        end_to_end(repo, rss_file, args.rounds)
        for label, seconds in object_databases(repo).items():
            print(f"read every ticket blob, {label}: {seconds:.2f}s")
        sample_s, extrapolated = per_file(repo, args.sample, args.tickets)
        print(f"per-file git log: {sample_s:.2f}s for {args.sample} files -> {extrapolated / 60:.1f} min for {args.tickets}")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: this process (synthesis writer, cold and warm read_history) {own:.0f} MiB")
    finally:
        if args.keep is None and args.reuse is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
