"""`gitdesk notify`: options in, one run, a report out (text or JSON)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from gitdesk.notify import RunReport


@click.command("notify")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing, move no ref.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--now", "now", default=None, metavar="TIME", help="Judge maintenance windows and SLA clocks at this time (default: now).")
@click.pass_context
def notify_cli(ctx: click.Context, dry_run: bool, fmt: str, now: str | None) -> None:
    """Tell each channel what landed on main since the last run, exactly once."""
    from gitdesk.history.git import find_root

    ctx.exit(notify_command(find_root(ctx.find_root().obj["repo"]), dry_run=dry_run, fmt=fmt, now=now))


def notify_command(repo: Path, *, dry_run: bool, fmt: str, now: str | None) -> int:
    """Run the notifications; 0 when every channel is up to date, 1 when one failed, 2 when one cannot be used."""
    from gitdesk.clock import parse_now
    from gitdesk.notify import notify

    report = notify(repo, now=parse_now(now), dry_run=dry_run, env=os.environ)
    click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False) if fmt == "json" else _text(report))
    if report.unusable:
        return 2
    return 1 if report.failed else 0


def _text(report: RunReport) -> str:
    from gitdesk.notify import Outcome

    if report.adopted:
        return (f"no refs/gitdesk/notified yet: nothing sent; {'it would be set' if report.dry_run else 'set it'} "
                f"to {report.tip[:10]} (later runs notify what lands after it)")
    lines = []
    if report.rewritten:
        lines.append(f"main was rewritten since {str(report.notified)[:10]}: resuming from the common ancestor")
    for channel in report.channels:
        lines.append(f"{channel.where} ({channel.scheme}://, {channel.audience}): {channel.outcome.value}, "
                     f"{channel.delivered}/{channel.messages} message(s) for {len(channel.events)} event(s)")
        if channel.outcome in (Outcome.DRY_RUN, Outcome.FAILED, Outcome.UNUSABLE) or report.dry_run:
            lines += [f"  {subject}" for _, subject in channel.events]
        if channel.error:
            lines.append(f"  {channel.error}")
    if not report.channels:
        lines.append("no channels: add `notify:` URLs to gitdesk.yml (see docs/notify.md)")
    done = "refs/gitdesk/notified → " + report.tip[:10] if report.advanced else "refs/gitdesk/notified unchanged"
    lines.append(f"{'dry run: nothing sent; ' if report.dry_run else ''}{done}")
    return "\n".join(lines)
