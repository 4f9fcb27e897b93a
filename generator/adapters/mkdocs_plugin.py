"""The MkDocs adapter: ``plugins: [gitdesk]`` adds the site core's bundle to a MkDocs build.

Ticket pages are added with ``File.generated`` and kept out of the nav (a nav
of thousands of pages makes MkDocs quadratic); the nav holds only the
listings. Under ``mkdocs serve`` the ticket folders are watched.
"""

from __future__ import annotations

import logging
import marshal
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import yaml
from jinja2 import Environment, FileSystemLoader
from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.toc import get_toc
from mkdocs.utils import nest_paths
from mkdocs.utils.meta import YAML_RE

from gitdesk.adapters import theme
from gitdesk.adapters.page_cache import PageCache
from gitdesk.adapters.policy import checked
from gitdesk.adapters.policy import refusal as refusal_error
from gitdesk.clock import parse_now
from gitdesk.config import Config
from gitdesk.docs_dir import Refused, page_audience, page_visible, refusal, shown
from gitdesk.errors import GitdeskError
from gitdesk.history import git
from gitdesk.model import Diagnostic, Kind
from gitdesk.pipeline import SiteOptions, collect, read_sources
from gitdesk.site import Audience

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page
    from mkdocs.structure.toc import _TocToken  # MkDocs' own type for Python-Markdown's toc tokens
    from mkdocs.utils.templates import TemplateContext

    from gitdesk.site import Bundle

#: MkDocs' naming for plugin loggers: its CLI shows these messages and ``--strict`` counts the warnings.
log = logging.getLogger("mkdocs.plugins.gitdesk")

#: Finished HTML blocks in generated pages (see the site templates). Ticket text
#: cannot forge these comments: autoescape and nh3 leave no literal "<!--".
_BLOCK = re.compile(r"<!--gd-block-->\n\n(.*?)\n\n<!--/gd-block-->", re.S)
_STASHED = re.compile(r"<!--gd-stash-(\d+)-->")
#: Markdown around the blocks that converts the same on every page: blank lines, placeholders and
#: headings of plain words. Nothing in it is a link, so MkDocs' per-page link rewriting has no part in it.
_PLAIN_SKELETON = re.compile(r"(?:[ \t]*\n|<!--gd-stash-\d+-->\n|#{1,6} [^\n\[\]<>&\\`*_{}!|]+\n)*")
#: The tags search indexers keep in a result's text (Material keeps exactly these); any other tag is dropped
#: from the copy of a page they index. Their HTML parsers cost per tag, and a ticket page is mostly
#: table cells and spans: the indexed copy holds the same words in a fifth of the tags.
_INDEX_TAG = re.compile(r"<(/?)(p|li|ul|ol|code|pre|sub|sup)\b[^>]*>|<[^>]*>")

WATCHED = sorted({kind.folder.split("/")[0] for kind in Kind}) + ["gitdesk.yml"]


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory for the life of the process, and between builds in the Git dir.

    Jinja checks each entry against its template's source checksum and its
    own and Python's versions, so an edited template or another interpreter
    compiles again. The file is code Python runs, like ``.git/hooks``: it is
    only ever read from the Git dir, which a push cannot write.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._changed = False

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # resets the bucket when the source's checksum differs

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        if self._code.get(bucket.key) != code:
            self._code[bucket.key] = code
            self._changed = True

    def read(self, store: Path) -> None:
        """Add the templates an earlier build kept at ``store`` (nothing when it is missing or unreadable)."""
        try:
            found = marshal.loads(store.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return
        if isinstance(found, dict):
            for key, code in found.items():
                if isinstance(key, str) and isinstance(code, bytes):
                    self._code.setdefault(key, code)

    def write(self, store: Path) -> None:
        """Keep the compiled templates at ``store`` when this process compiled any (atomic; errors keep nothing)."""
        if not self._changed:
            return
        try:
            store.parent.mkdir(parents=True, exist_ok=True)
            tmp = store.with_name(f"{store.name}.tmp{os.getpid()}")
            tmp.write_bytes(marshal.dumps(self._code))
            os.replace(tmp, store)
            self._changed = False
        except OSError:
            pass


#: MkDocs makes a new Jinja environment for every build, so each site of a ``publish`` and each ``serve``
#: rebuild compiled the theme again (about 40 templates). They share the compiled code instead: an entry
#: is keyed by the template's name and file and checked against its source's checksum, so an edited
#: template compiles again. Templates are theme code: no ticket data passes between sites.
_TEMPLATES = _CompiledTemplates()


def templates_path(git_dir: Path) -> Path:
    """Where builds keep the compiled theme and site templates (one file for every site of the repo)."""
    return git_dir / "gitdesk" / "templates.bytecode"


def keep_templates(store: Path | None) -> None:
    """Compile the theme's and gitdesk's own templates through the shared cache, starting from what ``store`` kept.

    A build is a new process: without the kept code it compiled about 60
    templates again, a tenth of a one-ticket incremental build.
    """
    from gitdesk.site.render import environment

    if store is not None:
        _TEMPLATES.read(store)
    environment().bytecode_cache = _TEMPLATES


def save_templates(store: Path | None) -> None:
    """Keep what this process compiled at ``store`` for the next build."""
    if store is not None:
        _TEMPLATES.write(store)


class _VisibleTemplates(FileSystemLoader):
    """A theme's template loader that lists no hidden file and walks no hidden folder.

    MkDocs lists every file of the theme's folders to find the static files
    to copy, then drops the hidden ones (``.*`` and ``*/.*``). Material keeps
    about 14,000 icons under ``.icons``: walking and filtering them was 0.1 s
    of every build and ``serve`` rebuild, for no file kept. Loading a
    template by name is unchanged.
    """

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for searchpath in self.searchpath:
            for folder, subfolders, names in os.walk(searchpath, followlinks=self.followlinks):
                subfolders[:] = [d for d in subfolders if not d.startswith(".")]
                for name in names:
                    if not name.startswith("."):
                        found.add(os.path.join(folder, name)[len(searchpath):].strip(os.path.sep).replace(os.path.sep, "/"))
        return sorted(found)


def _list_visible_templates(config: MkDocsConfig) -> None:
    """Make the theme environments MkDocs creates for ``config`` list templates with :class:`_VisibleTemplates`."""
    make_env = config.theme.get_env
    if getattr(make_env, "__func__", None) is not type(config.theme).get_env:
        return  # wrapped already (a config seen twice), or replaced by someone else: left as it is

    def get_env() -> Environment:
        env = make_env()
        loader = env.loader
        if type(loader) is FileSystemLoader:  # MkDocs' own; any other loader is left as it is
            env.loader = _VisibleTemplates(loader.searchpath, loader.encoding, loader.followlinks)
        return env

    setattr(config.theme, "get_env", get_env)


class GitdeskConfig(base.Config):  # type: ignore[no-untyped-call]  # MkDocs is untyped here
    #: the gitdesk repo (default: the folder of mkdocs.yml)
    repo = c.Optional(c.Type(str))
    audience = c.Choice(("client", "internal"), default="client")
    client = c.Optional(c.Type(str))
    #: build as of this ISO 8601 time (default: now)
    now = c.Optional(c.Type(str))
    #: publish the rest when tickets or docs files have problems, instead of refusing the build
    keep_going = c.Type(bool, default=False)


def _lone_in_its_tab(page: Page, config: MkDocsConfig) -> bool:
    """Whether ``page`` is alone under its navigation tab: tabs are on, and it is in no section of the nav.

    The gitdesk plugin's own nav is one page per tab, and ticket pages are in no nav at all.
    Without tabs the sidebar is the site's navigation on a desktop, and a page in a section
    has its siblings there: both keep it.
    """
    features = config.theme.get("features") or []
    return "navigation.tabs" in features and page.parent is None


class GitdeskPlugin(BasePlugin[GitdeskConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        #: set by gitdesk's own build and serve (gitdesk.adapters.mkdocs_build) after MkDocs loads its config;
        #: they win over this plugin's mkdocs.yml settings
        self.options: SiteOptions | None = None
        self.bundle: Bundle | None = None
        self.repo: Path | None = None
        #: set like ``options``; None: this plugin's mkdocs.yml setting
        self.keep_going: bool | None = None
        #: what on_config built this site for: the options (with sources), their gitdesk.yml
        self._built_for: SiteOptions | None = None
        self._config: Config | None = None
        self._stash: dict[str, list[str]] = {}
        #: generated pages' full HTML while the search plugin reads their indexed copy
        self._full: dict[str, str] = {}
        self._indexed: dict[str, str] = {}
        #: plain skeletons already converted in this build, and the conversion each waiting page uses
        self._converted: dict[str, _Converted] = {}
        self._pending: dict[str, _Converted] = {}
        #: set like ``options`` by gitdesk's build and serve: unchanged pages are kept from the last build
        self.pages: PageCache | None = None
        self._files: Files | None = None
        self._nav: Navigation | None = None
        self._search: list[dict[str, Any]] | None = None

    def _options(self, config: MkDocsConfig) -> SiteOptions:
        if self.options is not None:
            return self.options
        repo = Path(self.config.repo) if self.config.repo else Path(config.config_file_path).parent
        now = parse_now(self.config.now) if self.config.now else None
        return SiteOptions(repo=repo, audience=Audience(self.config.audience), client=self.config.client, now=now)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._converted.clear()  # mkdocs.yml's Markdown extensions may have changed (serve)
        try:
            options = self._checked(self._options(config))
            self.repo = options.repo
            self._built_for = options
            self._config = options.sources.config if options.sources else None
            self.bundle = bundle = collect(options, directory_urls=config.use_directory_urls)
        except GitdeskError as exc:
            raise PluginError(f"gitdesk: {exc}") from None
        if not config.site_url and bundle.site_url:
            # Feeds and the sitemap need absolute URLs; gitdesk.yml's site.url is the same address.
            config.site_url = bundle.site_url
        # Material's own words (search, navigation) and <html lang> follow the site's language.
        config.theme["language"] = bundle.language
        theme.apply(config)  # gitdesk's template overrides; the offline search shim from the site, not a CDN
        _list_visible_templates(config)
        for css in bundle.css:
            if css not in config.extra_css:
                config.extra_css.append(css)
        for js in bundle.js:
            if js not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(js)
        return config

    def _checked(self, options: SiteOptions) -> SiteOptions:
        """``options`` with sources the build policy allows; gitdesk's own build hands in checked ones."""
        if options.sources is not None:
            return options
        sources = read_sources(options.repo, now=options.now, kept=options.kept)
        return replace(options, sources=checked(sources, repo=options.repo, keep_going=self._keep_going()))

    def _keep_going(self) -> bool:
        return self.keep_going if self.keep_going is not None else bool(self.config.keep_going)

    def _bundle(self) -> Bundle:
        if self.bundle is None:
            raise PluginError("gitdesk: the plugin's on_config did not run, so there is no site to add")
        return self.bundle

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        bundle = self._bundle()
        self._vet_docs(files, config)
        own = [f.src_uri for f in files.documentation_pages()]
        for path, content in bundle.files.items():
            if files.get_file_from_path(path) is not None:
                # The repo's own docs win; say so, the generated page would be lost silently otherwise.
                log.warning("gitdesk: docs/%s exists; the generated %s is not added", path, path)
                continue
            inclusion = InclusionLevel.NOT_IN_NAV if path in bundle.hidden else InclusionLevel.UNDEFINED
            files.append(File.generated(config, path, content=content, inclusion=inclusion))
        if config.nav is None:
            # The listings first, then the repo's own docs pages as MkDocs would nest them.
            config.nav = [{item.title: item.path} for item in bundle.nav] + nest_paths(own)  # type: ignore[no-untyped-call]
        return files

    def _vet_docs(self, files: Files, config: MkDocsConfig) -> None:
        """Take out of ``files`` what the repo's docs may not publish (see :mod:`gitdesk.docs_dir`).

        Refused files (symlinks, non-regular files, files outside the repo,
        pages whose front matter does not parse or names a bad audience) end
        the build with DocsRefused, or with keep_going are left out and
        logged. Pages the audience may not see (``visibility: internal``,
        another ``client``) are left out silently, and out of a nav that
        mkdocs.yml spells out.
        """
        repo = (self.repo or Path(config.config_file_path).parent).resolve()
        roots = {Path(config.docs_dir)} | ({Path(config.theme.custom_dir)} if config.theme.custom_dir else set())
        refused: list[Refused] = []
        hidden: set[str] = set()
        for file in list(files):
            if file.generated_by is not None or file.abs_src_path is None or Path(file.src_dir or "") not in roots:
                continue
            path = Path(file.abs_src_path)
            problem = refusal(path, root=Path(file.src_dir or ""), repo=repo)
            if problem is None and file.is_documentation_page() and Path(file.src_dir or "") == Path(config.docs_dir):
                problem, visible = self._page_audience(path)
                if problem is None and not visible:
                    hidden.add(file.src_uri)
                    files.remove(file)
            if problem is not None:
                refused.append(problem)
                files.remove(file)
        if refused and not self._keep_going():
            error = DocsRefused(refused, repo)
            # gitdesk's own build says it once, with exit 1; MkDocs would log a PluginError and replace it with Abort.
            raise error.refusal if self.options is not None else error
        for problem in refused:
            log.warning("gitdesk: %s is left out of the site: %s %s", shown(problem.path, repo), problem.code, problem.reason)
            if self._built_for is not None:
                self._built_for.skipped.append(shown(problem.path, repo))
        if config.nav is not None and hidden:
            config.nav = _without(config.nav, hidden)

    def _page_audience(self, path: Path) -> tuple[Refused | None, bool]:
        """(why the page is refused, or None; whether this build's audience may see it)."""
        options, site = self._built_for, self._config
        meta, problem = page_audience(path, clients=site.client_ids if site else set())
        if problem is not None or meta is None or options is None:
            return Refused(path, problem or "its front matter does not parse", "fix its front matter", code="GD401"), False
        return None, page_visible(meta, internal=options.audience is Audience.INTERNAL, client=options.client,
                                  default_visibility=site.default_visibility if site else "public")

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Hand MkDocs only the Markdown of a generated page; its HTML blocks are final already.

        Python-Markdown re-parses raw HTML tag by tag to find where each block
        ends; for thousands of ticket pages that doubled the build time. The
        blocks are set aside here and put back in :meth:`on_page_content`.

        What is left (headings between placeholders) is the same on every page
        of a kind, so a plain skeleton is converted once per build and MkDocs
        gets nothing to convert: its Markdown pass cost about 0.8 ms per ticket
        page for four headings.
        """
        if page.file.generated_by is None or page.file.src_uri not in self._bundle().files:
            return markdown
        if "title" not in page.meta:
            check_front_matter(page.file.src_uri, str(self._bundle().files[page.file.src_uri]))
        if _lone_in_its_tab(page, config):
            # Material's navigation sidebar would list this page alone and take a quarter of a
            # desktop screen from its tables; a phone's drawer still lists the whole site.
            hidden = page.meta.get("hide")
            page.meta["hide"] = [*(hidden if isinstance(hidden, list) else []), "navigation"]
        blocks: list[str] = []

        def stash(match: re.Match[str]) -> str:
            blocks.append(match.group(1))
            return f"<!--gd-stash-{len(blocks) - 1}-->"

        self._stash[page.file.src_uri] = blocks
        skeleton = _BLOCK.sub(stash, markdown)
        # A page without a front-matter title would take it from its first heading, found while converting.
        if "title" not in page.meta or not _PLAIN_SKELETON.fullmatch(skeleton if skeleton.endswith("\n") else skeleton + "\n"):
            return skeleton
        converted = self._converted.get(skeleton)
        if converted is None:
            converted = self._converted[skeleton] = _Converted.of(skeleton, config)
        self._pending[page.file.src_uri] = converted
        if self.pages is not None:
            self.pages.plain.add(page.file.src_uri)  # no link of it went through MkDocs' rewriting
        return ""

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        converted = self._pending.pop(page.file.src_uri, None)
        if converted is not None:
            # What MkDocs' own pass would have produced for the skeleton (``html`` is empty, or what a later plugin added).
            html = converted.html + html
            page.toc = get_toc(converted.toc_tokens)
            page.present_anchor_ids = set(converted.anchors)
        blocks = self._stash.pop(page.file.src_uri, None)
        if not blocks:
            return html
        self._indexed[page.file.src_uri] = _STASHED.sub(lambda m: _index_text(blocks[int(m.group(1))]), html)
        return _STASHED.sub(lambda m: blocks[int(m.group(1))], html)

    @event_priority(50)
    def _show_indexed_copy(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                          nav: Navigation) -> TemplateContext:
        """Before the search plugin indexes a generated page, show it the page's indexed copy.

        Same words and sections (headings stay as they are), a fraction of the
        tags: Material's indexer cost 1 ms per ticket page, about a third of a
        bare page's whole build. The search plugin's own handler runs between
        this one (priority 50) and :meth:`_restore_content` (priority -50).
        """
        if self.pages is not None and self._search is not None:
            self.pages.before_index(page.file.src_uri, self._search)
        indexed = self._indexed.pop(page.file.src_uri, None)
        if indexed is not None and page.content is not None:
            self._full[page.file.src_uri] = page.content
            page.content = indexed
        return context

    @event_priority(-50)
    def _restore_content(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                         nav: Navigation) -> TemplateContext:
        """After the search plugin, the theme renders the full page again."""
        if self.pages is not None and self._search is not None:
            self.pages.after_index(page.file.src_uri, self._search)
        full = self._full.pop(page.file.src_uri, None)
        if full is not None:
            page.content = full
        return context

    on_page_context = CombinedEvent(_show_indexed_copy, _restore_content)

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """With a page cache: mark the pages whose inputs did not change since the last build as kept."""
        self._files, self._nav, self._search = files, nav, _search_entries(config)
        if self.pages is not None:
            self.pages.plan(config, files, nav)
        return nav

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        if self.pages is not None and self._nav is not None:
            self.pages.settle(config, files, self._nav)
        env.bytecode_cache = _TEMPLATES  # the theme compiled once per process: publish's sites, serve's rebuilds
        return env

    @event_priority(50)  # before the search plugin writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.pages is not None and self._files is not None:
            self.pages.finish(config, self._files, self._search)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Every page names the Atom feed in its head, so feed readers find it (RFC 4287 autodiscovery)."""
        from gitdesk.site.feeds import autodiscovery

        return output.replace("</head>", autodiscovery(page.url) + "</head>", 1)

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig,
                 builder: Callable[..., None]) -> LiveReloadServer:
        root = self.repo or Path(config.config_file_path).parent
        for name in WATCHED:
            path = root / name
            if path.exists():
                server.watch(str(path))
        for path in git.landing_paths(root):  # a `git commit` moves the timeline and the clocks
            server.watch(str(path))
        return server


def check_front_matter(path: str, content: str) -> None:
    """Raise PluginError unless the generated page ``path`` has front matter MkDocs reads, with a text title.

    MkDocs ignores front matter that does not parse and renders it as
    Markdown: a setext heading, and links or attributes from ticket text made
    live. A generated page is never published that way.
    """
    match = YAML_RE.match(content)
    problem = "it has none"
    if match is not None:
        try:
            data = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            problem = " ".join(str(exc).split())
        else:
            if isinstance(data, dict) and isinstance(data.get("title"), str):
                return
            problem = "no text title in it"
    raise PluginError(f"gitdesk: the generated page {path} has front matter that does not parse ({problem}); "
                      "the build stops rather than render it as Markdown. This is a gitdesk bug: please report it")


class DocsRefused(PluginError):
    """Files in the docs folder that may not be published; ``refusal`` is the error gitdesk's build ends with."""

    def __init__(self, refused: list[Refused], repo: Path) -> None:
        found = [Diagnostic(shown(r.path, repo), 1, 1, r.code, f"{r.reason}: {r.fix}") for r in refused]
        self.refusal = refusal_error(found, what="docs file(s)")
        super().__init__(f"gitdesk: {self.refusal}")


def _without(nav: list[Any], hidden: set[str]) -> list[Any]:
    """mkdocs.yml's ``nav`` without the entries that point at ``hidden`` pages (sections left empty go too)."""
    out: list[Any] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) and len(item) == 1 else item
        if isinstance(value, str) and value in hidden:
            continue
        if isinstance(value, list):
            kept = _without(value, hidden)
            if not kept:
                continue
            item = {next(iter(item)): kept} if isinstance(item, dict) else kept
        out.append(item)
    return out


def _search_entries(config: MkDocsConfig) -> list[dict[str, Any]] | None:
    """The entries list of Material's search index in this build, if it runs."""
    for plugin in config.plugins.values():
        entries = getattr(getattr(plugin, "search_index", None), "entries", None)
        if isinstance(entries, list):
            return entries
    return None


def _index_text(block: str) -> str:
    """A finished HTML block as search indexers read it: its text, and only the tags they keep (bare)."""
    return _INDEX_TAG.sub(lambda m: f"<{m.group(1)}{m.group(2)}>" if m.group(2) else "", block)


@dataclass(frozen=True)
class _Converted:
    """A plain skeleton converted as MkDocs converts a page: HTML (placeholders kept), toc, anchor ids."""

    html: str
    toc_tokens: list[_TocToken]
    anchors: frozenset[str]

    @classmethod
    def of(cls, skeleton: str, config: MkDocsConfig) -> _Converted:
        import markdown as markdown_lib

        # The same extensions and settings as mkdocs.structure.pages.Page.render; the skeleton has no
        # links or images, so MkDocs' own tree processors (link rewriting, anchors) would change nothing.
        md = markdown_lib.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs or {})
        html = md.convert(skeleton)
        tokens: list[_TocToken] = getattr(md, "toc_tokens", [])
        return cls(html, tokens, frozenset(_token_ids(tokens)))


def _token_ids(tokens: list[_TocToken]) -> list[str]:
    """The id of every heading in toc tokens, nested ones included: the only ids a plain skeleton has."""
    return [i for token in tokens for i in [token["id"], *_token_ids(token["children"])]]
