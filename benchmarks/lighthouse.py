"""Lighthouse (mobile preset) on three pages of the demo's client site: a benchmark, not a test.

    .venv/bin/python benchmarks/lighthouse.py [--runs 3] [--language es [--language en]] [--site DIR [--site DIR2]] [--audits]

Builds the demo desk's acme site (`gitdesk demo`, then `gitdesk build
--client acme` at the demo's --now), serves it over HTTP on 127.0.0.1
(nginx with the compression `gitdesk publish` configures; ``--plain``:
Python's http.server, uncompressed, as publish served it before), and runs npm ``lighthouse`` (pinned in
benchmarks/lighthouse/package-lock.json, installed there with ``npm ci``
on first use; node_modules is never committed) with Debian's Chromium on:

- home: ``index.html``;
- incident: the largest incident page (the heaviest one a client opens);
- SLA: ``sla/index.html``.

It prints performance, accessibility and best practices per page: the
median and the best of ``--runs``, which alternate between pages.
Performance moves with the machine's load (Lighthouse scales the CPU time it
observes by 4 to simulate a phone, so a busy machine looks like a slow
phone); the other two do not. Each run's Lighthouse ``benchmarkIndex`` (a
CPU speed probe, higher is faster) is printed beside its score. SEO is not measured: client sites are ``noindex`` on purpose.
``--audits`` lists every audit below full marks, with the elements it names.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator
from contextlib import ExitStack, contextmanager

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
    if subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=TOOL).returncode:
        sys.exit(f"npm ci failed in {TOOL} (its message is above); the package-lock.json there pins Lighthouse")


def build_demo(root: Path, language: str) -> Path:
    """The demo desk's acme site, as `make demo` builds it, in ``language`` (the demo's own is Spanish)."""
    repo = root / "desk"
    gitdesk = [sys.executable, "-m", "gitdesk"]
    if not repo.exists():
        subprocess.run([*gitdesk, "demo", str(repo)], check=True, capture_output=True)
    config = repo / "gitdesk.yml"
    config.write_text(re.sub(r"(?m)^site: \{language: \w+\}$", f"site: {{language: {language}}}",
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    site = root / f"site-acme-{language}"
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


@contextmanager
def serve_nginx(site: Path, work: Path) -> Iterator[str]:
    """nginx on 127.0.0.1 serving ``site`` with publish's gzip settings (no auth, no CSP: neither is measured)."""
    from gitdesk.adapters.publish import GZIP_TYPES

    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""  # root-started workers run as nobody, who cannot read /tmp/...
    conf = work / "nginx.conf"
    conf.write_text(f"""{user} worker_processes 1; daemon off; pid {work}/nginx.pid; error_log {work}/error.log warn;
events {{ worker_connections 256; }}
http {{ include /etc/nginx/mime.types; access_log off; sendfile on; gzip on; gzip_types {GZIP_TYPES};
  client_body_temp_path {work}/t1; proxy_temp_path {work}/t2; fastcgi_temp_path {work}/t3; uwsgi_temp_path {work}/t4; scgi_temp_path {work}/t5;
  server {{ listen 127.0.0.1:{port}; root {site.resolve()}; }} }}
""", encoding="utf-8")
    nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(work), "-c", str(conf)])
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        nginx.terminate()
        nginx.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lighthouse(url: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run on ``url`` (mobile, the default form factor): its JSON report."""
    subprocess.run(["node", str(CLI), url, "--quiet", "--output=json", f"--output-path={out}",
                    f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}"],
                   check=True, env={**os.environ, "CHROME_PATH": chromium()})
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


#: the metrics the performance score is made of, in milliseconds (CLS ×1000)
METRICS = {"first-contentful-paint": "FCP", "largest-contentful-paint": "LCP", "total-blocking-time": "TBT",
           "speed-index": "SI", "cumulative-layout-shift": "CLS×1000"}


def scores(report: dict[str, Any]) -> dict[str, int]:
    found = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    metrics = {short: round(report["audits"][audit]["numericValue"] * (1000 if short.startswith("CLS") else 1))
               for audit, short in METRICS.items()}
    return {**found, **metrics, "benchmark": round(report["environment"]["benchmarkIndex"])}


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
    parser.add_argument("--site", type=Path, action="append",
                        help="a built site to measure (default: build the demo's acme site); given twice or more, "
                             "runs alternate between the sites (before/after in one session)")
    parser.add_argument("--language", choices=("es", "en"), action="append",
                        help="the demo site's language (default: es, the demo's own); given twice, runs alternate")
    parser.add_argument("--page", choices=("home", "incident", "sla"), action="append",
                        help="measure only this page (may be given more than once; default: all three)")
    parser.add_argument("--plain", action="store_true", help="serve uncompressed with http.server, not nginx + gzip")
    parser.add_argument("--audits", action="store_true", help="list the audits below full marks")
    args = parser.parse_args()
    install()
    version = json.loads((TOOL / "node_modules" / "lighthouse" / "package.json").read_text(encoding="utf-8"))["version"]
    browser = subprocess.run([chromium(), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"lighthouse {version}, {browser}, node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}")
    print("served by", "http.server, uncompressed" if args.plain else "nginx, gzip as `gitdesk publish` configures it")
    print("load average before: %.2f %.2f %.2f on %d cores" % (*os.getloadavg(), os.cpu_count() or 0))
    with tempfile.TemporaryDirectory(prefix="gitdesk-lighthouse-") as tmp, ExitStack() as stack:
        sites = args.site or [build_demo(Path(tmp), language) for language in args.language or ["es"]]
        bases = []
        for number, site in enumerate(sites):
            work = Path(tmp) / f"server-{number}"
            work.mkdir()
            bases.append(stack.enter_context(serve(site) if args.plain else serve_nginx(site, work)))
        measured: dict[tuple[int, str], list[dict[str, int]]] = {}
        for run in range(args.runs):
            for name, path in pages(sites[0]).items():
                if args.page and name not in args.page:
                    continue
                for number, base in enumerate(bases):
                    report = lighthouse(base + path, Path(tmp) / f"{name}-{number}-{run}.json")
                    measured.setdefault((number, name), []).append(scores(report))
                    if args.audits and run == 0:
                        print(f"{name} ({sites[number]}/{path}):", *failing(report) or ["  every audit at full marks"], sep="\n")
    print("load average after:  %.2f %.2f %.2f" % os.getloadavg())
    for number, site in enumerate(sites):
        print(f"\n{site}\n{'page':10} {'performance':>18} {'accessibility':>14} {'best practices':>15}   median (best) of {args.runs}")
        for (which, name), runs in measured.items():
            if which != number:
                continue
            median = {c: int(statistics.median(r[c] for r in runs)) for c in CATEGORIES}
            best = max(r["performance"] for r in runs)
            each = ", ".join(f"{r['performance']} ({r['benchmark']})" for r in runs)
            print(f"{name:10} {median['performance']:>12} ({best:>3}) {median['accessibility']:>14} {median['best-practices']:>15}"
                  f"   runs (benchmarkIndex): {each}")
            print(" " * 11 + "median ms: " + ", ".join(f"{short} {int(statistics.median(r[short] for r in runs))}"
                                                     for short in METRICS.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
