"""`gitdesk publish`: every site behind its own credentials, and the nginx.conf that serves them."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command("publish")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder: the sites and nginx.conf.")
@click.option("--listen", default="127.0.0.1:8080", show_default=True, metavar="HOST:PORT", help="Where nginx listens.")
@click.option("--now", "now", default=None, metavar="TIME", help="Build as of this time (default: now).")
@click.option("--keep-going", is_flag=True,
              help="Publish the rest when tickets or docs files have problems, listing what was left out.")
@click.pass_context
def publish_cli(ctx: click.Context, out: Path, listen: str, now: str | None, keep_going: bool) -> None:
    """Build the internal and every client's site, with an nginx.conf guarding each by its own credentials.

    All or nothing: when a ticket fails to load or validate, or a docs file is
    refused, nothing is published (exit 1, the previous DIR is kept).
    """
    ctx.exit(publish_command(ctx.find_root().obj["repo"], out=out, listen=listen, now=now, keep_going=keep_going))


def publish_command(repo: Path, *, out: Path, listen: str, now: str | None, keep_going: bool = False) -> int:
    """Publish into ``out``; print each site's URL and its feed URLs, and how to run nginx."""
    from gitdesk.adapters.publish import FEED_SECRET_ENV, PRIVATE, Listen, publish
    from gitdesk.commands import parse_now
    from gitdesk.commands.site import left_out

    result = publish(repo, out, listen=Listen.parse(listen), now=parse_now(now) if now else None, environ=os.environ,
                     keep_going=keep_going)
    for site in result.sites:
        click.echo(f"{site.name}: {site.url}")
        for url in site.feeds:
            click.echo(f"  {url}")
    if result.feeds_need_auth:
        click.echo(f"note: {FEED_SECRET_ENV} is not set: feeds and calendars are served behind basic auth only "
                   "(set it to publish capability URLs for feed readers)", err=True)
    if result.blocked_scripts:
        shown = ", ".join(result.blocked_scripts[:5]) + (f" and {len(result.blocked_scripts) - 5} more" if len(result.blocked_scripts) > 5 else "")
        click.echo(f"warning: inline scripts the theme did not write are blocked by the Content-Security-Policy: {shown}", err=True)
    click.echo(f"✓ published {len(result.sites)} sites in {result.seconds:.1f} s → {result.out}{left_out(result.left_out)}\n"
               f"  serve: nginx -p {result.out} -c nginx.conf -e {PRIVATE}/logs/error.log", err=True)
    return 0
