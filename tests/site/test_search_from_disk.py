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
        assert '<script src="https://unpkg.com' not in html
        for match in _LOADED.finditer(html):
            url = match.group(1) or match.group(2)
            if re.match(r"(?i)(https?:)?//", url):
                outside.add(f"{page.relative_to(site)}: {url}")
    assert sorted(outside) == []
