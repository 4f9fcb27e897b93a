"""Building the site: collect the bundle from a repo, run MkDocs, swap the result in atomically.

This is the impure edge of the site stage (disk, Git, clock); the site core in
:mod:`gitdesk.site` stays pure.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from gitdesk.config import Config, load_config
from gitdesk.errors import ConfigError, GitdeskError
from gitdesk.history import History
from gitdesk.load.files import load_repo
from gitdesk.model import Ticket
from gitdesk.site import Audience, Bundle, scope_for, site_bundle

log = logging.getLogger("gitdesk.pipeline")

MKDOCS_FILE = "mkdocs.yml"

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


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    files: int
    seconds: float
    skipped: int


def read_sources(repo: Path, *, now: datetime | None = None, config: Config | None = None) -> Sources:
    """Read the repo once (config, tickets, Git history) for any number of audiences' bundles."""
    from gitdesk.history import read_history

    config = config or load_config(repo)
    loaded = load_repo(repo)
    broken = sorted({d.file for d in loaded.diagnostics if d.level.value == "error"} - {t.path for t in loaded.tickets})
    for path in broken:
        log.warning("gitdesk: %s could not be loaded and is left out of the site (run `gitdesk validate`)", path)
    history = read_history(repo, branch=config.branch)
    return Sources(config, loaded.tickets, history, now or datetime.now(timezone.utc), tuple(broken))


def collect(options: SiteOptions, *, directory_urls: bool = False) -> Bundle:
    """Read the repo (config, tickets, Git history), or use ``options.sources``, and return the scoped bundle.

    Raises ConfigError (exit 2) for a missing gitdesk.yml or an unknown client,
    before anything is read from Git.
    """
    config = options.sources.config if options.sources else load_config(options.repo)
    scope = scope_for(config, options.audience, options.client)
    sources = options.sources or read_sources(options.repo, now=options.now, config=config)
    options.skipped[:] = sources.skipped
    return site_bundle(sources.tickets, sources.history, sources.config, scope=scope, now=sources.now, directory_urls=directory_urls)


def _refuse_dangerous(out: Path, repo: Path) -> None:
    out, repo = out.resolve(), repo.resolve()
    if repo == out or repo.is_relative_to(out):
        raise GitdeskError(f"refusing to build into {out}: it holds the repository", hint="pick an output folder such as site/")
    if out.exists() and not out.is_dir():
        raise GitdeskError(f"{out} exists and is not a folder", hint="remove it or pick another --out")


@contextlib.contextmanager
def atomic_folder(out: Path, repo: Path) -> Iterator[Path]:
    """Yield a fresh folder next to ``out``; on success it replaces ``out``, on failure it is removed.

    The previous ``out`` stays untouched until the new one is complete, and a
    failed build never leaves a half-written site behind.
    """
    _refuse_dangerous(out, repo)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        yield fresh
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    os.chmod(fresh, 0o755)  # mkdtemp makes it private; a published site is world-readable
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rename(out, old / out.name)
        os.rename(fresh, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(fresh, out)


@contextlib.contextmanager
def _source_date(now: datetime | None) -> Iterator[None]:
    """MkDocs stamps the sitemap with SOURCE_DATE_EPOCH: pin it to ``now`` for reproducible builds."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    if now is not None:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(now.timestamp()))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


@contextlib.contextmanager
def mkdocs_file(repo: Path) -> Iterator[Path]:
    """The repo's mkdocs.yml, or a default one (with an empty docs folder) when it has none."""
    own = repo / MKDOCS_FILE
    if own.is_file():
        yield own
        return
    title = load_config(repo).title
    with tempfile.TemporaryDirectory(prefix="gitdesk-mkdocs-") as tmp:
        (Path(tmp) / "docs").mkdir()
        path = Path(tmp) / MKDOCS_FILE
        import json

        path.write_text(DEFAULT_MKDOCS.format(title=json.dumps(title, ensure_ascii=False)), encoding="utf-8")
        yield path


@contextlib.contextmanager
def mkdocs_logging(level: int = logging.WARNING) -> Iterator[None]:
    """Show MkDocs' messages from ``level`` up on stderr, as its own CLI would."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    saved = logger.level
    logger.setLevel(min(level, logger.getEffectiveLevel()))
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)


def build_site(options: SiteOptions, out: Path) -> BuildResult:
    """Build the site for ``options`` into ``out`` with MkDocs, atomically."""
    require_plugin()
    from mkdocs import exceptions as mkdocs_errors
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as mkdocs_config

    from gitdesk.adapters.mkdocs_plugin import forced_options

    started = time.perf_counter()
    # exit 2 before any work when gitdesk.yml is missing or bad, or the client is unknown
    scope_for(load_config(options.repo), options.audience, options.client)
    with mkdocs_file(options.repo) as config_file, atomic_folder(out, options.repo) as fresh, \
            forced_options(options), _source_date(options.now), mkdocs_logging():
        try:
            config = mkdocs_config(config_file=str(config_file), site_dir=str(fresh))
            if "gitdesk" not in config.plugins:
                raise ConfigError(f"{config_file} does not enable the gitdesk plugin", hint="add it: `plugins: [search, gitdesk]`")
            config.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build(config)
            finally:
                config.plugins.on_shutdown()
        except mkdocs_errors.MkDocsException as exc:
            raise GitdeskError(f"site build failed: {exc}", hint="the previous site was left untouched") from None
        pages = sum(1 for _ in fresh.rglob("*.html"))
        files = sum(1 for p in fresh.rglob("*") if p.is_file())
    return BuildResult(out.resolve(), pages, files, time.perf_counter() - started, len(options.skipped))


def require_plugin() -> None:
    """Fail clearly when MkDocs cannot find ``plugins: [gitdesk]``.

    MkDocs finds plugins through package entry points, which exist only once
    gitdesk is installed (``pip install .`` or ``make install``), not when the
    package is merely on ``sys.path``.
    """
    import importlib.metadata as metadata

    if not any(ep.name == "gitdesk" for ep in metadata.entry_points(group="mkdocs.plugins")):
        raise GitdeskError(
            "the gitdesk MkDocs plugin is not installed, so MkDocs cannot build the site",
            hint="install gitdesk (`pip install -e .` in a checkout, or `make install`) rather than running it from PYTHONPATH",
        )


def write_bundle(bundle: Bundle, folder: Path) -> None:
    """Write every bundle file under ``folder``."""
    for rel, content in bundle.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
