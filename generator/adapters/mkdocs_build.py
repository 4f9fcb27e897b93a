"""Running MkDocs in-process for `gitdesk build` and `gitdesk serve`.

The impure edge of the site stage: a temporary mkdocs.yml when the repo has
none, MkDocs' logging, SOURCE_DATE_EPOCH, the fresh output folder swapped in
on success. Command-line options reach the plugin by being set on the
:class:`GitdeskPlugin` instance of each loaded MkDocs config; the plugin
never imports this module.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.metadata
import logging
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator
from urllib.parse import urlsplit

from gitdesk.adapters.mkdocs_plugin import DocsRefused, GitdeskPlugin, keep_templates, save_templates, templates_path
from gitdesk.adapters.output import atomic_folder
from gitdesk.adapters.page_cache import PageCache, manifest_path, open_renders, renders_path, save_renders
from gitdesk.adapters.policy import checked
from gitdesk.config import load_config
from gitdesk.docs_dir import read_mkdocs_file, read_mkdocs_yml, scan
from gitdesk.errors import ConfigError, GitdeskError, RepoError
from gitdesk.history import git
from gitdesk.pipeline import KeptHistory, SiteOptions, check_options, read_sources
from gitdesk.site.render import plain_title
from gitdesk.site.render_cache import SlaParts
from gitdesk.workflow.scaffold import default_mkdocs

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

MKDOCS_FILE = "mkdocs.yml"
#: how often serve looks for edited files (stat of every watched file: about 10 ms per 1,000 files)
POLL_SECONDS = 0.2
#: how long serve waits after a rebuild, with nothing else to do, before it collects the rebuild's garbage
IDLE_SECONDS = 1.0
#: how long serve lets more changes come in after one is seen, before it rebuilds (MkDocs waits 0.1 s). The watcher
#: polls, so a saved file arrives as one batch of events: the wait only merges what several watched folders report
#: at nearly the same time (a checkout), and a change seen later starts one more rebuild.
SETTLE_SECONDS = 0.02

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    files: int
    seconds: float
    #: files left out under ``keep_going`` (tickets and docs files), repo-relative
    left_out: tuple[str, ...]
    #: pages read and rendered (the others were kept from the previous build)
    rendered: int = 0


def build_site(options: SiteOptions, out: Path, *, keep_going: bool = False) -> BuildResult:
    """Build the site for ``options`` into ``out`` with MkDocs; ``out`` is replaced only when the build succeeded.

    All or nothing: a ticket that fails to load or validate, or a refused
    file in the docs folder, raises BuildRefused (exit 1) before ``out`` is
    touched, unless ``keep_going``, which leaves them out (listed in
    ``left_out``). Sources handed in through ``options.sources`` are the
    caller's to check (``publish`` checks once for every site). Raises
    ConfigError (exit 2) before any work for a bad gitdesk.yml or an unknown
    client, GitdeskError when MkDocs fails (the old site stays).
    """
    from mkdocs import exceptions as mkdocs_errors
    from mkdocs.commands.build import build as mkdocs_build

    require_plugin()
    started = time.perf_counter()
    check_options(options)
    if options.sources is None:
        sources = checked(read_sources(options.repo, now=options.now), repo=options.repo, keep_going=keep_going)
        options = replace(options, sources=sources)
    cache = PageCache(previous=out.resolve(), store=_git_path(options.repo, out, manifest_path))
    renders_store = _git_path(options.repo, out, renders_path)
    options = replace(options, renders=open_renders(renders_store))
    templates_store = _git_path(options.repo, out, lambda git_dir, _: templates_path(git_dir))
    keep_templates(templates_store)
    with mkdocs_file(options.repo) as config_file, docs_folder(config_file) as docs_dir, \
            atomic_folder(out, options.repo) as fresh, source_date(options.now), mkdocs_logging(logging.WARNING):
        config = load_mkdocs(config_file, options, site_dir=fresh, docs_dir=docs_dir, keep_going=keep_going, pages=cache)
        refuse_walk(options.repo, keep_going=keep_going)
        try:
            # The search plugin is told "not dirty": it indexes what it is shown, and the page cache completes its index.
            config.plugins.on_startup(command="build", dirty=False)
            try:
                # Dirty: pages the cache kept are not read nor rendered; into a new folder, every other file is written.
                mkdocs_build(config, dirty=True)
            finally:
                config.plugins.on_shutdown()
        except mkdocs_errors.MkDocsException as exc:
            raise GitdeskError(f"site build failed: {exc}", hint="the previous site was left untouched") from None
        pages, files = _count_files(fresh)
    cache.commit()
    if options.renders is not None:
        save_renders(options.renders, renders_store)
    save_templates(templates_store)
    return BuildResult(out.resolve(), pages, files, time.perf_counter() - started, tuple(options.skipped), cache.rebuilt)


def _count_files(root: Path) -> tuple[int, int]:
    """(HTML pages, files) under ``root``, in one walk (symlinks are not followed)."""
    pages = files = 0
    for _, _, names in os.walk(root):
        files += len(names)
        pages += sum(1 for name in names if name.endswith(".html"))
    return pages, files


def _git_path(repo: Path, out: Path, where: Callable[[Path, Path], Path]) -> Path | None:
    """Where a cache of ``out`` is kept in the Git dir (``where(git dir, out)``); None outside Git: every build is a full one."""
    try:
        return where(Path(git.open_repo(repo).git_dir), out)
    except RepoError:
        return None


def refuse_walk(repo: Path, *, keep_going: bool) -> None:
    """Refuse (BuildRefused) the repo's docs folder with problems before MkDocs walks it.

    MkDocs follows symlinked folders while it lists the docs (a link to ``/``
    walks the whole machine), so those are refused even with ``keep_going``;
    refused files are left to the plugin, which leaves them out under
    ``keep_going``. Without a mkdocs.yml the docs folder is gitdesk's own, empty.
    """
    mkdocs = read_mkdocs_yml(repo)
    refused = scan(mkdocs.docs_dir, repo=repo) if mkdocs else []
    blocking = [r for r in refused if r.path.is_dir()] if keep_going else refused
    if blocking:
        raise DocsRefused(blocking, repo.resolve()).refusal


def serve_site(options: SiteOptions, *, dev_addr: str) -> None:
    """Serve a live preview at ``dev_addr`` until interrupted, rebuilding when docs, mkdocs.yml or tickets change.

    Without ``options.now`` each rebuild uses the current time, so running
    clocks move while you watch.
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.livereload import LiveReloadServer

    require_plugin()
    check_options(options)  # exit 2 before the server starts
    # A preview shows what it can: problems are logged and left out (keep_going), never a dead server.
    with mkdocs_file(options.repo) as config_file, docs_folder(config_file) as docs_dir, mkdocs_logging(logging.INFO), \
            tempfile.TemporaryDirectory(prefix="gitdesk-serve-") as site_dir:
        # Kept warm across rebuilds: a rebuild renders only the pages whose inputs changed.
        pages = PageCache(previous=Path(site_dir), serving=True)
        # rendered pages, stable SLA parts and the history of the branch's tip, kept in memory across rebuilds
        options = replace(options, renders=replace(open_renders(None), parts=SlaParts()), kept=KeptHistory())
        config = load_mkdocs(config_file, options, site_dir=Path(site_dir), dev_addr=dev_addr, docs_dir=docs_dir,
                             keep_going=True, pages=pages)
        refuse_walk(options.repo, keep_going=True)
        config.plugins.on_startup(command="serve", dirty=False)
        host, port = config.dev_addr
        mount = ("/" + urlsplit(config.site_url or "/").path.lstrip("/")).rstrip("/") + "/"
        url = f"http://{host}:{port}{mount}"

        collector = IdleCollector(IDLE_SECONDS)

        def rebuild(loaded: MkDocsConfig | None = None) -> None:
            with collector.paused():
                # MkDocs' own serve loads a fresh config (and plugin instance) per rebuild; so does this one.
                current = loaded or load_mkdocs(config_file, options, site_dir=Path(site_dir), dev_addr=dev_addr,
                                                docs_dir=docs_dir, keep_going=True, pages=pages)
                current.site_url = url
                mkdocs_build(current, serve_url=url, dirty=True)
                pages.commit()

        config.site_url = url
        # MkDocs polls the watched files every 0.5 s; an edit then waits 0.25 s on average before its rebuild starts.
        server = LiveReloadServer(builder=rebuild, host=host, port=port, root=site_dir, mount_path=mount,
                                  polling_interval=POLL_SECONDS)
        server.build_delay = SETTLE_SECONDS
        try:
            rebuild(config)
            server.watch(config.docs_dir)
            if config.config_file_path:
                server.watch(config.config_file_path)
            server = config.plugins.on_serve(server, config=config, builder=rebuild)
            try:
                server.serve()  # type: ignore[no-untyped-call]  # MkDocs leaves it unannotated
            except KeyboardInterrupt:
                log.info("shutting down")
            finally:
                server.shutdown()
        finally:
            collector.stop()
            config.plugins.on_shutdown()


class IdleCollector:
    """Python's cycle collector, paused while serve rebuilds and run once serve has been idle ``idle`` seconds.

    What a rebuild keeps (tickets, history, pages, caches) is a large heap, and
    each rebuild leaves enough new objects behind that the collector walked all
    of it during the next one: 0.2 to 0.3 s of each rebuild at 1,000 tickets,
    before the edited page was served. Run when idle, the same collection
    frees the same garbage while nobody waits for a page. A rebuild that
    starts meanwhile waits for it to finish. Rebuilds that never leave ``idle``
    seconds between them collect every ``most`` rebuilds, before one starts.
    """

    def __init__(self, idle: float, *, most: int = 10) -> None:
        self.idle = idle
        self.most = most
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        #: rebuilds since the last collection
        self._since = 0

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No collection while the block runs; one ``idle`` seconds after it, unless another block starts first."""
        with self._lock:
            self._cancel()
            if self._since >= self.most:
                gc.collect()
                self._since = 0
            self._since += 1
            gc.disable()
        try:
            yield
        finally:
            with self._lock:
                self._timer = threading.Timer(self.idle, self._collect)
                self._timer.daemon = True
                self._timer.start()

    def stop(self) -> None:
        """Cancel a pending collection and turn the collector back on."""
        with self._lock:
            self._cancel()
            gc.enable()

    def _collect(self) -> None:
        with self._lock:
            if self._timer is threading.current_thread():
                self._timer = None
                gc.collect()
                self._since = 0
                gc.enable()

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def load_mkdocs(config_file: Path, options: SiteOptions, *, site_dir: Path, dev_addr: str | None = None,
                docs_dir: Path | None = None, keep_going: bool = False, pages: PageCache | None = None) -> MkDocsConfig:
    """Load ``config_file`` and hand ``options`` to its gitdesk plugin: they win over mkdocs.yml's plugin settings.

    ``docs_dir`` replaces mkdocs.yml's (see :func:`docs_folder`); ``pages`` is the page cache the build keeps
    unchanged pages with.
    """
    from mkdocs import exceptions as mkdocs_errors
    from mkdocs.config import load_config as mkdocs_config

    overrides = {"dev_addr": dev_addr} if dev_addr else {}
    if docs_dir is not None:
        overrides["docs_dir"] = str(docs_dir)
    try:
        config = mkdocs_config(config_file=str(config_file), site_dir=str(site_dir), **overrides)
    except mkdocs_errors.MkDocsException as exc:
        raise GitdeskError(f"site build failed: {exc}", hint="the previous site was left untouched") from None
    plugins = gitdesk_plugins(config)
    if not plugins:
        raise ConfigError(f"{config_file} does not enable the gitdesk plugin", hint="add it: `plugins: [search, gitdesk]`")
    for plugin in plugins:
        plugin.options = options
        plugin.keep_going = keep_going
        plugin.pages = pages
    return config


def gitdesk_plugins(config: MkDocsConfig) -> list[GitdeskPlugin]:
    """The gitdesk plugin instances a loaded MkDocs config runs (one, unless mkdocs.yml lists it twice)."""
    return [plugin for plugin in config.plugins.values() if isinstance(plugin, GitdeskPlugin)]


def require_plugin() -> None:
    """Fail clearly when MkDocs cannot find ``plugins: [gitdesk]``.

    MkDocs finds plugins through package entry points, which exist only once
    gitdesk is installed (``pip install .`` or ``make install``), not when the
    package is merely on ``sys.path``.
    """
    if not any(ep.name == "gitdesk" for ep in importlib.metadata.entry_points(group="mkdocs.plugins")):
        raise GitdeskError(
            "the gitdesk MkDocs plugin is not installed, so MkDocs cannot build the site",
            hint="install gitdesk (`pip install -e .` in a checkout, or `make install`) rather than running it from PYTHONPATH",
        )


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
        # themes print site_name unescaped, and gitdesk.yml is untrusted: a plain title
        path.write_text(default_mkdocs(plain_title(title)), encoding="utf-8")
        yield path


@contextlib.contextmanager
def docs_folder(config_file: Path) -> Iterator[Path | None]:
    """None when mkdocs.yml's docs_dir exists (MkDocs uses it); an empty folder in its place when it does not.

    A desk needs no docs of its own: a missing docs_dir is an empty one, not
    MkDocs' "docs_dir isn't an existing directory". The repo is not touched.
    """
    declared = read_mkdocs_file(config_file).docs_dir
    if declared.is_dir() or declared.is_symlink():
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="gitdesk-docs-") as tmp:
        yield Path(tmp)


@contextlib.contextmanager
def source_date(now: datetime | None) -> Iterator[None]:
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
def mkdocs_logging(default: int) -> Iterator[None]:
    """Show MkDocs' messages on stderr, as its own CLI would: from the "mkdocs" logger's level if one is set
    (``gitdesk -v``/``-q`` set it), else from ``default``."""
    logger = logging.getLogger("mkdocs")
    level = logger.level or default
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    saved = logger.level
    logger.setLevel(min(level, logger.getEffectiveLevel()))
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    logger.addHandler(handler)
    builder = logging.getLogger("mkdocs.commands.build")
    builder.addFilter(_dirty_notice)
    try:
        yield
    finally:
        builder.removeFilter(_dirty_notice)
        logger.removeHandler(handler)
        logger.setLevel(saved)


def _dirty_notice(record: logging.LogRecord) -> bool:
    """Drop MkDocs' notices about dirty builds: gitdesk's are complete (see gitdesk.adapters.page_cache).

    Its warning would also fail a ``strict`` build.
    """
    message = str(record.msg)
    return not (message.startswith("A 'dirty' build is being performed") or message.startswith("The directory contains stale files"))
