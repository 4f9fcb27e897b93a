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

from gitdesk.config import Config, load_config
from gitdesk.history import History, read_history
from gitdesk.load.files import load_repo
from gitdesk.model import DiagnosticLevel, Ticket
from gitdesk.site import Audience, Bundle, scope_for, site_bundle

log = logging.getLogger(__name__)

#: The mkdocs.yml used when a repo has none: offline Material, the gitdesk plugin.
DEFAULT_MKDOCS = """\
site_name: {title}
docs_dir: docs
use_directory_urls: false
theme:
  name: material
  font: false
  features: [navigation.tabs]
  palette:
    - scheme: default
      toggle: {{icon: material/brightness-7, name: Dark mode}}
    - scheme: slate
      toggle: {{icon: material/brightness-4, name: Light mode}}
plugins: [search, gitdesk]
"""


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


@dataclass(frozen=True)
class Sources:
    """What every audience's site is computed from, read once: config, tickets, Git history, the time."""

    config: Config
    tickets: list[Ticket]
    history: History
    now: datetime
    #: files that could not be loaded and are left out
    skipped: tuple[str, ...] = ()


def check_options(options: SiteOptions) -> None:
    """Raise ConfigError (exit 2) for a missing or bad gitdesk.yml or an unknown client; reads no tickets or Git."""
    scope_for(load_config(options.repo), options.audience, options.client)


def read_sources(repo: Path, *, now: datetime | None = None, config: Config | None = None) -> Sources:
    """Read the repo once (config, tickets, Git history) for any number of audiences' bundles.

    Files that cannot be loaded are left out, logged, and listed in ``skipped``.
    """
    config = config or load_config(repo)
    loaded = load_repo(repo)
    broken = sorted({d.file for d in loaded.diagnostics if d.level is DiagnosticLevel.ERROR} - {t.path for t in loaded.tickets})
    for path in broken:
        log.warning("%s could not be loaded and is left out of the site (run `gitdesk validate`)", path)
    history = read_history(repo, branch=config.branch, witness_tolerance=config.sla.witness_tolerance)
    return Sources(config, loaded.tickets, history, now or datetime.now(timezone.utc), tuple(broken))


def collect(options: SiteOptions, *, directory_urls: bool = False) -> Bundle:
    """Read the repo (config, tickets, Git history), or use ``options.sources``, and return the scoped bundle.

    Raises ConfigError (exit 2) for a missing gitdesk.yml or an unknown client,
    before anything is read from Git. Files that cannot be loaded are listed in
    ``options.skipped``.
    """
    config = options.sources.config if options.sources else load_config(options.repo)
    scope = scope_for(config, options.audience, options.client)
    sources = options.sources or read_sources(options.repo, now=options.now, config=config)
    options.skipped[:] = sources.skipped
    return site_bundle(sources.tickets, sources.history, sources.config, scope=scope, now=sources.now, directory_urls=directory_urls)