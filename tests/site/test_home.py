"""The home page a client reads first: grouped components, the month at a glance, the next service review.

The browser checks (hover, tap, keyboard, layout) are in test_browser.py; these read the built HTML.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gitdesk.config import read_config
from gitdesk.errors import ConfigError

MADRID = ZoneInfo("Europe/Madrid")
#: a Friday evening
NOW = datetime(2026, 11, 20, 17, 45, tzinfo=MADRID)


def review(text: str) -> datetime:
    config = read_config(f"title: Desk\ntimezone: Europe/Madrid\nservice_review: {text}\n")
    assert config.service_review is not None
    return config.service_review.next_after(NOW, MADRID)


@pytest.mark.parametrize(("cadence", "expected"), [
    ("{every: weekly, day: fri}", "2026-11-20T00:00"),  # a review without a time lasts its whole day: today
    ("{every: weekly, day: fri, at: '10:00'}", "2026-11-27T10:00"),  # this morning's has passed
    ("{every: fortnightly, day: fri, from: 2026-11-13, at: '09:30'}", "2026-11-27T09:30"),
    ("{every: monthly, day: last fri, at: '10:00'}", "2026-11-27T10:00"),
    ("{every: monthly, day: 15}", "2026-12-15T00:00"),
    ("{every: monthly, day: last}", "2026-11-30T00:00"),
    ("{every: quarterly, day: first mon}", "2027-01-04T00:00"),  # quarters start in January unless `from` says otherwise
    ("{every: quarterly, day: 1, from: 2026-02-01}", "2027-02-01T00:00"),
])
def test_the_next_review_follows_the_cadence(cadence: str, expected: str) -> None:
    assert review(cadence).strftime("%Y-%m-%dT%H:%M") == expected


@pytest.mark.parametrize(("cadence", "key", "fix"), [
    ("{every: weekly, day: 15}", "service_review.day", "write `day: fri`"),
    ("{every: monthly, day: fri}", "service_review.day", "`first fri`, `last fri`"),
    ("{every: monthly, day: 31}", "service_review.day", "a day of the month from 1 to 28"),
    ("{every: fortnightly, day: fri}", "service_review", "needs `from: YYYY-MM-DD`"),
    ("{every: weekly, day: fri, from: 2026-11-12}", "service_review.from", "2026-11-12 is a thu, not a fri"),
    ("{every: daily, day: fri}", "service_review.every", "weekly, fortnightly, monthly, quarterly"),
    ("{every: weekly, day: fri, at: '25:00'}", "service_review.at", ""),
])
def test_a_wrong_cadence_names_file_line_key_and_fix(cadence: str, key: str, fix: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read_config(f"title: Desk\ntimezone: Europe/Madrid\nservice_review: {cadence}\n")
    error = caught.value
    assert (error.file, error.line, error.key) == ("gitdesk.yml", 3, key)
    assert fix in str(error)


def test_a_client_may_review_on_its_own_cadence() -> None:
    config = read_config("title: Desk\ntimezone: Europe/Madrid\nservice_review: {every: monthly, day: 1}\n"
                         "clients:\n  - {id: acme, name: Acme, service_review: {every: weekly, day: mon}}\n  - {id: globex, name: Globex}\n")
    acme, globex = config.review_for("acme"), config.review_for("globex")
    assert acme is not None and acme.next_after(NOW, MADRID).date().isoformat() == "2026-11-23"
    assert globex is config.service_review


def figure(page: str, key: str) -> tuple[str, str]:
    found = re.search(rf'<div data-figure="{key}"[^>]*><dt>[^<]*</dt><dd>([^<]*)</dd><dd class="gd-figure-note">(.*?)</dd>', page)
    assert found, f"no {key} figure"
    return html.unescape(found.group(1)), html.unescape(re.sub(r"<[^>]+>", "", found.group(2)))


def test_the_spanish_home_page_shows_the_next_review_and_the_goals(demo_sites: dict[str, Path]) -> None:
    page = (demo_sites["acme"] / "index.html").read_text(encoding="utf-8")
    # the demo reviews the service on the last Friday of the month at 10:00; its story ends on Friday 20 November
    assert figure(page, "review") == ("viernes 27 noviembre, 10:00", "dentro de 6 días")
    assert figure(page, "p1-resolution")[1].startswith("cumplido · objetivo 8 h")
    assert figure(page, "uptime")[1].endswith("meta 99.8%")


def test_components_are_grouped_and_named_as_in_gitdesk_yml(demo_sites: dict[str, Path]) -> None:
    page = (demo_sites["acme"] / "index.html").read_text(encoding="utf-8")
    groups = re.findall(r'<section class="gd-group" data-group="([^"]*)"(.*?)</section>', page, re.S)
    shown = {name: [html.unescape(n) for n in re.findall(r'<span class="gd-component-name">([^<]*)</span>', body)]
             for name, body in groups}
    # acme's six components, in gitdesk.yml's order, under their groups (norte's integrations and API are not acme's)
    assert shown == {"ERP": ["Módulo contable v3.2", "Panel de operaciones — listado de pedidos", "Dashboard", "Facturación", "Informes"],
                     "Plataforma": ["Acceso e inicio de sesión"]}


def test_open_incidents_are_cards_with_their_latest_update(demo_sites: dict[str, Path]) -> None:
    page = (demo_sites["acme"] / "index.html").read_text(encoding="utf-8")
    cards = re.findall(r'<li class="gd-card gd-card-[a-z_]+" data-incident="(INC-\d+)">(.*?)</li>', page, re.S)
    assert cards, "the demo ends with open incidents"
    first_id, first = cards[0]
    # worst first: the P1 under investigation, with its latest update and "Actualizada hace …" as of the build's now
    assert "gd-sev-p1" in first and "investigando" in first
    assert re.search(r'Actualizada <time datetime="[^"]+" title="[^"]+">hace \d+ (minutos?|horas?)</time>', first)


def test_badges_keep_their_place_while_they_load(demo_sites: dict[str, Path]) -> None:
    # an <img> without width and height is 0 x 0 until it loads, then pushes the line (layout shift, Lighthouse CLS)
    site = demo_sites["acme"]
    page = (site / "index.html").read_text(encoding="utf-8")
    images = re.findall(r'<img src="(badges/[a-z]+\.svg)" alt="[^"]+" width="(\d+)" height="(\d+)">', page)
    assert len(images) == 3 == page.count("<img")
    for src, width, height in images:
        svg = (site / src).read_text(encoding="utf-8")
        assert re.search(rf'<svg [^>]*width="{width}" height="{height}"', svg), src  # the size the SVG itself declares
