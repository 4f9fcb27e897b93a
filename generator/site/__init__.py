"""Stage 4: the site core. Pure: scoped model + SLA report → a bundle of files.

It never imports MkDocs. Adapters (the MkDocs plugin, ``gitdesk generate``)
turn a :class:`Bundle` into a site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any, Callable

from gitdesk.config import Config
from gitdesk.history import History
from gitdesk.model import Ticket
from gitdesk.sla import SlaReport
from gitdesk.site import feeds, i18n, pages
from gitdesk.site.pages import NavItem
from gitdesk.site.render_cache import RenderCache
from gitdesk.site.scope import Audience, Scope, apply_scope, scope_for, sla_evidence
from gitdesk.site.views import Site

__all__ = ["Audience", "Bundle", "NavItem", "RenderCache", "Scope", "render_bundle", "scope_for", "scoped_report", "site_bundle", "ASSETS"]

#: Stylesheets and scripts the bundle ships; adapters add them to the theme.
ASSETS = ("assets/gitdesk/gitdesk.css", "assets/gitdesk/gitdesk.js")


@dataclass
class Bundle:
    """The site as files: ``{path: content}`` (paths relative to the docs folder), plus the nav."""

    files: dict[str, str | bytes] = field(default_factory=dict)
    nav: list[NavItem] = field(default_factory=list)
    #: Markdown pages that are not in the nav (ticket pages, later listing pages)
    hidden: frozenset[str] = frozenset()
    #: the published address (gitdesk.yml ``site.url``), if known
    site_url: str | None = None
    #: the language every word of the site is in (gitdesk.yml ``site.language``); Material's follows
    language: str = "en"

    @property
    def pages(self) -> list[str]:
        return sorted(p for p in self.files if p.endswith(".md"))

    @property
    def css(self) -> list[str]:
        return [a for a in ASSETS if a.endswith(".css")]

    @property
    def js(self) -> list[str]:
        return [a for a in ASSETS if a.endswith(".js")]


def render_bundle(tickets: list[Ticket], history: History, report: SlaReport, config: Config, *,
                  scope: Scope, now: datetime, directory_urls: bool = False, renders: RenderCache | None = None) -> Bundle:
    """Render every page, feed, API file, badge and asset for already-scoped input.

    ``tickets`` and ``history`` must come from :func:`apply_scope` and ``report``
    from them; :func:`site_bundle` does all three steps. Ticket pages found in
    ``renders`` are not rendered again (:mod:`gitdesk.site.render_cache`).
    """
    i18n.activate(config.site.language)
    site = Site.build(tickets, history, report, config, scope=scope, now=now, directory_urls=directory_urls)
    markdown, nav = pages.all_pages(site, cache=renders)
    files: dict[str, str | bytes] = dict(markdown)
    files.update(feeds.api_files(site))
    files.update(feeds.badges(site))
    files["feed.xml"] = feeds.atom_feed(site)
    files["maintenance.ics"] = feeds.ical(site)
    for asset in ASSETS:
        files[asset] = resources.files("gitdesk.site").joinpath("assets", asset.rsplit("/", 1)[1]).read_text(encoding="utf-8")
    in_nav = {item.path for item in nav}
    return Bundle(dict(sorted(files.items())), nav, frozenset(p for p in markdown if p not in in_nav), config.site.url,
                  config.site.language)


Compute = Callable[..., SlaReport]


def scoped_report(tickets: list[Ticket], history: History, config: Config, *, scope: Scope, now: datetime,
                  compute: Compute | None = None, since: datetime | None = None,
                  until: datetime | None = None) -> tuple[list[Ticket], History, SlaReport]:
    """What ``scope`` may see and the SLA figures computed from it alone: (tickets, history, report).

    The one computation behind a site's figures and ``gitdesk sla --audience``:
    a client audience's report leaves out the incidents that site does not
    show (``visibility: internal``), since counting them would reveal them.
    ``compute`` defaults to :func:`gitdesk.sla.compute` (pure); tests may pass another.
    """
    from gitdesk import sla

    visible, scoped_history = apply_scope(tickets, history, scope, config)
    evidence = sla_evidence(visible, history, scope, config)  # clocks from the real start; pages from visible versions
    window: dict[str, Any] = {k: v for k, v in (("since", since), ("until", until)) if v is not None}
    report = (compute or sla.compute)(visible, evidence, config, now=now, client=scope.client_id, **window)
    return visible, scoped_history, report


def site_bundle(tickets: list[Ticket], history: History, config: Config, *, scope: Scope, now: datetime,
                compute: Compute | None = None, directory_urls: bool = False, renders: RenderCache | None = None) -> Bundle:
    """Scope first, then compute the SLA from what the audience may see (:func:`scoped_report`), then render."""
    visible, scoped_history, report = scoped_report(tickets, history, config, scope=scope, now=now, compute=compute)
    return render_bundle(visible, scoped_history, report, config, scope=scope, now=now, directory_urls=directory_urls,
                         renders=renders)
