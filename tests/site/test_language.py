"""The client's language: the demo desk sets ``site.language: es``, and its acme site has no English UI word left.

"English UI word" means every message of the site's own catalog (gitdesk.pot)
whose Spanish translation differs from it. Ticket text is shown as written
(the demo's tickets are Spanish) and is not checked.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path

from babel.messages.pofile import read_po


def catalog() -> dict[str, str]:
    """English message -> Spanish, for the singular messages whose translation differs."""
    folder = resources.files("gitdesk.site").joinpath("locale")
    with folder.joinpath("es", "LC_MESSAGES", "gitdesk.po").open("rb") as handle:
        po = read_po(handle, locale="es")
    out = {}
    for message in po:
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for english, spanish in zip(ids, strings):
            if english and spanish and english != spanish:
                out[english] = spanish
    return out


def visible_text(page: Path) -> list[str]:
    """The text nodes a reader sees in the page's article (tags, scripts and attributes dropped)."""
    text = page.read_text(encoding="utf-8")
    article = text[text.index("<article"):text.index("</article>")] if "<article" in text else text
    article = re.sub(r"<(script|style)\b.*?</\1>", "", article, flags=re.S)
    # ticket Markdown is shown as written, in whatever language its author used
    article = re.sub(r'<div class="gd-body">.*?</div>', "", article, flags=re.S)
    return [html.unescape(node).strip() for node in re.split(r"<[^>]*>", article) if node.strip()]


def pattern(message: str) -> re.Pattern[str]:
    """A message with its %(name)s placeholders as a regular expression matching any filled-in value."""
    parts = re.split(r"%\(\w+\)s", message)
    return re.compile(r"(?<!\w)" + r".+?".join(re.escape(p) for p in parts) + r"(?!\w)")


def test_the_catalog_is_complete() -> None:
    folder = resources.files("gitdesk.site").joinpath("locale")
    with folder.joinpath("es", "LC_MESSAGES", "gitdesk.po").open("rb") as handle:
        po = read_po(handle, locale="es")
    untranslated = [m.id for m in po if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert untranslated == [] and not [m.id for m in po if m.fuzzy and m.id]
    assert (folder / "es/LC_MESSAGES/gitdesk.mo").is_file()


def test_no_english_ui_string_remains_on_the_spanish_demo_site(demo_sites: dict[str, Path]) -> None:
    site = demo_sites["acme"]
    messages = catalog()
    fixed = {m for m in messages if "%(" not in m}
    # a placeholder message is looked for when its literal words are long enough not to match by chance
    templates = [pattern(m) for m in messages if "%(" in m and len(re.sub(r"%\(\w+\)s", "", m).strip()) >= 6]
    # about.html, the provider's own docs page (docs/), is in Spanish on the demo too
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40
    found: list[str] = []
    for page in pages:
        for node in visible_text(page):
            if node in fixed or node.rstrip(".:") in fixed:
                found.append(f"{page.relative_to(site)}: {node!r}")
            found += [f"{page.relative_to(site)}: {node!r}" for p in templates if p.fullmatch(node)]
    assert found == []


#: Schema values that read the same in every language: severities and support levels are codes.
CODES = frozenset({"P0", "P1", "P2", "P3", "L1", "L2", "L3", "L4"})


def schema_values() -> set[str]:
    """Every enumerated value of the ticket schemas (status, category, effort, coverage, impact scale, …), codes aside.

    A page that shows one of these as it is written in the file shows English
    vocabulary, whether or not the catalog has a message for it yet.
    """
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            found.update(v for v in node.get("enum", []) if isinstance(v, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    folder = resources.files("gitdesk.load").joinpath("schemas")
    for name in ("incident", "decision", "backlog", "maintenance", "runbook"):
        walk(json.loads(folder.joinpath(f"{name}.schema.json").read_text(encoding="utf-8")))
    return found - CODES


def test_no_schema_value_is_shown_raw_on_the_spanish_demo_site(demo_sites: dict[str, Path]) -> None:
    """Backlog category, effort, coverage, impact, statuses: on listings, item pages and monthly reports."""
    site = demo_sites["acme"]
    values = schema_values()
    assert {"ux", "reports", "XS", "separate-estimate", "medium", "in-progress"} <= values
    found = [f"{page.relative_to(site)}: {part!r}" for page in sorted(site.rglob("*.html"))
             for node in visible_text(page) for part in re.split(r",\s*", node) if part in values]
    # a planned quarter is "2026-T4" in Spanish (trimestre), not "2026-Q4"
    found += [f"{page.relative_to(site)}: {node!r}" for page in sorted((site / "backlog").glob("*.html"))
              for node in visible_text(page) if re.fullmatch(r"\d{4}-Q[1-4]", node)]
    assert found == []
    # the pages that show those values are there and say them in Spanish
    item = next(p for p in sorted((site / "backlog").glob("EVO-*.html")) if "Esfuerzo" in " ".join(visible_text(p)))
    words = visible_text(item)
    assert words[words.index("Esfuerzo") + 1] in {"XS (muy pequeño)", "S (pequeño)", "M (mediano)", "L (grande)", "XL (muy grande)"}
    listing = " ".join(visible_text(site / "backlog" / "index.html"))
    assert "experiencia de usuario" in listing or "informes" in listing
    assert re.search(r"\b20\d\d-T[1-4]\b", listing)


def test_spanish_pages_feeds_and_material_chrome(demo_sites: dict[str, Path]) -> None:
    site = demo_sites["acme"]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in home
    assert "Buscar" in home  # Material's own search box, in Material's Spanish
    words = " ".join(visible_text(site / "index.html"))
    assert "Incidencias abiertas" in words and "Este mes de un vistazo" in words
    incident = next(p for p in sorted((site / "incidents").glob("INC-*.html")))
    assert "Cronología" in " ".join(visible_text(incident))
    assert "— incidencias</title>" in (site / "feed.xml").read_text(encoding="utf-8")
    assert "— mantenimiento" in (site / "maintenance.ics").read_text(encoding="utf-8")


def test_the_internal_demo_site_follows_the_same_setting(demo_sites: dict[str, Path]) -> None:
    assert '<html lang="es"' in (demo_sites["internal"] / "index.html").read_text(encoding="utf-8")


def test_preventive_schedules_read_in_spanish(demo_sites: dict[str, Path]) -> None:
    """A runbook's `every` ("2 weeks") and "never" are the site's words too (the demo's preventive runbooks are internal)."""
    words = visible_text(demo_sites["internal"] / "maintenance" / "index.html")
    assert not [w for w in words if re.fullmatch(r"\d+ (day|week|month|year)s?|never", w)]
    assert any(re.fullmatch(r"\d+ (días?|semanas?|mes(es)?|años?)", w) for w in words), words


def test_gitdesk_s_own_business_calendar_is_named_in_the_site_s_language(demo_sites: dict[str, Path]) -> None:
    """The demo's P1 clocks count on the calendar gitdesk calls ``business``: a Spanish page read "horario business"."""
    page = (demo_sites["acme"] / "incidents" / "INC-0006.html").read_text(encoding="utf-8")
    assert "contado en horario laborable (Europe/Madrid), sin festivos" in page
    assert "horario business" not in page
