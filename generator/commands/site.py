"""`gitdesk build`, `gitdesk serve`, `gitdesk generate`: options in, one adapter call, a summary line out."""

from __future__ import annotations

import logging
from pathlib import Path

from gitdesk.clock import parse_now
from gitdesk.config import load_config
from gitdesk.pipeline import SiteOptions
from gitdesk.site import Audience

#: Summaries go through logging so that `gitdesk -q` silences them; the CLI prints them on stderr.
log = logging.getLogger(__name__)


def _options(repo: Path, client: str | None, audience: str, now: str | None) -> SiteOptions:
    return SiteOptions(repo=repo, audience=Audience(audience), client=client, now=parse_now(now))


def build_command(repo: Path, *, client: str | None, audience: str, out: Path | None, now: str | None,
                  keep_going: bool = False) -> int:
    """Build the site into ``out`` (default ``site/``); the old site stays until the new one is complete.

    A desk with problems is refused (exit 1 through BuildRefused) unless ``keep_going``.
    """
    from gitdesk.adapters.mkdocs_build import build_site

    clients = sorted(load_config(repo).client_ids)
    if audience == "client" and client is None and clients:
        log.info("note: no --client given: the site shows shared records only (clients: %s)", ", ".join(clients))
    result = build_site(_options(repo, client, audience, now), out or repo / "site", keep_going=keep_going)
    who = f"client {client}" if client else f"{audience} audience"
    log.info("✓ built %d pages (%d files) for %s in %.1f s → %s%s", result.pages, result.files, who, result.seconds, result.out,
             left_out(result.left_out))
    return 0


def left_out(paths: tuple[str, ...] | list[str]) -> str:
    """The end of a summary line naming what ``--keep-going`` left out; empty when nothing was."""
    return f"; {len(paths)} file(s) left out: {', '.join(paths)}" if paths else ""


def serve_command(repo: Path, *, client: str | None, audience: str, dev_addr: str, now: str | None = None) -> int:
    """Live preview with MkDocs' server; rebuilds when tickets, backlog, runbooks or gitdesk.yml change."""
    from gitdesk.adapters.mkdocs_build import serve_site

    # Without --now each rebuild uses the current time, so running clocks move while you watch.
    options = SiteOptions(repo=repo, audience=Audience(audience), client=client, now=parse_now(now) if now else None)
    serve_site(options, dev_addr=dev_addr)
    return 0


def generate_command(repo: Path, *, out: Path, client: str | None, audience: str, now: str | None,
                     keep_going: bool = False) -> int:
    """Write the bundle (Markdown, SVG, JSON, XML, ICS, assets) and a plugin-free mkdocs.yml for another builder.

    Refused like ``build`` when the desk has problems, unless ``keep_going``.
    """
    from gitdesk.adapters.generate import generate

    result = generate(_options(repo, client, audience, now), out, keep_going=keep_going)
    log.info("✓ wrote %d files (%d pages) → %s%s", result.files, result.pages, out, left_out(result.left_out))
    return 0
