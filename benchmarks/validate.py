"""Benchmark: `gitdesk validate` over N generated ticket files vs the raw YAML parse floor.

    python benchmarks/validate.py [--tickets 10000]

Prints our time next to the floor measured in the same run: PyYAML's C loader
parsing the same front matter, with no schema or cross-file checks.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitdesk.config import load_config  # noqa: E402
from gitdesk.validate import validate_repo  # noqa: E402

CONFIG = """title: bench
timezone: Europe/Madrid
components:
{components}
calendars:
  business:
    hours: {{mon: ["09:00-18:00"], tue: ["09:00-18:00"], wed: ["09:00-18:00"], thu: ["09:00-18:00"], fri: ["09:00-18:00"]}}
"""

STATUSES = ["reported", "investigating", "mitigated", "waiting", "resolved", "closed", "deferred"]


def synthesize(root: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    components = [f"comp{i}" for i in range(8)]
    (root / "gitdesk.yml").write_text(CONFIG.format(components="\n".join(f"  - {{id: {c}, name: Component {c}}}" for c in components)))
    paths = []
    for n in range(1, count + 1):
        year = 2022 + n % 5
        folder = root / "tickets" / "incidents" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        severity = rng.choice(["P2", "P3"])
        status = rng.choice(STATUSES)
        related = f"related: [INC-{max(1, n - 3):04d}]\n" if n > 3 and n % 4 == 0 else ""
        path = folder / f"INC-{n:04d}.md"
        path.write_text(
            "---\n"
            f"id: INC-{n:04d}\n"
            f"title: \"Synthetic incident {n}: export fails for ledger {rng.randint(1, 999)}\"\n"
            f"severity: {severity}\nstatus: {status}\n"
            f"components: [{rng.choice(components)}]\n"
            f"impact: {rng.choice(['none', 'degraded', 'outage'])}\n"
            f"reported_at: {year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T09:{rng.randint(10, 59)}:00+01:00\n"
            f"level: L{rng.randint(1, 3)}\nassignee: eng{rng.randint(1, 9)}\nreports: {rng.randint(1, 4)}\n"
            f"update: \"Working on it ({n})\"\n{related}"
            "internal:\n  notes: \"call the client back\"\n"
            "---\n\n## Summary\n\nThe export of the accounting ledger failed.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def floor(paths: list[Path]) -> float:
    """Read each file and parse its front matter with the C loader: the least any validator must do."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    start = time.perf_counter()
    for path in paths:
        text = path.read_text("utf-8")
        front = text.split("---\n", 2)[1]
        yaml.load(front, Loader=loader)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        paths = synthesize(root, args.tickets)
        made = time.perf_counter() - t0
        floor_s = floor(paths)
        t1 = time.perf_counter()
        report = validate_repo(root, load_config(root))
        ours = time.perf_counter() - t1
        assert report.tickets == args.tickets, report.diagnostics[:5]
        assert not report.errors, report.errors[:5]
        cli_start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gitdesk", "--repo", str(root), "validate", "--no-history"],
                       check=True, cwd=ROOT, capture_output=True)
        cli = time.perf_counter() - cli_start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"validate: {args.tickets:,} tickets (synthesized in {made:.2f} s)")
    print(f"  floor (read + C YAML parse)   {floor_s:6.2f} s")
    print(f"  gitdesk validate (in-process) {ours:6.2f} s   {ours / floor_s:4.1f}x floor   target <= 3 s")
    print(f"  gitdesk validate (CLI, cold)  {cli:6.2f} s")
    print(f"  peak RSS (in-process)         {rss:6.0f} MiB")


if __name__ == "__main__":
    main()
