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

from gitdesk.config import load_config
from gitdesk.history import read_history
from gitdesk.load.files import load_repo
from gitdesk.model import DiagnosticLevel
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


def check_options(options: SiteOptions) -> None:
    """Raise ConfigError (exit 2) for a missing or bad gitdesk.yml or an unknown client; reads no tickets or Git."""
    scope_for(load_config(options.repo), options.audience, options.client)


def collect(options: SiteOptions, *, directory_urls: bool = False) -> Bundle:
    """Read the repo (config, tickets, Git history), compute the SLA and return the scoped site bundle.

    Raises ConfigError (exit 2) for a missing gitdesk.yml or an unknown client,
    before anything is read from Git. Files that cannot be loaded are left
    out, logged, and listed in ``options.skipped``.
    """
    repo = options.repo
    config = load_config(repo)
    scope = scope_for(config, options.audience, options.client)
    loaded = load_repo(repo)
    broken = sorted({d.file for d in loaded.diagnostics if d.level is DiagnosticLevel.ERROR} - {t.path for t in loaded.tickets})
    options.skipped[:] = broken
    for path in broken:
        log.warning("%s could not be loaded and is left out of the site (run `gitdesk validate`)", path)
    history = read_history(repo, branch=config.branch)
    now = options.now or datetime.now(timezone.utc)
    return site_bundle(loaded.tickets, history, config, scope=scope, now=now, directory_urls=directory_urls)
