"""Search on the demo's client site opened from disk (file://) against the same site served over HTTP.

    .venv/bin/python benchmarks/search_from_disk.py [--runs 5] [--site DIR]

Builds the demo's acme site (as benchmarks/lighthouse.py does) and prints:

- the search index: ``search_index.json`` (what a served site's worker
  fetches) and ``search_index.js`` (the offline plugin's copy, read on
  file://), raw and gzipped;
- the page weight of the home page: every file Chromium asked for, until the
  first result of a search showed;
- time to first result in headless Chromium, best of ``--runs``: from
  opening the page to the first result (cold), and from typing to the first
  result once the index is loaded (warm). Over HTTP (Python's http.server)
  is the floor: a real Web Worker and the JSON index.

Runs alternate between file:// and HTTP (the machine is shared).
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from lighthouse import build_demo, serve  # noqa: E402
from tests.browser import chrome, requested_urls  # noqa: E402

QUERY = "contabilidad"
RESULTS = "return document.querySelectorAll('.md-search-result__item').length"
READY = "return !!document.querySelector('.md-search-result__meta') && !/Inicializ|Initializ/.test(document.querySelector('.md-search-result__meta').textContent)"


def first_result(driver: object, url: str) -> tuple[float, float, list[str]]:
    """(seconds from opening ``url`` to a first result, seconds from typing to it once ready, URLs asked for)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60, poll_frequency=0.005)
    requested_urls(driver)  # drop what earlier runs asked for
    started = time.perf_counter()
    driver.get(url)
    box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    box.click()
    box.send_keys(QUERY)
    wait.until(lambda d: d.execute_script(RESULTS))
    cold = time.perf_counter() - started
    urls = requested_urls(driver)
    box.clear()
    wait.until(lambda d: d.execute_script(READY))
    typed = time.perf_counter()
    box.send_keys(QUERY[:-1])
    wait.until(lambda d: d.execute_script(RESULTS))
    return cold, time.perf_counter() - typed, urls


def weight(site: Path, base: str, urls: list[str]) -> int:
    """Bytes of the site's files behind ``urls`` (as read from disk: uncompressed)."""
    total = 0
    for url in set(urls):
        if url.startswith(base):
            path = unquote(urlparse(url).path)
            file = Path(path) if base.startswith("file:") else site / path.lstrip("/")
            total += file.stat().st_size if file.is_file() else 0
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, help="a built site (default: build the demo's acme site)")
    args = parser.parse_args()
    print("load average before: %.2f %.2f %.2f on %d cores" % (*os.getloadavg(), os.cpu_count() or 0))
    with tempfile.TemporaryDirectory(prefix="gitdesk-search-") as tmp:
        site = (args.site or build_demo(Path(tmp))).resolve()
        for name in ("search_index.json", "search_index.js"):
            data = (site / "search" / name).read_bytes()
            print(f"{name:18} {len(data) / 1024:8.0f} KiB, gzipped {len(gzip.compress(data, 6)) / 1024:5.0f} KiB")
        best: dict[str, tuple[float, float]] = {}
        weights: dict[str, int] = {}
        with serve(site) as http_base, chrome(requests=True) as driver:
            driver.set_window_size(1280, 900)
            bases = {"file://": site.as_uri() + "/", "http": http_base}
            for _ in range(args.runs):
                for mode, base in bases.items():
                    cold, warm, urls = first_result(driver, base + "index.html")
                    old = best.get(mode, (cold, warm))
                    best[mode] = (min(old[0], cold), min(old[1], warm))
                    weights[mode] = weight(site, base, urls)
    print("load average after:  %.2f %.2f %.2f" % os.getloadavg())
    print(f"\n{'':8} {'page weight':>12} {'open to 1st result':>19} {'typing to 1st result':>21}   (best of {args.runs})")
    for mode, (cold, warm) in best.items():
        print(f"{mode:8} {weights[mode] / 1024:>8.0f} KiB {cold * 1000:>16.0f} ms {warm * 1000:>18.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
