"""Lighthouse (mobile preset) on three pages of the demo's client site: a benchmark, not a test.

    .venv/bin/python benchmarks/lighthouse.py [--runs 3] [--site DIR] [--audits]

Builds the demo desk's acme site (`gitdesk demo`, then `gitdesk build
--client acme` at the demo's --now), serves it over HTTP on 127.0.0.1
(Python's http.server), and runs npm ``lighthouse`` (pinned in
benchmarks/lighthouse/package-lock.json, installed there with ``npm ci``
on first use; node_modules is never committed) with Debian's Chromium on:

- home: ``index.html``;
- incident: the largest incident page (the heaviest one a client opens);
- SLA: ``sla/index.html``.

It prints performance, accessibility and best practices per page: the
median of ``--runs`` (performance moves with the machine's load; the other
two do not). SEO is not measured: client sites are ``noindex`` on purpose.
``--audits`` lists every audit below full marks, with the elements it names.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator
from contextlib import contextmanager

HERE = Path(__file__).parent
TOOL = HERE / "lighthouse"
CLI = TOOL / "node_modules" / "lighthouse" / "cli" / "index.js"
NOW = "2026-11-20T17:45:00+01:00"
CATEGORIES = ("performance", "accessibility", "best-practices")
#: The machine has no network: without these Chromium keeps trying to reach Google's hosts.
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run")


def chromium() -> str:
    path = os.environ.get("CHROME_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        sys.exit("chromium is not installed (apt-get install chromium), or set CHROME_PATH")
    return path


def install() -> None:
    """npm ci into benchmarks/lighthouse/ (the pinned lighthouse), unless it is there already."""
    if CLI.is_file():
        return
    if not shutil.which("npm"):
        sys.exit("npm is not installed: Lighthouse is an npm package (apt-get install npm)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=TOOL, check=True)


def build_demo(root: Path) -> Path:
    """The demo desk's acme site, as `make demo` builds it."""
    repo = root / "desk"
    gitdesk = [sys.executable, "-m", "gitdesk"]
    subprocess.run([*gitdesk, "demo", str(repo)], check=True, capture_output=True)
    site = root / "site-acme"
    subprocess.run([*gitdesk, "--repo", str(repo), "build", "--client", "acme", "--now", NOW, "--out", str(site)],
                   check=True, capture_output=True)
    return site


def pages(site: Path) -> dict[str, str]:
    incident = max(sorted((site / "incidents").glob("*.html")), key=lambda p: p.stat().st_size)
    return {"home": "index.html", "incident": f"incidents/{incident.name}", "sla": "sla/index.html"}


@contextmanager
def serve(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def lighthouse(url: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run on ``url`` (mobile, the default form factor): its JSON report."""
    subprocess.run(["node", str(CLI), url, "--quiet", "--output=json", f"--output-path={out}",
                    f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}"],
                   check=True, env={**os.environ, "CHROME_PATH": chromium()})
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def scores(report: dict[str, Any]) -> dict[str, int]:
    return {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}


def failing(report: dict[str, Any]) -> list[str]:
    """The audits of the measured categories below full marks, each with the elements it names."""
    lines = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if audit["score"] is None or audit["score"] >= 1 or (ref.get("weight", 0) == 0 and category != "performance"):
                continue
            lines.append(f"  [{category}] {audit['id']} {audit['score']}: {audit['title']} {audit.get('displayValue', '')}")
            items = (audit.get("details") or {}).get("items")
            for item in items[:6] if isinstance(items, list) else []:
                node = item.get("node") or {} if isinstance(item, dict) else {}
                where = node.get("snippet") or (item.get("url") if isinstance(item, dict) else "") or ""
                if where:
                    lines.append(f"      {str(where)[:160]}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is printed (default 3)")
    parser.add_argument("--site", type=Path, help="a built site to measure (default: build the demo's acme site)")
    parser.add_argument("--audits", action="store_true", help="list the audits below full marks")
    args = parser.parse_args()
    install()
    version = json.loads((TOOL / "node_modules" / "lighthouse" / "package.json").read_text(encoding="utf-8"))["version"]
    browser = subprocess.run([chromium(), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"lighthouse {version}, {browser}, node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}")
    print("load average before: %.2f %.2f %.2f on %d cores" % (*os.getloadavg(), os.cpu_count() or 0))
    with tempfile.TemporaryDirectory(prefix="gitdesk-lighthouse-") as tmp:
        site = args.site or build_demo(Path(tmp))
        measured: dict[str, list[dict[str, int]]] = {}
        with serve(site) as base:
            for name, path in pages(site).items():
                for run in range(args.runs):
                    report = lighthouse(base + path, Path(tmp) / f"{name}-{run}.json")
                    measured.setdefault(name, []).append(scores(report))
                    if args.audits and run == 0:
                        print(f"{name} ({path}):", *failing(report) or ["  every audit at full marks"], sep="\n")
    print("load average after:  %.2f %.2f %.2f" % os.getloadavg())
    print(f"\n{'page':10} {'performance':>12} {'accessibility':>14} {'best practices':>15}   (median of {args.runs})")
    for name, runs in measured.items():
        median = {c: int(statistics.median(r[c] for r in runs)) for c in CATEGORIES}
        print(f"{name:10} {median['performance']:>12} {median['accessibility']:>14} {median['best-practices']:>15}"
              f"   performance runs: {', '.join(str(r['performance']) for r in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
