"""The full demo's client site in a real browser: the pages a newcomer sees first.

Skipped when Chromium and chromedriver are absent (`.ci/run` installs them).
Screenshots of the status (1280 px and 390 px), incident and SLA pages go to
$GITDESK_SCREENSHOTS (default: a temporary folder); README.md, docs/demo.md and
docs/site.md show the committed ones from docs/img/ (``GITDESK_SCREENSHOTS=docs/img pytest tests/demo/test_demo_browser.py``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from gitdesk.demo import create_demo
from gitdesk.demo.render import iso
from gitdesk.demo.timeline import DEMO_NOW
from gitdesk.cli import cli
from gitdesk.load.files import load_repo

from tests.browser import chrome, needs_browser

pytestmark = needs_browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The full demo's acme site, and incident ids by title."""
    repo = tmp_path_factory.mktemp("demo") / "full"
    create_demo(repo, size="full")
    out = tmp_path_factory.mktemp("site") / "acme"
    result = CliRunner().invoke(cli, ["--repo", str(repo), "build", "--client", "acme", "--out", str(out),
                                      "--now", iso(DEMO_NOW)])
    assert result.exit_code == 0, result.output
    ids = {t.title: t.id for t in sorted(load_repo(repo).tickets, key=lambda t: t.id)}
    return out, ids


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chrome() as driver:
        yield driver


#: page name -> (path, or the title of the incident whose page it is; texts a reader must see; window width)
PAGES = {
    "status": ("index.html", ["Error exportación contabilidad", "Actualización del módulo contable a v3.2.1",
                              "Rendimiento degradado", "Próxima revisión del servicio"], 1280),
    "status-phone": ("index.html", ["Error exportación contabilidad", "Rendimiento degradado", "hace 30 días"], 390),
    "incident": ("Facturas duplicadas al reintentar el envío", ["vuelve a ocurrir", "Causa raíz", "L2"], 1280),
    "sla": ("sla/index.html", ["P1", "Descuadre en el cierre mensual del módulo contable", "2026-10"], 1280),
}


@pytest.mark.parametrize("page", PAGES)
def test_demo_page_reads_well(browser, site: tuple[Path, dict[str, str]], page: str) -> None:
    from selenium.webdriver.common.by import By

    target, texts, width = PAGES[page]
    path = target if target.endswith(".html") else f"incidents/{site[1][target]}.html"
    browser.set_window_size(width, 900)
    browser.get((site[0] / path).as_uri())  # the site works opened from disk, as newcomers open it
    body = browser.find_element(By.TAG_NAME, "article").text
    for text in texts:
        assert text in body, f"{text!r} not visible on {path}"
    shots = Path(os.environ.get("GITDESK_SCREENSHOTS") or site[0].parent / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    assert browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 1, f"{path} scrolls sideways"
    height = browser.execute_script("return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight")
    # the status pages whole (the README shows them), the others to the first screens
    browser.set_window_size(width, min(height, 4400 if page.startswith("status") else 2400))
    browser.save_screenshot(str(shots / f"demo-{page}.png"))


def test_listing_filter_counts_rows_in_spanish(browser, site: tuple[Path, dict[str, str]]) -> None:
    """The filter's "N of M shown" is written by the page's script: on the Spanish site it says it in Spanish."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.set_window_size(1280, 900)
    browser.get((site[0] / "history" / "2026-10.html").as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "#gd-rows tbody tr")
    Select(browser.find_element(By.CSS_SELECTOR, "select[name=severity]")).select_by_value("P1")
    shown = sum(1 for r in rows if r.is_displayed())
    assert 0 < shown < len(rows)
    assert browser.find_element(By.CSS_SELECTOR, ".gd-count").text == f"{shown} de {len(rows)} visibles"
