"""From options to a bundle: config, tickets, Git history, SLA and the site core, in that order.

Neutral ground: ``gitdesk build``/``serve``/``generate`` (through the
adapters) and the MkDocs plugin both call :func:`collect`; this module
imports neither MkDocs nor any adapter. Running MkDocs is
:mod:`gitdesk.adapters.mkdocs_build`'s job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from gitdesk.config import Config, load_config
from gitdesk.history import History, TicketHistory, git, read_history
from gitdesk.load.files import load_bytes, load_repo
from gitdesk.model import Diagnostic, DiagnosticLevel, Ticket
from gitdesk.site import Audience, Bundle, RenderCache, scope_for, site_bundle

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class SiteOptions:
    """Who the site is for and as of when; ``now`` None means the current time."""

    repo: Path
    audience: Audience = Audience.CLIENT
    client: str | None = None
    now: datetime | None = None
    #: load problems are reported here (files that could not be read are left out)
    skipped: list[str] = field(default_factory=list, compare=False)
    #: already-read inputs (``publish`` builds every audience from one read); None reads the repo
    sources: Sources | None = field(default=None, compare=False)
    #: ticket pages rendered by earlier builds (serve keeps one in memory, build on disk); None renders every page
    renders: RenderCache | None = field(default=None, compare=False)
    #: the Git history of the last read, kept while the branch does not move (serve); None reads it each time
    kept: KeptHistory | None = field(default=None, compare=False)


@dataclass
class KeptHistory:
    """The history one read of a repo gave, and the evidence state it was read at: a long-running preview's memory.

    Reading the history cache again costs tens of milliseconds at 1,000
    tickets; a preview rebuilds on every saved file, and most saves are not
    commits. The key is what the history cache checks too (the branch, its
    tip, the desk's folder, the witness notes and their tolerance): when it
    matches, the history read last time is the one a read would give.
    """

    key: tuple[object, ...] = ()
    history: History | None = None

    def read(self, repo: Path, config: Config) -> History:
        """``repo``'s history on ``config``'s branch: the kept one when the branch did not move, else read (and kept)."""
        branch = git.open_branch(repo, config.branch)
        key = (repo.resolve(), config.branch, branch.ref, branch.tip, branch.prefix, git.read_ref(repo, git.WITNESS_NOTES),
               config.sla.witness_tolerance)
        if self.history is None or key != self.key:
            # keyed before the read: a commit landing meanwhile makes the next read see a moved tip and read again
            self.history = read_history(repo, branch=config.branch, witness_tolerance=config.sla.witness_tolerance)
            self.key = key
        return self.history


@dataclass(frozen=True)
class Sources:
    """What every audience's site is computed from, read once: config, tickets, Git history, the time."""

    config: Config
    tickets: list[Ticket]
    history: History
    now: datetime
    #: files that could not be loaded and are left out
    skipped: tuple[str, ...] = ()
    #: what loading found (every level), for the build policy (gitdesk.adapters.policy)
    diagnostics: tuple[Diagnostic, ...] = ()


def check_options(options: SiteOptions) -> None:
    """Raise ConfigError (exit 2) for a missing or bad gitdesk.yml or an unknown client; reads no tickets or Git."""
    scope_for(load_config(options.repo), options.audience, options.client)


def read_sources(repo: Path, *, now: datetime | None = None, config: Config | None = None,
                 kept: KeptHistory | None = None) -> Sources:
    """Read the repo once (config, tickets, Git history) for any number of audiences' bundles, cut at ``now``.

    The as-of cut happens here, once, before anything reads history: see
    :func:`as_of`. Files that cannot be loaded are left out and listed in
    ``skipped``; ``diagnostics`` says why. With ``kept``, the history is the
    kept one while the branch has not moved (:class:`KeptHistory`).
    """
    config = config or load_config(repo)
    loaded = load_repo(repo, use_cache=True)  # a build writes anyway; unchanged files are not parsed again
    broken = sorted({d.file for d in loaded.diagnostics if d.level is DiagnosticLevel.ERROR} - {t.path for t in loaded.tickets})
    history = (kept.read(repo, config) if kept is not None
               else read_history(repo, branch=config.branch, witness_tolerance=config.sla.witness_tolerance))
    tickets, history = as_of(loaded.tickets, history, now, read_at=lambda wanted: _files_at(repo, config.branch, wanted))
    return Sources(config, tickets, history, now or datetime.now(timezone.utc), tuple(broken), tuple(loaded.diagnostics))


#: reads ticket files as they were in given commits: (commit, path) -> file bytes (absent when unreadable)
ReadAt = Callable[[list[tuple[str, str]]], dict[tuple[str, str], bytes]]


def as_of(tickets: list[Ticket], history: History, now: datetime | None, *,
          read_at: ReadAt | None = None) -> tuple[list[Ticket], History]:
    """The desk as it stood at ``now``: the one as-of cut every page, feed and figure reads.

    With ``now`` None (a build of the present) the working tree is the newest
    state, uncommitted edits included, so `serve` previews them; only
    landings dated in the future are dropped. With a ``now``, each ticket is
    its last version landed at or before ``now`` (a ticket deleted later is
    back, one not landed yet is absent). A ticket that changed after ``now``
    is its file as it was in that version's commit, read through ``read_at``;
    without it, or when that file cannot be read, it is shown without a body,
    which might hold text written later.
    """
    cut = history.as_of(now or datetime.now(timezone.utc))
    if now is None:
        return tickets, cut
    by_id = {t.id: t for t in tickets}
    out: dict[str, Ticket] = {}
    older: dict[tuple[str, str], TicketHistory] = {}
    for ticket_id, th in sorted(cut.tickets.items()):
        if th.deleted is not None:
            continue
        version, full = th.latest, history.tickets[ticket_id]
        current = by_id.get(ticket_id)
        if (current is not None and full.deleted is None and full.latest is version
                and dict(current.fields) == dict(version.fields)):
            out[ticket_id] = current
        else:
            out[ticket_id] = Ticket(th.kind, ticket_id, version.path, dict(version.fields))
            older[version.commit.sha, version.path] = th
    for (sha, path), data in (read_at(list(older)) if read_at and older else {}).items():
        th = older[sha, path]
        loaded, _ = load_bytes(data, path, th.kind)
        if loaded is not None and loaded.id == th.id:
            out[th.id] = loaded
    return list(out.values()), cut


def _files_at(repo: Path, branch: str, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
    """Ticket files as they were in the given commits, in one ``git cat-file --batch``."""
    prefix = git.open_branch(repo, branch).prefix
    request = "".join(f"{sha}:{prefix}{path}\n" for sha, path in wanted).encode()
    data = git.run(repo, "cat-file", "--batch", stdin=request)
    found: dict[tuple[str, str], bytes] = {}
    at = 0
    for key in wanted:
        end = data.index(b"\n", at)
        header = data[at:end].split()
        at = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[key] = data[at:at + size]
            at += size + 1
    return found


def collect(options: SiteOptions, *, directory_urls: bool = False) -> Bundle:
    """Read the repo (config, tickets, Git history), or use ``options.sources``, and return the scoped bundle.

    Raises ConfigError (exit 2) for a missing gitdesk.yml or an unknown client,
    before anything is read from Git. Files that cannot be loaded are listed in
    ``options.skipped``.
    """
    config = options.sources.config if options.sources else load_config(options.repo)
    scope = scope_for(config, options.audience, options.client)
    sources = options.sources or read_sources(options.repo, now=options.now, config=config, kept=options.kept)
    options.skipped[:] = sources.skipped
    renders = options.renders
    if renders is not None:
        renders.begin()
    compute = renders.parts.compute(scope=scope) if renders is not None and renders.parts is not None else None
    bundle = site_bundle(sources.tickets, sources.history, sources.config, scope=scope, now=sources.now,
                         directory_urls=directory_urls, renders=renders, compute=compute)
    if renders is not None:
        renders.finish()  # pages this build did not show are not kept
    return bundle