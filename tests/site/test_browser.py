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
    fill = "return getComputedStyle(document.querySelector('.gd-day-outage')).backgroundColor"
    text = "return getComputedStyle(document.querySelector('.gd-days-foot')).color"
    light = (browser.execute_script(fill), browser.execute_script(text))
    browser.execute_script("document.body.setAttribute('data-md-color-scheme', 'slate')")
    dark = (browser.execute_script(fill), browser.execute_script(text))
    assert light[0] == "rgb(198, 40, 40)" and dark[0] == "rgb(239, 83, 80)"
    assert light[1] != dark[1]  # labels follow the page's text colour
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height, 4000))
    browser.save_screenshot(str(shots / "home-desktop-dark.png"))



def test_the_dark_mode_toggle_switches_the_page_and_is_remembered(browser, server: str) -> None:
    """Material's palette toggle, run by its deferred bundle: the click restyles the page and the choice survives a reload."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    scheme = "return document.body.getAttribute('data-md-color-scheme')"
    background = "return getComputedStyle(document.body).backgroundColor"
    browser.set_window_size(1280, 900)
    browser.get(server + "index.html")
    browser.execute_script("localStorage.clear()")
    browser.get(server + "index.html")
    toggle = WebDriverWait(browser, 10).until(
        lambda b: next((e for e in b.find_elements(By.CSS_SELECTOR, "form[data-md-component=palette] label") if e.is_displayed()), None))
    light = browser.execute_script(background)
    toggle.click()
    WebDriverWait(browser, 10).until(lambda b: b.execute_script(scheme) == "slate")
    dark = browser.execute_script(background)
    browser.get(server + "sla/index.html")
    assert browser.execute_script(scheme) == "slate"  # set before the first paint, from what was stored
    browser.execute_script("localStorage.clear()")
    assert light != dark and browser.execute_script(background) == dark


# --- the home page as a client uses it ----------------------------------------------------------------------------


def _tip(browser, day: str):
    from selenium.webdriver.common.by import By

    # a run of quiet days is one bar from data-day to data-until
    bars = browser.find_elements(By.CSS_SELECTOR, '[data-component="accounting"] .gd-day')
    return next(b for b in bars if b.get_attribute("data-day") <= day <= (b.get_attribute("data-until") or b.get_attribute("data-day")))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_hero_says_what_summary_json_says_above_the_fold(browser, server: str, built_sites: dict[str, Path], width: str) -> None:
    import json

    from selenium.webdriver.common.by import By

    browser.set_window_size(WIDTHS[width], 800)
    browser.get(server + "index.html")
    hero = browser.find_element(By.CSS_SELECTOR, ".gd-hero")
    summary = json.loads((built_sites["acme"] / "api/v2/summary.json").read_text(encoding="utf-8"))
    indicator = {"operational": "none", "under_maintenance": "maintenance", "degraded_performance": "minor",
                 "partial_outage": "major", "major_outage": "critical"}
    assert indicator[hero.get_attribute("data-state")] == summary["status"]["indicator"] == "critical"
    assert hero.find_element(By.TAG_NAME, "strong").text == summary["status"]["description"]
    # the two-second read: the whole hero is on the first screen, in the outage colour
    assert browser.execute_script("return arguments[0].getBoundingClientRect().bottom", hero) < 800
    assert hero.value_of_css_property("background-color") == "rgba(198, 40, 40, 1)"
    assert "2 open incidents" in hero.text  # INC-0002 and INC-0005 (monitoring)


def test_components_are_grouped_by_their_group(browser, server: str) -> None:
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 900)
    browser.get(server + "index.html")
    groups = browser.find_elements(By.CSS_SELECTOR, ".gd-components .gd-group")
    assert [g.get_attribute("data-group") for g in groups] == ["ERP"]
    heading = groups[0].find_element(By.CSS_SELECTOR, "h3")
    assert heading.text.startswith("ERP") and "Major outage" in heading.text
    names = [e.text for e in groups[0].find_elements(By.CSS_SELECTOR, ".gd-component-name")]
    assert names == ["Accounting module"]  # acme's one component, by name, never its id


@pytest.mark.parametrize("width", WIDTHS)
def test_a_days_tooltip_gives_its_date_duration_and_incidents(browser, server: str, width: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.set_window_size(WIDTHS[width], 900)
    browser.get(server + "index.html")
    day = _tip(browser, "2026-11-02")  # INC-0001 (degraded) and INC-0002 (outage) began that morning
    tip = day.find_element(By.CSS_SELECTOR, ".gd-tip")
    assert not tip.is_displayed()
    if width == "desktop":
        ActionChains(browser).move_to_element(day).perform()
    else:
        day.click()  # a tap: the bar takes focus, and the tooltip stays open while it has it
    assert tip.is_displayed()
    assert "2 Nov 2026" in tip.text and "outage 14 h" in tip.text  # from 09:00 UTC to Madrid's midnight
    links = {a.get_attribute("href").rsplit("/", 1)[-1]: a.text for a in tip.find_elements(By.TAG_NAME, "a")}
    assert set(links) == {"INC-0001.html", "INC-0002.html"} and "Accounting module down" in links["INC-0002.html"]
    # the open tooltip never makes the page scroll sideways, on a phone either
    assert browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 1
    right = browser.execute_script("return arguments[0].getBoundingClientRect().right", tip)
    assert right <= WIDTHS[width]
    ActionChains(browser).move_to_element(tip.find_elements(By.TAG_NAME, "a")[-1]).click().perform()
    assert browser.current_url.endswith("incidents/INC-0002.html")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_quiet_days_tooltip_gives_its_date(browser, server: str, width: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    browser.set_window_size(WIDTHS[width], 900)
    browser.get(server + "index.html")
    day = _tip(browser, "2026-11-01")  # the day before the sample desk began: nothing to link, one element
    tip = "const s = getComputedStyle(arguments[0], '::after'); return [s.display, s.content]"
    assert "1 Nov 2026" not in browser.execute_script(tip, day)[1]  # no tooltip until hovered or tapped
    if width == "desktop":
        ActionChains(browser).move_to_element(day).perform()
    else:
        day.click()  # a tap focuses the day
    shown, words = browser.execute_script(tip, day)
    # the days before the desk began are one bar up to where a phone's 30 days begin, another after it:
    # the tooltip gives the run's first and last day
    assert shown == "block" and "Sun 1 Nov 2026" in words and "no data (before the desk" in words
    assert words.startswith('"Sun 25 Oct 2026 – Sun 1 Nov 2026')
    assert browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 1


@pytest.mark.parametrize("width", WIDTHS)
def test_every_day_of_the_bars_is_as_wide_as_any_other(browser, server: str, width: str) -> None:
    """Runs of quiet days are one element each, yet the row reads as one bar per day, 90 (30 on a phone)."""
    browser.set_window_size(WIDTHS[width], 900)
    browser.get(server + "index.html")
    rows = browser.execute_script("""
        return Array.from(document.querySelectorAll('.gd-days')).map(row => Array.from(row.children)
            .filter(day => getComputedStyle(day).display !== 'none')
            .map(day => [day.getBoundingClientRect().width, +(getComputedStyle(day).getPropertyValue('--n') || 1)]))""")
    days = {"desktop": 90, "phone": 30}[width]
    for row in rows:
        assert sum(n for _, n in row) == days
        assert any(n > 1 for _, n in row)  # the sample desk's quiet days are runs
        each = [(w + 2) / n for w, n in row]  # a run of n days covers n days and the n - 1 gaps between them
        assert max(each) - min(each) < 0.5


def test_the_keyboard_reaches_a_days_incidents(browser, server: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1280, 900)
    browser.get(server + "index.html")
    component = browser.find_element(By.CSS_SELECTOR, '[data-component="accounting"]')
    # the bars are no tab stops (90 tiny targets a row); the same days come as a list behind one summary
    assert component.find_elements(By.CSS_SELECTOR, ".gd-days [tabindex='0'], .gd-days button, .gd-days a:not(.gd-tip a)") == []
    summary = component.find_element(By.CSS_SELECTOR, ".gd-days-list summary")
    assert summary.text == "22 days with incidents"  # every day since 2026-11-02: INC-0002 is still open
    browser.execute_script("arguments[0].focus()", summary)
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    days = component.find_elements(By.CSS_SELECTOR, ".gd-days-list li")
    assert days[-1].is_displayed() and days[-1].text.startswith("Mon 2 Nov 2026: outage 14 h")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    focused = browser.switch_to.active_element
    assert focused.tag_name == "a" and focused.get_attribute("href").endswith("INC-0002.html")  # the newest day first


@pytest.mark.parametrize(("minutes", "words"), [(1, "1 minute ago"), (12, "12 minutes ago"), (130, "2 hours ago")])
def test_updated_ago_is_counted_from_the_builds_now(browser, tmp_path: Path, sample_git_repo: Path, sample, minutes: int,
                                                    words: str) -> None:
    from datetime import datetime, timedelta, timezone

    from selenium.webdriver.common.by import By

    from gitdesk.adapters.mkdocs_build import build_site
    from gitdesk.pipeline import SiteOptions
    from gitdesk.site import Audience

    landed = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)  # the sample's first commit, where INC-0002 lands
    build_site(SiteOptions(sample_git_repo, Audience.CLIENT, "acme", landed + timedelta(minutes=minutes)), tmp_path / "site")
    browser.set_window_size(1280, 900)
    browser.get((tmp_path / "site" / "index.html").as_uri())
    card = browser.find_element(By.CSS_SELECTOR, '[data-incident="INC-0002"] .gd-card-time')
    assert card.text.startswith(f"Updated {words}")
    stamp = card.find_element(By.TAG_NAME, "time")
    assert stamp.get_attribute("datetime") == "2026-11-02T10:00:00+01:00" and stamp.get_attribute("title") == "2 Nov 2026, 10:00 CET"


def test_a_page_alone_in_its_tab_gives_the_sidebar_s_width_to_its_tables(browser, server: str) -> None:
    """Material's navigation sidebar listed the SLA page alone and squeezed its table's durations onto three lines."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(1280, 900)
    for page in ("sla/index.html", "history/index.html", "incidents/INC-0001.html"):
        browser.get(server + page)
        sidebar = browser.find_element(By.CSS_SELECTOR, ".md-sidebar--primary")
        content = browser.find_element(By.CSS_SELECTOR, ".md-content")
        assert not sidebar.is_displayed() and content.size["width"] >= 900, page
    browser.get(server + "sla/index.html")
    cells = browser.execute_script(
        "return [...document.querySelector('.md-typeset table').querySelectorAll('td')]"
        ".map(c => [c.textContent, c.getBoundingClientRect().height])")
    line = min(height for _, height in cells)
    assert [text for text, height in cells if height > 1.5 * line] == []  # no cell wraps
    # a phone's drawer still lists every tab
    browser.set_window_size(390, 800)
    browser.find_element(By.CSS_SELECTOR, "label.md-header__button[for=__drawer]").click()

    def shown(b) -> set[str]:
        return {a.text for a in b.find_elements(By.CSS_SELECTOR, ".md-sidebar--primary .md-nav__link") if a.is_displayed()}

    WebDriverWait(browser, 5).until(lambda b: {"Status", "History", "SLA", "Backlog"} <= shown(b))
