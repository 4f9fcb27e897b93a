"""Page-level behaviour of the site core: links, pagination, words for durations, nav."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from gitdesk.history import Commit, History, TicketHistory, Version
from gitdesk.model import Kind, Ticket
from gitdesk.site import render_bundle, scope_for, site_bundle
from gitdesk.site.render import format_duration, relative_url


@pytest.mark.parametrize("directory_urls, source, target, expected", [
    (False, "incidents/INC-1.md", "backlog/EVO-1.md", "../backlog/EVO-1.html"),
    (False, "index.md", "history/index.md", "history/index.html"),
    (False, "history/2026-11.md", "feed.xml", "../feed.xml"),
    (True, "incidents/INC-1.md", "backlog/EVO-1.md", "../../backlog/EVO-1/"),
    (True, "index.md", "history/index.md", "history/"),
    (True, "history/index.md", "index.md", "../"),
    (True, "sla/index.md", "badges/status.svg", "../badges/status.svg"),
])
def test_links_follow_mkdocs_urls(directory_urls: bool, source: str, target: str, expected: str) -> None:
    assert relative_url(source, target, directory_urls) == expected


@pytest.mark.parametrize("seconds, words", [(None, "—"), (42, "42 s"), (1200, "20 min"), (3600, "1 h"), (3900, "1 h 5 min"),
                                            (30120, "8 h 22 min"), (2 * 86400 + 3 * 3600, "2 d 3 h"), (-7200, "−2 h")])
def test_durations_read_as_words(seconds, words: str) -> None:
    assert format_duration(seconds) == words


def test_listings_paginate_and_link_every_ticket(sample_inputs, sample) -> None:
    config, _, _ = sample_inputs
    config = dataclasses.replace(config, site=dataclasses.replace(config.site, page_size=10))
    history = History("main", "f" * 40)
    tickets = []
    for n in range(1, 26):
        t = Ticket(Kind.INCIDENT, f"INC-{n:04d}", f"tickets/incidents/2026/INC-{n:04d}.md",
                   {"id": f"INC-{n:04d}", "title": f"Incident {n}", "severity": "P2", "status": "resolved", "client": "acme"})
        tickets.append(t)
        when = sample.NOW - timedelta(days=3, minutes=n)
        history.tickets[t.id] = TicketHistory(t.id, t.kind, [Version(Commit(f"{n:040x}", when, when, "a", "s"), t.path, t.fields, frozenset(t.fields))])
    bundle = site_bundle(tickets, history, config, scope=scope_for(config, "client", "acme"), now=sample.NOW, compute=sample.fake_compute)
    pages = [p for p in bundle.files if p.startswith("history/2026-11")]
    assert pages == ["history/2026-11-p2.md", "history/2026-11-p3.md", "history/2026-11.md"]
    listed = "".join(str(bundle.files[p]) for p in pages)
    assert all(f'href="../incidents/INC-{n:04d}.html"' in listed for n in range(1, 26))
    assert 'href="2026-11-p3.html"' in str(bundle.files["history/2026-11.md"])
    assert set(pages) <= bundle.hidden and "history/index.md" not in bundle.hidden
    assert {f"incidents/INC-{n:04d}.md" for n in range(1, 26)} <= bundle.hidden


def test_nav_is_small_and_runbooks_appear_only_when_visible(bundle_for) -> None:
    acme = [item.title for item in bundle_for("client", "acme").nav]
    assert acme == ["Status", "History", "SLA", "Backlog", "Decisions", "Maintenance", "Runbooks"]
    assert "runbooks/restart-erp.md" not in bundle_for("client", "acme").files  # internal by default
    assert "runbooks/restart-erp.md" in bundle_for("internal", None).files


def test_incident_page_tells_each_clock_in_words(bundle_for) -> None:
    page = str(bundle_for("client", "acme").files["incidents/INC-0001.md"])
    assert "responded in 20 min — target 1 h, met" in page
    assert "resolved in 8 h 22 min — target 8 h, breached" in page
    assert "counted in business hours (Europe/Madrid)" in page
    assert "status: reported → investigating" in page and "Reproduced on staging." in page
    assert 'href="https://example.org/acme/ops/commit/' in page


def test_status_page_banner_components_and_glance(bundle_for) -> None:
    page = str(bundle_for("client", "acme").files["index.md"])
    assert "Major outage" in page  # INC-0002 is an open P0 outage on accounting
    assert "INC-0002" in page and "We are investigating errors on login to accounting." in page
    assert "MNT-0001" in page and "MNT-0002" not in page
    for label in ("Resolved", "Mean P1 resolution", "P0 today", "Improvements", "SLA compliance"):
        assert label in page


def test_rendering_needs_no_sla_for_records_without_clocks(sample_inputs, sample) -> None:
    config, tickets, history = sample_inputs
    from gitdesk.sla import SlaReport

    bundle = render_bundle(tickets[:0], history, SlaReport(now=sample.NOW), config, scope=scope_for(config, "client", "acme"), now=sample.NOW)
    assert "No open incidents." in str(bundle.files["index.md"])
    assert "No SLA target was breached." in str(bundle.files["sla/index.md"])


def test_pages_rendered_in_worker_processes_are_the_serial_pages(sample_inputs, sample, monkeypatch) -> None:
    """Big sites render their pages in forked workers; the bundle must not change (order included)."""
    from gitdesk.site import pages

    config, tickets, history = sample_inputs
    def bundle():
        return site_bundle(tickets, history, config, scope=scope_for(config, "internal", None), now=sample.NOW,
                           compute=sample.fake_compute)

    serial = bundle()
    monkeypatch.setattr(pages, "PARALLEL_PAGES", 1)
    forked = bundle()
    assert list(forked.files.items()) == list(serial.files.items()) and forked.nav == serial.nav
    assert any(path.startswith("incidents/") for path in serial.files)
