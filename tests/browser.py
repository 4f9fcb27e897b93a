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
def chrome() -> Iterator[Any]:
    """A selenium Chrome driver on Debian's Chromium, with the browser console log kept."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    try:
        yield driver
    finally:
        driver.quit()
