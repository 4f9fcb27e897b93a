"""The MkDocs adapter: ``plugins: [gitdesk]`` adds the site core's bundle to a MkDocs build.

Ticket pages are added with ``File.generated`` and kept out of the nav (a nav
of thousands of pages makes MkDocs quadratic); the nav holds only the
listings. Under ``mkdocs serve`` the ticket folders are watched.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.toc import get_toc
from mkdocs.utils import nest_paths

from gitdesk.clock import parse_now
from gitdesk.errors import GitdeskError
from gitdesk.model import Kind
from gitdesk.pipeline import SiteOptions, collect
from gitdesk.site import Audience

if TYPE_CHECKING:
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


class GitdeskConfig(base.Config):  # type: ignore[no-untyped-call]  # MkDocs is untyped here
    #: the gitdesk repo (default: the folder of mkdocs.yml)
    repo = c.Optional(c.Type(str))
    audience = c.Choice(("client", "internal"), default="client")
    client = c.Optional(c.Type(str))
    #: build as of this ISO 8601 time (default: now)
    now = c.Optional(c.Type(str))


class GitdeskPlugin(BasePlugin[GitdeskConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        #: set by gitdesk's own build and serve (gitdesk.adapters.mkdocs_build) after MkDocs loads its config;
        #: they win over this plugin's mkdocs.yml settings
        self.options: SiteOptions | None = None
        self.bundle: Bundle | None = None
        self.repo: Path | None = None
        self._stash: dict[str, list[str]] = {}
        #: generated pages' full HTML while the search plugin reads their indexed copy
        self._full: dict[str, str] = {}
        self._indexed: dict[str, str] = {}
        #: plain skeletons already converted in this build, and the conversion each waiting page uses
        self._converted: dict[str, _Converted] = {}
        self._pending: dict[str, _Converted] = {}

    def _options(self, config: MkDocsConfig) -> SiteOptions:
        if self.options is not None:
            return self.options
        repo = Path(self.config.repo) if self.config.repo else Path(config.config_file_path).parent
        now = parse_now(self.config.now) if self.config.now else None
        return SiteOptions(repo=repo, audience=Audience(self.config.audience), client=self.config.client, now=now)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._converted.clear()  # mkdocs.yml's Markdown extensions may have changed (serve)
        try:
            options = self._options(config)
            self.repo = options.repo
            self.bundle = bundle = collect(options, directory_urls=config.use_directory_urls)
        except GitdeskError as exc:
            raise PluginError(f"gitdesk: {exc}") from None
        if not config.site_url and bundle.site_url:
            # Feeds and the sitemap need absolute URLs; gitdesk.yml's site.url is the same address.
            config.site_url = bundle.site_url
        # Material's own words (search, navigation) and <html lang> follow the site's language.
        config.theme["language"] = bundle.language
        for css in bundle.css:
            if css not in config.extra_css:
                config.extra_css.append(css)
        for js in bundle.js:
            if js not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(js)
        return config

    def _bundle(self) -> Bundle:
        if self.bundle is None:
            raise PluginError("gitdesk: the plugin's on_config did not run, so there is no site to add")
        return self.bundle

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        bundle = self._bundle()
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
        indexed = self._indexed.pop(page.file.src_uri, None)
        if indexed is not None and page.content is not None:
            self._full[page.file.src_uri] = page.content
            page.content = indexed
        return context

    @event_priority(-50)
    def _restore_content(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                         nav: Navigation) -> TemplateContext:
        """After the search plugin, the theme renders the full page again."""
        full = self._full.pop(page.file.src_uri, None)
        if full is not None:
            page.content = full
        return context

    on_page_context = CombinedEvent(_show_indexed_copy, _restore_content)

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Every page names the Atom feed in its head, so feed readers find it (RFC 4287 autodiscovery)."""
        from gitdesk.site.feeds import autodiscovery

        return output.replace("</head>", autodiscovery(page.url) + "</head>", 1)

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig,
                 builder: Callable[..., None]) -> LiveReloadServer:
        for name in WATCHED:
            path = (self.repo or Path(config.config_file_path).parent) / name
            if path.exists():
                server.watch(str(path))
        return server


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
