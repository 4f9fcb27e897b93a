"""The `gitdesk` command line: options in, one call into the core, exit codes out.

Exit codes: 0 success; 1 a check found problems; 2 usage or environment error;
70 (EX_SOFTWARE) a bug in gitdesk; 130 interrupted. User errors print a
message naming the file and the fix, never a traceback.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from gitdesk import __version__
from gitdesk.errors import ConfigError, GitdeskError

#: sysexits.h EX_SOFTWARE: an internal error, told apart from usage errors (2) in scripts and bug reports.
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
DEBUG_ENV = "GITDESK_DEBUG"


class _Group(click.Group):
    """Maps GitdeskError to its exit code and message, and any other exception to exit 70."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            # Located problems lead with file:line, as compilers do, so editors and CI can jump to them.
            click.echo(str(exc) if exc.file else f"gitdesk: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except GitdeskError as exc:
            click.echo(f"gitdesk: {'error' if exc.exit_code == 2 else 'failed'}: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("gitdesk: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:  # a bug of ours: say so in one line; the traceback on request
            if os.environ.get(DEBUG_ENV):
                click.echo(traceback.format_exc().rstrip(), err=True)
            summary = str(exc).splitlines()[0] if str(exc) else ""
            click.echo(f"gitdesk: internal error ({type(exc).__name__}: {summary}); this is a bug: "
                       f"rerun with {DEBUG_ENV}=1 for the traceback and report it", err=True)
            ctx.exit(EXIT_INTERNAL)


class _EchoHandler(logging.Handler):
    """Log records on stderr through click, so they go wherever click's stderr is at the time (CliRunner too)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # logging must never end the command
            self.handleError(record)


class _Format(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"gitdesk: {record.levelname.lower()}: {message}"
        return f"{record.name}: {message}" if record.levelno < logging.INFO else message


#: verbosity (-v count minus -q count) -> level; for MkDocs, NOTSET leaves each command its own default
_OURS = {-2: logging.ERROR, -1: logging.WARNING, 0: logging.INFO, 1: logging.DEBUG}
_MKDOCS = {-2: logging.ERROR, -1: logging.WARNING, 0: logging.NOTSET, 1: logging.INFO, 2: logging.DEBUG}


def configure_logging(verbosity: int) -> None:
    """Route gitdesk's log records to stderr at the level ``-v``/``-q`` ask for (0: progress and warnings).

    MkDocs' own messages follow from ``-v`` (its progress) and ``-vv`` (its debug output) on.
    """
    step = max(-2, min(verbosity, 2))
    ours = _OURS[min(step, 1)]
    logger = logging.getLogger("gitdesk")
    logger.setLevel(ours)
    if not any(isinstance(handler, _EchoHandler) for handler in logger.handlers):
        handler = _EchoHandler()
        handler.setFormatter(_Format())
        logger.addHandler(handler)
    logging.getLogger("mkdocs").setLevel(_MKDOCS[step])


def _repo(ctx: click.Context) -> Path:
    from gitdesk.history.git import find_root  # run from a subfolder, gitdesk finds the desk above it

    return find_root(ctx.find_root().obj["repo"])


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="The gitdesk repository (default: the current folder).")
@click.option("-v", "--verbose", count=True, help="Say more on stderr (repeatable: -vv adds MkDocs' debug output).")
@click.option("-q", "--quiet", count=True, help="Say less on stderr: -q warnings and errors only, -qq errors only.")
@click.version_option(__version__, prog_name="gitdesk")
@click.pass_context
def cli(ctx: click.Context, repo: Path, verbose: int, quiet: int) -> None:
    """Run a software-maintenance service desk from a Git repository."""
    configure_logging(verbose - quiet)
    ctx.obj = {"repo": repo}


# --- validate -----------------------------------------------------------------

@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--no-history", is_flag=True, help="Skip the checks that read Git history.")
@click.pass_context
def validate(ctx: click.Context, fmt: str, strict: bool, no_history: bool) -> None:
    """Check every ticket: schema, references, lifecycle (exit 1 on problems)."""
    from gitdesk.commands.validate import validate_command

    ctx.exit(validate_command(_repo(ctx), fmt=fmt, strict=strict, history=not no_history))


# --- sla, history (issue 3) ------------------------------------------------------

@cli.group(invoke_without_command=True)
@click.option("--now", "now", default=None, metavar="TIME", help="Judge running clocks at this ISO 8601 time (default: now).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--client", default=None, help="Only this client's tickets.")
@click.option("--since", default=None, metavar="DATE", help="Only tickets started on or after DATE.")
@click.option("--until", default=None, metavar="DATE", help="Only tickets started before DATE.")
@click.option("--audience", type=click.Choice(["internal", "client"]), default="internal", show_default=True,
              help="client: only what the client's site shows (its figures), leaving out internal incidents.")
@click.pass_context
def sla(ctx: click.Context, now: str | None, fmt: str, client: str | None, since: str | None, until: str | None,
        audience: str) -> None:
    """Per-ticket SLA clocks and summaries, from Git evidence."""
    if ctx.invoked_subcommand is not None:
        return
    from gitdesk.commands.sla import sla_command

    ctx.exit(sla_command(_repo(ctx), now=now, fmt=fmt, client=client, since=since, until=until, audience=audience))


@sla.command("check")
@click.option("--now", "now", default=None, metavar="TIME", help="Judge running clocks at this ISO 8601 time.")
@click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text", show_default=True)
@click.pass_context
def sla_check(ctx: click.Context, now: str | None, fmt: str) -> None:
    """Exit 1 if a breach has no breach_reason or compliance is below min_compliance."""
    from gitdesk.commands.sla import sla_check_command

    ctx.exit(sla_check_command(_repo(ctx), now=now or ctx.parent.params.get("now") if ctx.parent else now, fmt=fmt))


@cli.command()
@click.argument("ticket_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def history(ctx: click.Context, ticket_id: str, fmt: str) -> None:
    """The ticket's timeline, from Git."""
    from gitdesk.commands.sla import history_command

    ctx.exit(history_command(_repo(ctx), ticket_id, fmt=fmt))


# --- site (issue 4) --------------------------------------------------------------

KEEP_GOING_HELP = "Publish the rest when tickets or docs files have problems, listing what was left out."

@cli.command()
@click.option("--client", default=None, help="Build the site of one client.")
@click.option("--audience", type=click.Choice(["client", "internal"]), default="client", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder (default: site/).")
@click.option("--now", "now", default=None, metavar="TIME", help="Build as of this time (default: now).")
@click.option("--keep-going", is_flag=True, help=KEEP_GOING_HELP)
@click.pass_context
def build(ctx: click.Context, client: str | None, audience: str, out: Path | None, now: str | None, keep_going: bool) -> None:
    """Build the static status and history site (safe for clients by default).

    All or nothing: when a ticket fails to load or validate, or a docs file is
    refused, nothing is published (exit 1, the previous site is kept).
    """
    from gitdesk.commands.site import build_command

    ctx.exit(build_command(_repo(ctx), client=client, audience=audience, out=out, now=now, keep_going=keep_going))


@cli.command()
@click.option("--client", default=None)
@click.option("--audience", type=click.Choice(["client", "internal"]), default="internal", show_default=True)
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True)
@click.option("--now", "now", default=None, metavar="TIME", help="Preview as of this time (default: now).")
@click.pass_context
def serve(ctx: click.Context, client: str | None, audience: str, dev_addr: str, now: str | None) -> None:
    """Live preview of the site; rebuilds when tickets change."""
    from gitdesk.commands.site import serve_command

    ctx.exit(serve_command(_repo(ctx), client=client, audience=audience, dev_addr=dev_addr, now=now))


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--client", default=None)
@click.option("--audience", type=click.Choice(["client", "internal"]), default="client", show_default=True)
@click.option("--now", "now", default=None, metavar="TIME")
@click.option("--keep-going", is_flag=True, help=KEEP_GOING_HELP)
@click.pass_context
def generate(ctx: click.Context, out: Path, client: str | None, audience: str, now: str | None, keep_going: bool) -> None:
    """Write the site's Markdown and assets only, for another MkDocs-compatible builder.

    All or nothing, as build: when a ticket fails to load or validate, nothing
    is written (exit 1).
    """
    from gitdesk.commands.site import generate_command

    ctx.exit(generate_command(_repo(ctx), out=out, client=client, audience=audience, now=now, keep_going=keep_going))


# --- engineer workflow (issue 5) -------------------------------------------------

@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--title", default=None, help="The service's title.")
def init(directory: Path, title: str | None) -> None:
    """Scaffold a new gitdesk repo (never overwrites a file)."""
    from gitdesk.commands.workflow import init_command

    sys.exit(init_command(directory, title=title))


@cli.command()
@click.argument("kind", type=click.Choice(["incident", "decision", "backlog", "maintenance", "runbook"]))
@click.option("--title", required=True)
@click.option("--severity", type=click.Choice(["P0", "P1", "P2", "P3"]), default=None)
@click.option("--component", "components", multiple=True, help="A component id (repeatable).")
@click.option("--client", default=None)
@click.option("--starts-at", default=None, help="Maintenance: start time (ISO 8601 with offset).")
@click.option("--ends-at", default=None, help="Maintenance: end time.")
@click.option("--category", default=None, help="Backlog: category.")
@click.pass_context
def new(ctx: click.Context, kind: str, title: str, severity: str | None, components: tuple[str, ...], client: str | None,
        starts_at: str | None, ends_at: str | None, category: str | None) -> None:
    """Create a ticket with the next free id; prints its path."""
    from gitdesk.commands.workflow import new_command

    ctx.exit(new_command(_repo(ctx), kind, title=title, severity=severity, components=list(components), client=client,
                         starts_at=starts_at, ends_at=ends_at, category=category))


@cli.command()
@click.argument("ticket_id", metavar="ID")
@click.argument("new_status", metavar="STATUS")
@click.option("-m", "--message", "update", default=None, help="The public update line.")
@click.pass_context
def status(ctx: click.Context, ticket_id: str, new_status: str, update: str | None) -> None:
    """Change a ticket's status (and its public update), keeping comments and layout."""
    from gitdesk.commands.workflow import status_command

    ctx.exit(status_command(_repo(ctx), ticket_id, new_status, update=update))


@cli.command()
@click.option("--dry-run", is_flag=True, help="Show what would change.")
@click.pass_context
def renumber(ctx: click.Context, dry_run: bool) -> None:
    """Give duplicate ids (from concurrent PRs) fresh ones, updating references."""
    from gitdesk.commands.workflow import renumber_command

    ctx.exit(renumber_command(_repo(ctx), dry_run=dry_run))


@cli.command("schema")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None)
def schema_cmd(out: Path | None) -> None:
    """Export the JSON Schemas for editors."""
    from gitdesk.commands.workflow import schema_command

    sys.exit(schema_command(out))


# --- demo (issue 6) --------------------------------------------------------------

@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--size", type=click.Choice(["full", "small"]), default="full", show_default=True)
@click.option("--force", is_flag=True, help="Replace DIRECTORY if it exists.")
def demo(directory: Path, size: str, force: bool) -> None:
    """Create a realistic demo repo with a year of back-dated history."""
    from gitdesk.commands.demo import demo_command

    sys.exit(demo_command(directory, size=size, force=force))


# Each of these modules defines its own click command.
from gitdesk.commands.doctor import doctor_cli  # noqa: E402
from gitdesk.commands.importers import import_cmd  # noqa: E402
from gitdesk.commands.notify import notify_cli  # noqa: E402
from gitdesk.commands.publish import publish_cli  # noqa: E402
from gitdesk.commands.witness import witness_cli  # noqa: E402

cli.add_command(import_cmd)
cli.add_command(publish_cli)
cli.add_command(doctor_cli)
cli.add_command(notify_cli)
cli.add_command(witness_cli)


def main() -> None:
    cli(prog_name="gitdesk")
