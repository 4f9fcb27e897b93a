"""Search on a client site opened from disk (``file://``), as the README tells newcomers to open it.

Material's ``offline`` plugin (on in the default mkdocs.yml) copies the
search index into a script, and its Web Worker runs in an iframe through the
``iframe-worker`` shim, which gitdesk ships in its theme: no CDN. Real
Chromium; nothing may be asked of another host.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser import chrome, needs_browser, requested_urls, search
from tests.security import desk

LOCAL = ("file:", "data:", "about:", "blob:")
#: every script, stylesheet, image or frame a page loads
_LOADED = re.compile(r'<(?:script|img|iframe)\b[^>]*\bsrc="([^"]*)"'
                     r'|<link\b(?=[^>]*\brel="(?:stylesheet|icon|preload|modulepreload|manifest)")[^>]*\bhref="([^"]*)"')


@needs_browser
def test_search_finds_a_ticket_on_a_site_opened_from_disk_and_asks_no_other_host(built_sites: dict[str, Path]) -> None:
    with chrome(requests=True) as driver:
        driver.set_window_size(1280, 900)
        # a page one folder down: the shim, the worker and the index are found by relative paths
        driver.get((built_sites["acme"] / "incidents" / "INC-0002.html").as_uri())
        titles = search(driver, "Accounting export")
        urls = requested_urls(driver)
    assert any(t.startswith("INC-0001") for t in titles), f"search from disk found {titles}"
    assert any(u.endswith("/search/search_index.js") for u in urls), "the index was not read from its offline copy"
    assert [u for u in urls if not u.startswith(LOCAL)] == []


def test_every_page_loads_its_scripts_and_styles_from_the_site_itself(built_sites: dict[str, Path]) -> None:
    site = built_sites["acme"]
    assert (site / "assets" / "gitdesk" / "iframe-worker.js").is_file()
    outside: set[str] = set()
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "unpkg.com" not in html
        for match in _LOADED.finditer(html):
            url = match.group(1) or match.group(2)
            if re.match(r"(?i)(https?:)?//", url):
                outside.add(f"{page.relative_to(site)}: {url}")
    assert sorted(outside) == []


_SCRIPT = re.compile(r"<script\b([^>]*)\bsrc=\"([^\"]*)\"([^>]*)>")


def _scripts(html: str) -> list[tuple[str, tuple[str, ...]]]:
    """(file name, other attributes) of every script a page loads by src, in document order."""
    return [(m.group(2).rsplit("/", 1)[-1], tuple(f"{m.group(1)} {m.group(3)}".split())) for m in _SCRIPT.finditer(html)]


def test_no_script_holds_up_the_first_paint(built_sites: dict[str, Path]) -> None:
    """Parser-blocking scripts made the header the first paint and ran the page's layout inside Material's start-up.

    Deferred scripts run in document order once the page is parsed: the file:// shim before the bundle that
    starts the search worker, gitdesk.js after the bundle whose ``document$`` it subscribes to.
    """
    site = built_sites["acme"]
    for page in (site / "index.html", site / "incidents" / "INC-0002.html", site / "sla" / "index.html"):
        scripts = _scripts(page.read_text(encoding="utf-8"))
        names = [name for name, _ in scripts]
        assert names[0] == "iframe-worker.js" and names[1].startswith("bundle.") and names[2:] == ["gitdesk.js"], page
        assert all(attrs == ("defer",) for _, attrs in scripts), (page, scripts)


def test_a_sites_own_scripts_are_deferred_after_materials_once(tmp_path: Path) -> None:
    mkdocs = ("site_name: Acme status\ntheme: {name: material, font: false}\nplugins: [search, gitdesk]\n"
              "extra_javascript:\n  - js/plain.js\n  - {path: js/mine.js, defer: true}\n  - {path: js/late.js, async: true}\n")
    files = {**desk.sample.FILES, **{f"docs/js/{n}.js": "// ours\n" for n in ("plain", "mine", "late")}}
    repo = desk.make_repo(tmp_path / "repo", files, mkdocs=mkdocs)
    result = desk.run(repo, "build", "--client", "acme", "--now", desk.NOW, "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    scripts = _scripts((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    assert scripts[0][0].startswith("bundle.")  # no offline plugin here, so no shim
    assert scripts[1:] == [("plain.js", ("defer",)), ("mine.js", ("defer",)), ("late.js", ("defer", "async")),
                           ("gitdesk.js", ("defer",))]
