"""Rendering helpers shared by every page: templates, safe HTML, links, times.

Untrusted text reaches output in exactly two ways, both here: Jinja2 with
autoescape (plain values), and :func:`markdown_html` (ticket Markdown rendered,
then sanitized with nh3). Page templates put untrusted values only inside
block-level HTML, never into Markdown syntax, so MkDocs' Markdown pass cannot
turn ticket text into links or markup.
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import jinja2
import markdown as markdown_lib
import nh3
from markupsafe import Markup, escape

from gitdesk.site import i18n

#: What ticket Markdown may produce. No images or image maps: they would load
#: remote resources (the site works offline and must not track its readers).
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img", "map", "area"}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_MD_EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
#: Anything Markdown could read as markup: block starts (any line break counts), inline syntax, HTML.
_MARKUP = re.compile(r"[\n*_`\[\]<>&\\!#|~]|^\s*([-+=]|\d+[.)])|  $")


@lru_cache(maxsize=1)
def _markdown() -> markdown_lib.Markdown:
    # Building a Markdown parser costs more than converting a ticket: build one, reset it per call.
    return markdown_lib.Markdown(extensions=_MD_EXTENSIONS, output_format="html")


def markdown_html(text: str) -> str:
    """Ticket Markdown as sanitized HTML: no script, event handlers, javascript: URLs or iframes."""
    if not text or not text.strip():
        return ""
    if not _MARKUP.search(text):
        # One line of plain prose (most postmortem fields): escaping gives the same HTML without a Markdown pass.
        return f"<p>{escape(text.strip())}</p>"
    html = _markdown().reset().convert(text)
    return nh3.clean(html, tags=set(ALLOWED_TAGS), url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer nofollow")


#: Characters no title should carry into page meta: controls (C0, DEL, C1) and Unicode line breaks read as spaces,
#: noncharacters and lone surrogates (which YAML and XML refuse) as U+FFFD.
_TITLE_SWAPS = {**{chr(c): " " for c in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]},
                "\ufffe": "\ufffd", "\uffff": "\ufffd",
                "<": "‹", ">": "›", "&": "+", '"': "”", "'": "’", "`": "’"}
_TITLE_ODD = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff<>&\"'`]")
#: What a YAML double-quoted scalar must escape: its quote and backslash, and every character YAML does not
#: accept as printable or reads as a line break (PyYAML's reader, which MkDocs uses for front matter).
_YAML_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]')


def plain_title(text: str) -> str:
    """A title safe for MkDocs' page meta and ``site_name``.

    Themes print ``page.title`` and ``config.site_name`` unescaped (and
    ``striptags`` unescapes entities), so the characters that start markup or
    leave an attribute are swapped for look-alikes rather than escaped;
    control characters and line breaks become spaces.
    """
    if _TITLE_ODD.search(text):
        text = _TITLE_ODD.sub(lambda m: _TITLE_SWAPS.get(m.group(), "\ufffd"), text)
    return text.strip()


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that parses back to ``text``, whatever characters it holds."""
    return '"' + _YAML_ESCAPE.sub(lambda m: {'"': '\\"', "\\": "\\\\"}.get(m.group(), f"\\u{ord(m.group()):04x}"), text) + '"'


def meta_title(text: str) -> Markup:
    """A page title as a double-quoted YAML scalar for front matter: it always parses, whatever the title.

    Marked safe for the template: :func:`plain_title` leaves no character that
    HTML escaping would change except the quotes added at both ends.
    """
    return Markup(yaml_quoted(plain_title(text)))


@lru_cache(maxsize=65536)
def page_url(path: str, directory_urls: bool) -> str:
    """The URL (relative to the site root) MkDocs gives the bundle file ``path``."""
    if not path.endswith(".md"):
        return path
    stem = path[:-3]
    if not directory_urls:
        return stem + ".html"
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative_url(from_page: str, to_path: str, directory_urls: bool) -> str:
    """A link from bundle page ``from_page`` to bundle file ``to_path``, as MkDocs will serve them."""
    here = page_url(from_page, directory_urls)
    base = here if here.endswith("/") or not here else posixpath.dirname(here)
    return _relative(base, page_url(to_path, directory_urls))


@lru_cache(maxsize=65536)
def _relative(base: str, target: str) -> str:
    # Pages of one folder link to the same few targets: relpath once per (folder, target).
    rel = posixpath.relpath(target or ".", base or ".")
    if target.endswith("/") or not target:
        rel = rel.rstrip("/") + "/" if rel != "." else "./"
    return rel


def format_duration(seconds: float | int | None) -> str:
    """Counted time in words a client reads at a glance: ``20 min``, ``1 h 5 min``, ``2 d 3 h``."""
    if seconds is None:
        return "—"
    if seconds < 0:  # an overspent error budget
        return "−" + format_duration(-seconds)
    total = int(round(seconds))
    if total < 60:
        return f"{total} s"
    minutes = total // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def format_percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


class Clock:
    """Turns aware datetimes into the site's time zone."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.zone)

    def show(self, when: datetime | None) -> str:
        if when is None:
            return "—"
        local = self.local(when)
        return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")

    def day(self, when: datetime | None) -> str:
        return "—" if when is None else self.local(when).strftime("%Y-%m-%d")

    def month(self, when: datetime) -> str:
        return self.local(when).strftime("%Y-%m")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one template environment: autoescape everywhere, templates from the package."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gitdesk.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # templates ship in the package; no stat() per page
        extensions=["jinja2.ext.i18n"],
    )
    # the active catalog (gitdesk.site.i18n.activate), looked up at render time
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["duration"] = format_duration
    env.filters["percent"] = format_percent
    env.filters["meta_title"] = meta_title
    env.filters["plain_title"] = plain_title
    return env


#: What XML 1.0 refuses (C0 controls but tab, newline and CR; noncharacters; surrogates), and C1 controls.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Controls in text meant for any format: all of C0, DEL and C1 but tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """``text`` without control characters (tab and newline kept): for formats that refuse them, like iCal TEXT."""
    return _CONTROL.sub("", text)


def render(template: str, **context: object) -> str:
    """Render a package template; XML and SVG output never holds a character XML parsers refuse.

    Autoescape covers markup; this covers the rest: one such character (from a
    config string or commit metadata) makes a reader drop the whole feed.
    """
    text = environment().get_template(template).render(**context)
    if template.endswith((".xml.j2", ".svg.j2")) and _XML_INVALID.search(text):
        text = _XML_INVALID.sub("\ufffd", text)
    return text
