"""Search on a published site, behind nginx and its CSP: the offline plugin's file:// shim stays out of the way."""

from __future__ import annotations

import base64
import gzip
import http.client
import importlib.util
from pathlib import Path

import pytest

from publish_testkit import USERS, Server, needs_nginx

_spec = importlib.util.spec_from_file_location("gitdesk_tests_browser", Path(__file__).parent.parent / "browser.py")
assert _spec and _spec.loader
browser = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(browser)

pytestmark = [needs_nginx, browser.needs_browser]


def test_a_client_searches_its_published_site_without_csp_violations(server: Server) -> None:
    user, password = USERS["acme"]
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    with browser.chrome(requests=True) as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {token}"}})
        driver.set_window_size(1280, 900)
        driver.get(f"http://127.0.0.1:{server.port}/acme/incidents/INC-0002.html")
        titles = browser.search(driver, "Accounting export")
        urls = browser.requested_urls(driver)
        errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert any(t.startswith("INC-0001") for t in titles), f"search found {titles}"
    # served over HTTP the worker is a real one and reads the JSON index; the file:// copy is not fetched
    assert any(u.endswith("/search/search_index.json") for u in urls) and not any(u.endswith(".js") and "search_index" in u for u in urls)
    assert [e for e in errors if "Content Security Policy" in e or "Content-Security-Policy" in e] == []


@pytest.mark.parametrize("path", ["index.html", "assets/gitdesk/gitdesk.css", "search/search_index.json"])
def test_text_goes_out_gzipped_to_a_browser_that_asks(server: Server, path: str) -> None:
    user, password = USERS["acme"]
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    plain = (server.out / "acme" / path).read_bytes()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", f"/acme/{path}", headers={"Authorization": f"Basic {token}", "Accept-Encoding": "gzip"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == plain and len(body) < len(plain) / 2
