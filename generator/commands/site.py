"""`gitdesk build`, `gitdesk serve`, `gitdesk generate`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from gitdesk.pipeline import DEFAULT_MKDOCS, SiteOptions, atomic_folder, build_site, collect, write_bundle
from gitdesk.commands import parse_now
from gitdesk.config import load_config
from gitdesk.site import Audience


def _options(repo: Path, client: str | None, audience: str, now: str | None) -> SiteOptions:
    return SiteOptions(repo=repo, audience=Audience(audience), client=client, now=parse_now(now))


def build_command(repo: Path, *, client: str | None, audience: str, out: Path | None, now: str | None) -> int:
    """Build the site into ``out`` (default ``site/``); the old site stays until the new one is complete."""
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
    import logging

    from gitdesk.pipeline import mkdocs_file, mkdocs_logging, require_plugin

    require_plugin()
    from mkdocs.commands.serve import serve

    from gitdesk.adapters.mkdocs_plugin import forced_options

    load_config(repo)  # exit 2 before the server starts
    # Without --now each rebuild uses the current time, so running clocks move while you watch.
    options = SiteOptions(repo=repo, audience=Audience(audience), client=client, now=parse_now(now) if now else None)
    with mkdocs_file(repo) as config_file, forced_options(options), mkdocs_logging(logging.INFO):
        serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True)
    return 0


def generate_command(repo: Path, *, out: Path, client: str | None, audience: str, now: str | None) -> int:
    """Write the bundle (Markdown, SVG, JSON, XML, ICS, assets) for another MkDocs-compatible builder.

    ``out/docs`` holds the files; ``out/mkdocs.yml`` lists the nav and assets
    without the gitdesk plugin, so Zensical or ProperDocs can build it as is.
    """
    bundle = collect(_options(repo, client, audience, now), directory_urls=False)
    config = load_config(repo)
    with atomic_folder(out, repo) as fresh:
        write_bundle(bundle, fresh / "docs")
        base = DEFAULT_MKDOCS.format(title=json.dumps(config.title, ensure_ascii=False)).replace("plugins: [search, gitdesk]", "plugins: [search]")
        nav = "nav:\n" + "".join(f"  - {json.dumps(item.title)}: {item.path}\n" for item in bundle.nav)
        assets = "extra_css: [" + ", ".join(bundle.css) + "]\nextra_javascript: [" + ", ".join(bundle.js) + "]\n"
        (fresh / "mkdocs.yml").write_text(base + nav + assets, encoding="utf-8")
    click.echo(f"✓ wrote {len(bundle.files)} files ({len(bundle.pages)} pages) → {out}", err=True)
    return 0
