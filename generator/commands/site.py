"""`gitdesk build`, `gitdesk serve`, `gitdesk generate`: options in, one adapter call, a summary line out."""

from __future__ import annotations

from pathlib import Path

import click

from gitdesk.clock import parse_now
from gitdesk.config import load_config
from gitdesk.pipeline import SiteOptions
from gitdesk.site import Audience


def _options(repo: Path, client: str | None, audience: str, now: str | None) -> SiteOptions:
    return SiteOptions(repo=repo, audience=Audience(audience), client=client, now=parse_now(now))


def build_command(repo: Path, *, client: str | None, audience: str, out: Path | None, now: str | None) -> int:
    """Build the site into ``out`` (default ``site/``); the old site stays until the new one is complete."""
    from gitdesk.adapters.mkdocs_build import build_site

    clients = sorted(load_config(repo).client_ids)
    if audience == "client" and client is None and clients:
        click.echo(f"note: no --client given: the site shows shared records only (clients: {', '.join(clients)})", err=True)
    result = build_site(_options(repo, client, audience, now), out or repo / "site")
    who = f"client {client}" if client else f"{audience} audience"
    skipped = f", {result.skipped} broken file(s) left out" if result.skipped else ""
    click.echo(f"✓ built {result.pages} pages ({result.files} files) for {who} in {result.seconds:.1f} s → {result.out}{skipped}", err=True)
    return 0


def serve_command(repo: Path, *, client: str | None, audience: str, dev_addr: str, now: str | None = None) -> int:
    """Live preview with MkDocs' server; rebuilds when tickets, backlog, runbooks or gitdesk.yml change."""
    from gitdesk.adapters.mkdocs_build import serve_site

    # Without --now each rebuild uses the current time, so running clocks move while you watch.
    options = SiteOptions(repo=repo, audience=Audience(audience), client=client, now=parse_now(now) if now else None)
    serve_site(options, dev_addr=dev_addr)
    return 0


def generate_command(repo: Path, *, out: Path, client: str | None, audience: str, now: str | None) -> int:
    """Write the bundle (Markdown, SVG, JSON, XML, ICS, assets) and a plugin-free mkdocs.yml for another builder."""
    from gitdesk.adapters.generate import generate

    result = generate(_options(repo, client, audience, now), out)
    click.echo(f"✓ wrote {result.files} files ({result.pages} pages) → {out}", err=True)
    return 0
