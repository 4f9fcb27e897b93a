"""A real browser (Debian's headless Chromium) on the built site: layout, console, XSS.

Skipped only when chromium/chromedriver are absent (`.ci/run` installs them).
Screenshots go to $GITDESK_SCREENSHOTS (default: a temporary folder).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from typing import Iterator

import pytest

from tests.browser import chrome, needs_browser

pytestmark = needs_browser

WIDTHS = {"desktop": 1280, "phone": 390}
PAGES = {
    "home": ("index.html", ["Acme ERP", "Accounting module", "Major outage", "Open incidents", "INC-0002"]),
    "incident": ("incidents/INC-0001.html", ["INC-0001", "responded in 20 min", "target 1 h", "Timeline", "Root cause"]),
    "sla": ("sla/index.html", ["By severity", "Breaches", "SLA compliance per month"]),
    "xss": ("incidents/INC-0005.html", ["INC-0005", "bold stays"]),
}


@pytest.fixture(scope="module")
def server(built_sites: dict[str, Path]) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(built_sites["acme"]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chrome() as driver:
        yield driver


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("GITDESK_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_errors(browser, server: str, shots: Path, page: str, width: str) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    path, texts = PAGES[page]
    browser.set_window_size(WIDTHS[width], 900)
    browser.get(server + path)
    browser.execute_script("return document.readyState")
    try:
        alert = browser.switch_to.alert
        text = alert.text
        alert.dismiss()
        pytest.fail(f"{path} opened a dialog: {text!r}")
    except NoAlertPresentException:
        pass
    body = browser.find_element(By.TAG_NAME, "article").text
    for text in texts:
        assert text in body, f"{text!r} not visible on {path} at {width}"
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == [], f"console errors on {path}: {severe}"
    # The page must fit a phone: no horizontal scrolling of the whole page.
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {width}"
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(WIDTHS[width], min(height, 4000))
    browser.save_screenshot(str(shots / f"{page}-{width}.png"))


def test_xss_ticket_runs_no_script(browser, server: str) -> None:
    # Record every dialog a page script tries to open, from before the page's own scripts run.
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
        "window.__dialogs = []; for (const name of ['alert', 'confirm', 'prompt'])"
        " window[name] = (...args) => { window.__dialogs.push(name + ': ' + args.join(' ')); };")})
    inline = {}
    for page in ("incidents/INC-0002.html", "incidents/INC-0005.html"):
        browser.get(server + page)
        browser.find_element("tag name", "article")
        assert browser.execute_script("return window.__dialogs") == [], page
        inline[page] = browser.execute_script("return document.querySelectorAll('script:not([src])').length")
    # The XSS ticket adds no script of its own: it has exactly the theme's inline scripts of a plain ticket page.
    assert inline["incidents/INC-0005.html"] == inline["incidents/INC-0002.html"]
    found = browser.execute_script(
        "return Array.from(document.querySelectorAll('article *')).filter(e => Array.from(e.attributes)"
        ".some(a => a.name.startsWith('on') || /^javascript:/i.test(a.value))).length")
    assert found == 0


def test_history_filters_rows_by_severity(browser, server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.set_window_size(1280, 900)
    browser.get(server + "history/2026-11.html")
    rows = browser.find_elements(By.CSS_SELECTOR, "#gd-rows tbody tr")
    assert len(rows) == 3
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=severity]")).select_by_value("P0")
    visible = [r.text for r in rows if r.is_displayed()]
    assert len(visible) == 1 and "INC-0002" in visible[0]
    assert "1 of 3 shown" in browser.find_element(By.CSS_SELECTOR, ".gd-count").text


def test_charts_follow_the_dark_palette(browser, server: str, shots: Path) -> None:
    browser.set_window_size(1280, 900)
    browser.get(server + "index.html")
    # acme's accounting module is down (INC-0002) every day since the desk began
    fill = "return getComputedStyle(document.querySelector('rect.gd-fill-outage')).fill"
    text = "return getComputedStyle(document.querySelector('.gd-svg-text')).fill"
    light = (browser.execute_script(fill), browser.execute_script(text))
    browser.execute_script("document.body.setAttribute('data-md-color-scheme', 'slate')")
    dark = (browser.execute_script(fill), browser.execute_script(text))
    assert light[0] == "rgb(198, 40, 40)" and dark[0] == "rgb(239, 83, 80)"
    assert light[1] != dark[1]  # labels follow the page's text colour
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height, 4000))
    browser.save_screenshot(str(shots / "home-desktop-dark.png"))
