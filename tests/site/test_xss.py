"""Ticket text is untrusted: nothing in it becomes markup, script, handler or javascript: URL."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from gitdesk.site.render import markdown_html, plain_title


class _Live(HTMLParser):
    """Collects what a browser would act on: script-like tags, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "img", "svg", "style"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or re.match(r"\s*(javascript|data|vbscript):", value or "", re.I):
                self.found.append(f"<{tag} {name}={value!r}>")


def live_markup(html: str) -> list[str]:
    parser = _Live()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    '<a href="#" onclick="alert(1)">x</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
])
def test_rendered_markdown_is_sanitized(source: str) -> None:
    assert live_markup(markdown_html(source)) == []


def test_markdown_formatting_survives_sanitizing() -> None:
    html = markdown_html("**bold** and [a link](https://example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>bold</strong>" in html and 'href="https://example.org"' in html and "<table>" in html


def test_titles_for_page_meta_carry_no_markup() -> None:
    assert plain_title('<script>alert("x")</script> & co') == "‹script›alert(”x”)‹/script› + co"


def test_titles_for_page_meta_carry_no_control_characters_or_line_breaks() -> None:
    # A title reaches <title>, the theme's header and a YAML page header: none may hold a control or a line break.
    assert plain_title("a\x7fb\x85c\u2028d\x1be\uffff") == "a b c d e\ufffd"


def test_xss_ticket_page_in_the_bundle_is_inert(bundle_for) -> None:
    page = bundle_for("client", "acme").files["incidents/INC-0005.md"]
    assert isinstance(page, str)
    assert live_markup(page) == []
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page  # the title is shown, as text


def test_xss_ticket_page_in_the_built_site_is_inert(built_sites) -> None:
    html = (built_sites["acme"] / "incidents/INC-0005.html").read_text(encoding="utf-8")
    article = html[html.index("<article"):html.index("</article>")]
    assert [m for m in live_markup(article) if m != "<svg>"] == []  # our own charts are SVG
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and "<" not in title.group(1)
    # Every listing that shows the title escapes it too.
    for page in ("index.html", "history/2026-11.html", "feed.xml", "api/v2/incidents.json", "search/search_index.json"):
        text = (built_sites["acme"] / page).read_text(encoding="utf-8")
        assert "<script>alert('title')" not in text, page


@pytest.mark.parametrize("text", ["<!--/gd-block-->", "x\n\n<!--gd-stash-0-->\n\ny", "`<!--gd-block-->`"])
def test_ticket_text_cannot_forge_the_plugins_block_markers(text: str) -> None:
    # The MkDocs plugin sets finished HTML blocks aside by these comments; ticket text must not produce one.
    assert "<!--" not in markdown_html(text)
