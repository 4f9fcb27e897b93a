"""What Lighthouse's accessibility audit found on the client site, kept fixed (benchmarks/lighthouse.py measures the rest).

Real Chromium on the built sample site: computed styles, not CSS text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import chrome, needs_browser

pytestmark = needs_browser

PAGES = ("index.html", "incidents/INC-0001.html", "sla/index.html")

#: (foreground over background, both as the browser computes them): the WCAG contrast ratio, alpha composited
#: and rounded to whole 8-bit channels as axe (Lighthouse's checker) does
CONTRAST = """
const rgba = s => { const v = s.match(/[\\d.]+/g).map(Number); return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
const lum = c => { const [r, g, b] = c.map(v => v / 255).map(v => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
                   return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
let bg = [255, 255, 255], el = arguments[0], layers = [];
for (let e = el; e; e = e.parentElement) layers.push(rgba(getComputedStyle(e).backgroundColor));
for (const layer of layers.reverse()) bg = over(layer, bg);
const fg = over(rgba(getComputedStyle(el).color), bg).map(Math.round);
const [hi, lo] = [lum(fg), lum(bg.map(Math.round))].sort((a, b) => b - a);
return (hi + 0.05) / (lo + 0.05);
"""

#: links that sit in a line of text (their block has words besides the link), and whether each is underlined
LINKS_IN_TEXT = """
return [...document.querySelectorAll('article :is(p, li, td, dd) > a:not(.headerlink)')]
  .filter(a => a.parentElement.textContent.trim() !== a.textContent.trim())
  .map(a => [a.getAttribute('href'), getComputedStyle(a).textDecorationLine]);
"""


@pytest.fixture(scope="module")
def browser():
    with chrome() as driver:
        driver.set_window_size(390, 900)
        yield driver


@pytest.mark.parametrize("page", PAGES)
def test_page_passes_what_lighthouse_found(browser, built_sites: dict[str, Path], page: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get((built_sites["acme"] / page).as_uri())
    footer = browser.find_element(By.CSS_SELECTOR, ".md-copyright")
    ratio = browser.execute_script(CONTRAST, footer)
    assert ratio >= 4.5, f"footer text contrast {ratio:.2f}:1"
    dialog = browser.find_element(By.CSS_SELECTOR, "[role=dialog]")
    assert dialog.get_attribute("aria-label"), "the search dialog has no name for screen readers"
    links = browser.execute_script(LINKS_IN_TEXT)
    assert links or page != "index.html", "the home page lists open incidents as links in text"
    assert [href for href, line in links if "underline" not in line] == []
    for image in browser.find_elements(By.CSS_SELECTOR, "article img"):
        assert image.get_attribute("alt"), image.get_attribute("src")


def test_pages_declare_the_site_language(built_sites: dict[str, Path]) -> None:
    for page in PAGES:
        html = (built_sites["acme"] / page).read_text(encoding="utf-8")
        assert re.search(r'<html lang="en"', html), page
