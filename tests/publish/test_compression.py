"""nginx as `gitdesk publish` configures it sends text gzipped to a browser that asks (Lighthouse: text compression)."""

from __future__ import annotations

import base64
import gzip
import http.client

import pytest

from publish_testkit import USERS, Server, needs_nginx

pytestmark = needs_nginx


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
