"""A client logs in through a real browser, sees its own status page and searches it (headless Chromium against nginx)."""

from __future__ import annotations

import base64
import importlib.util
from pathlib import Path

import pytest

from publish_testkit import USERS, Server, needs_nginx

_spec = importlib.util.spec_from_file_location("gitdesk_tests_browser", Path(__file__).parent.parent / "browser.py")
assert _spec and _spec.loader
browser = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(browser)

pytestmark = [needs_nginx, browser.needs_browser]


def log_in(driver: object, site: str) -> None:
    """Send ``site``'s user's Basic credentials with every request the browser makes from now on."""
    user, password = USERS[site]
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    driver.execute_cdp_cmd("Network.enable", {})  # type: ignore[attr-defined]
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {token}"}})  # type: ignore[attr-defined]


def test_a_client_logs_in_and_sees_its_status_page_without_csp_violations(server: Server) -> None:
    with browser.chrome() as driver:
        log_in(driver, "acme")
        driver.get(f"http://127.0.0.1:{server.port}/acme/")
        assert "Acme ERP" in driver.title
        body = driver.find_element("tag name", "body").text
        assert "INC-0001" in body or "Accounting module" in body
        # Material's own scripts ran (its inline scripts are allowed by hash): the search box is wired up
        assert driver.execute_script("return typeof __md_get === 'function' && typeof document$ !== 'undefined'")
        errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert not [e for e in errors if "Content Security Policy" in e or "Content-Security-Policy" in e], errors
        driver.get(f"http://127.0.0.1:{server.port}/globex/")
        assert "Globex" not in driver.find_element("tag name", "body").text


def test_a_client_searches_its_published_site_without_csp_violations(server: Server) -> None:
    with browser.chrome(requests=True) as driver:
        log_in(driver, "acme")
        driver.set_window_size(1280, 900)
        driver.get(f"http://127.0.0.1:{server.port}/acme/incidents/INC-0002.html")
        titles = browser.search(driver, "Accounting export")
        urls = browser.requested_urls(driver)
        errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert any(t.startswith("INC-0001") for t in titles), f"search found {titles}"
    # served over HTTP the worker is a real one and reads the JSON index; the file:// copy is not fetched
    assert any(u.endswith("/search/search_index.json") for u in urls) and not any(u.endswith(".js") and "search_index" in u for u in urls)
    assert [e for e in errors if "Content Security Policy" in e or "Content-Security-Policy" in e] == []
