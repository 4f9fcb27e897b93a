"""Benchmark: `new`, `status` and `renumber` on a big repo, beside `validate` as the floor.

    python benchmarks/workflow.py [TICKETS] [BRANCHES]

Builds TICKETS incidents in five year folders on main (batches of 50 per
commit) and BRANCHES unmerged PR branches that each add one incident, with
`gitdesk.history.fastimport`; then merges 20 PRs that reuse existing ids (as .yaml
files, with a backlog item naming each) and times each command as a user
runs it: a fresh process, Python start-up included.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from gitdesk.workflow import scaffold
from gitdesk.history.fastimport import FastImport

T0 = datetime(2022, 1, 1, tzinfo=timezone.utc)


def _incident(number: int) -> str:
    return (f"---\nid: INC-{number:04d}\ntitle: Incident {number}\nseverity: P2\nstatus: resolved\n"
            f"components: [accounting]\n---\n\nBody {number}.\n")


def build(root: Path, tickets: int, branches: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    with FastImport(root) as fast:
        fast.commit("main", when=T0, message="init", files=scaffold.init_files(title="Bench"))
        batch: dict[str, str] = {}
        for number in range(1, tickets + 1):
            batch[f"tickets/incidents/{2022 + number * 5 // (tickets + 1)}/INC-{number:04d}.md"] = _incident(number)
            if len(batch) == 50 or number == tickets:
                fast.commit("main", when=T0 + timedelta(hours=number), message=f"tickets up to {number}", files=batch)
                batch = {}
        for index in range(branches):
            fast.reset(f"pr-{index}", "refs/heads/main")
            number = tickets + 1 + index
            fast.commit(f"pr-{index}", when=T0 + timedelta(days=400, hours=index), message=f"PR {index}",
                        files={f"tickets/incidents/2026/INC-{number:04d}.md": _incident(number)})
        duplicates = {}
        for number in range(100, 120):
            duplicates[f"tickets/incidents/2022/INC-{number:04d}.yaml"] = (
                f"id: INC-{number:04d}\ntitle: Duplicate {number}\nseverity: P3\nstatus: reported\n")
            duplicates[f"backlog/EVO-{number:04d}.md"] = f"---\nid: EVO-{number:04d}\ntitle: Item\nstatus: proposed\norigin: [INC-{number:04d}]\n---\n"
        fast.commit("main", when=T0 + timedelta(days=500), message="PRs that reused ids", files=duplicates)
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "main"], check=True)


def timed(root: Path, *args: str) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one `gitdesk` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gitdesk", "--repo", str(root), *args], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    tickets = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    branches = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "desk"
        root.mkdir()
        build(root, tickets, branches)
        runs = {
            "new incident": ("new", "incident", "--title", "Bench", "--severity", "P2"),
            "status -m": ("status", "INC-0042", "closed", "-m", "Closed after review"),
            "renumber --dry-run": ("renumber", "--dry-run"),
            "validate --no-history": ("validate", "--no-history"),
        }
        print(f"{tickets} tickets, {branches} unmerged branches, 20 duplicate ids")
        for name, args in runs.items():
            best = min(timed(root, *args) for _ in range(3))
            print(f"{name:24} wall {best[0]:5.2f} s  cpu {best[1]:5.2f} s")
            subprocess.run(["git", "-C", str(root), "checkout", "-q", "--", "."], check=True)
            subprocess.run(["git", "-C", str(root), "clean", "-fdq"], check=True)


if __name__ == "__main__":
    main()
