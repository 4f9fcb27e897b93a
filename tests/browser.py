"""Headless Chromium for the real-browser tests (Debian's chromium + chromium-driver).

`.ci/run` installs both; tests using :data:`needs_browser` are skipped only when they are absent.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from typing import Any, Iterator

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

needs_browser = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
)

# The machine has no network: without the background-networking flags Chromium
# keeps trying to reach Google's hosts and logs refused connections.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")


@contextmanager
def chrome(*, requests: bool = False) -> Iterator[Any]:
    """A selenium Chrome driver on Debian's Chromium, with the browser console log kept.

    ``requests``: keep DevTools' network events too, for :func:`requested_urls`.
    """
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", **({"performance": "ALL"} if requests else {})})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver: Any) -> list[str]:
    """Every URL the page and its frames asked for since the last call (needs ``chrome(requests=True)``)."""
    import json

    messages = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    return [m["params"]["request"]["url"] for m in messages if m["method"] == "Network.requestWillBeSent"]


def search(driver: Any, query: str, *, wait: float = 30) -> list[str]:
    """Type ``query`` into Material's search box and return the results' titles once some show (none: [])."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    box.click()
    box.send_keys(query)
    titles = "return [...document.querySelectorAll('.md-search-result__item h1')].map(h => h.textContent.trim())"
    try:
        WebDriverWait(driver, wait).until(lambda d: d.execute_script(titles))
    except Exception:  # TimeoutException: the caller's assertion says what was missing
        return []
    found: list[str] = driver.execute_script(titles)
    return found
