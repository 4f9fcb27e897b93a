"""Incremental site builds: a page whose inputs did not change keeps its HTML and search entries from the last build.

It rides on MkDocs' dirty build (``build(config, dirty=True)``), which skips
reading, converting and rendering every page whose ``file.is_modified()`` is
False. MkDocs decides that from file times, and for generated pages always
says "modified"; here it is decided from a key instead:

- the page's own source bytes (for a generated page, the bundle's Markdown),
  its source and output paths;
- everything else its HTML is made from, once per build (:func:`site_key`):
  every setting of the loaded MkDocs config (gitdesk's overrides included),
  the theme's settings, the repo's theme overrides (every file's bytes), the
  versions of Python, MkDocs, Material and the Markdown libraries, and
  gitdesk's own code;
- the nav (titles, URLs, nesting), which Material renders into every page:
  its pages are always rebuilt, and when it comes out different, every page is;
- the list of files, for pages whose Markdown went through MkDocs' own link
  rewriting (a link's target may come or go). Generated pages whose blocks
  were set aside (:mod:`gitdesk.adapters.mkdocs_plugin`) have no such links.

A page that is kept is not rendered: its previous output file is hard-linked
into the new output folder (build) or left in place (serve), after checking
that it is still the file this cache recorded (inode, size, mtime), and its
search entries and anchor ids come from the cache. The one line every page
carries that changes with each commit, the footer (``_FOOTER``), is not part
of the key: it is replaced in a kept page's HTML and search entries. Plugins that the cache
does not know (they may read other pages) and MkDocs hooks turn it off; the
build is then a full one, as before.

The manifest of a build lives in the repository's Git dir
(``gitdesk/site-<hash of the output folder>.pages``), which a pushed commit
cannot write; it never enters the published output.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import re
import stat
import sys
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any


from gitdesk.site.render_cache import RenderCache

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation

_FORMAT = 1

#: Plugins whose output a dirty build keeps complete (the search index is restored here); any other turns the cache off.
KNOWN_PLUGINS = frozenset({
    "gitdesk.adapters.mkdocs_plugin.GitdeskPlugin",
    "material.plugins.search.plugin.SearchPlugin",
    "material.plugins.offline.plugin.OfflinePlugin",
})
#: Markdown extensions that read other files into a page: its source bytes would not be all of its input.
_READS_FILES = ("snippets", "include")
#: Libraries whose versions change a page's HTML.
_LIBRARIES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pygments", "jinja2", "markupsafe")
#: Config entries that are places on this machine, not page content (a docs folder may be a new temporary one).
_NOT_CONTENT = frozenset({"site_dir", "docs_dir", "config_file_path", "plugins", "theme", "nav", "watch"})

#: The footer line of every generated page (``footer`` in gitdesk.site's macros.j2): when the site was generated
#: and from which commit. It is the same on every page of a build and changes with every commit (and every
#: minute without ``--now``), so it is left out of a page's key and replaced in a kept page's HTML and search
#: entries. A line with characters that HTML or the search index escape is never replaced: its page is rendered.
_FOOTER = re.compile(rb'<div class="gd-generated">\n([^\n<>&"\']*)\n</div>')

#: (inode, size, mtime_ns) of an output file
Stamp = tuple[int, int, int]


@dataclass(frozen=True)
class Entry:
    """What a built page left: its key, where its HTML is, and what other outputs need from it."""

    key: str
    dest: str
    stamp: Stamp
    search: list[dict[str, Any]]
    anchors: list[str]
    #: its Markdown went through MkDocs' link rewriting: it depends on the list of files too
    linked: bool
    #: its footer line (see ``_FOOTER``), "" for none
    footer: str


@dataclass
class Manifest:
    site: str = ""
    nav: str = ""
    files: str = ""
    pages: dict[str, Entry] = field(default_factory=dict)
    #: every output path of the build's files (serve removes those that are gone)
    outputs: list[str] = field(default_factory=list)

    def dump(self) -> bytes:
        pages = {src: (e.key, e.dest, e.stamp, e.search, e.anchors, e.linked, e.footer) for src, e in self.pages.items()}
        return marshal.dumps((_FORMAT, self.site, self.nav, self.files, pages, self.outputs))

    @classmethod
    def load(cls, raw: bytes) -> Manifest | None:
        try:
            form, site, nav, files, pages, outputs = marshal.loads(raw)
            if form != _FORMAT:
                return None
            return cls(site, nav, files, {src: Entry(key, dest, tuple(st), search, anchors, linked, footer)
                                          for src, (key, dest, st, search, anchors, linked, footer) in pages.items()}, outputs)
        except (EOFError, ValueError, TypeError):
            return None


class PageCache:
    """The page cache of one output folder, used by one build at a time (serve keeps it across rebuilds).

    ``previous`` is the folder whose files the last build recorded: the
    published ``--out`` for a build (kept pages are hard-linked from it into
    the new folder), the preview folder itself for serve.
    """

    def __init__(self, *, previous: Path, store: Path | None = None, serving: bool = False) -> None:
        self.previous = previous
        self.store = store
        self.serving = serving
        self.old = _read(store) if store is not None else None
        self._reset()

    def _reset(self) -> None:
        self.new = Manifest()
        self.kept: dict[str, Entry] = {}
        self.keys: dict[str, str] = {}
        self.footers: dict[str, str] = {}
        self.order: list[str] = []
        self.plain: set[str] = set()
        self.search: dict[str, list[dict[str, Any]]] = {}
        self._marks: dict[str, int] = {}
        self.rebuilt = 0

    # --- during the build, called by the plugin -------------------------------------------------

    def plan(self, config: MkDocsConfig, files: Files, nav: Navigation) -> None:
        """Decide which pages are kept (after ``on_nav``, before MkDocs reads any page), and put their HTML in place."""
        from mkdocs.structure.files import InclusionLevel

        self._reset()
        site = site_key(config)
        self.new.site = site or ""
        self.new.files = _digest("\0".join(f"{f.src_uri}\1{f.dest_uri}" for f in sorted(files, key=lambda f: f.src_uri)))
        self.new.outputs = sorted(f.dest_uri for f in files)
        old = self.old if site and self.old is not None and self.old.site == site else None
        in_nav = {page.file.src_uri for page in nav.pages}
        site_dir = Path(config.site_dir)
        in_place = self.previous.resolve() == site_dir.resolve()
        pages = files.documentation_pages(inclusion=InclusionLevel.is_in_serve if self.serving else InclusionLevel.is_included)
        for file in pages:
            self.order.append(file.src_uri)
            content = file.content_bytes
            footers = _FOOTER.findall(content)
            footer = footers[0].decode() if len(footers) == 1 else ""
            key = _digest(site or "", file.src_uri, file.dest_uri, _FOOTER.sub(b"", content) if footer else content)
            self.keys[file.src_uri], self.footers[file.src_uri] = key, footer
            entry = old.pages.get(file.src_uri) if old is not None else None
            kept = None
            if (entry is not None and old is not None and file.src_uri not in in_nav and entry.key == key
                    and entry.dest == file.dest_uri and (not entry.linked or old.files == self.new.files)):
                kept = self._keep_output(entry, site_dir, footer, in_place=in_place)
            _set_modified(file, kept is None)
            if kept is not None:
                self.kept[file.src_uri] = kept

    def _keep_output(self, entry: Entry, site_dir: Path, footer: str, *, in_place: bool) -> Entry | None:
        """``entry`` as this build keeps it, if its recorded output is still there, unchanged; None otherwise.

        Its HTML is put into ``site_dir`` (``in_place``: it is the previous folder): hard-linked when the
        footer is the same, else written anew with the new footer line, never through the old file (a hard
        link of the published page, or the page serve shows).
        """
        source, target = f"{self.previous}/{entry.dest}", f"{site_dir}/{entry.dest}"
        try:
            if not in_place:
                os.makedirs(os.path.dirname(target), exist_ok=True)
            if entry.footer == footer:
                # Checked after linking: the file checked is the file kept, even if --out is swapped meanwhile.
                if not in_place:
                    os.link(source, target, follow_symlinks=False)
                if _stamp(os.lstat(source if in_place else target)) != entry.stamp:
                    if not in_place:
                        os.unlink(target)
                    return None
                return entry
            with open(source, "rb") as handle:
                if _stamp(os.fstat(handle.fileno())) != entry.stamp:
                    return None
                html = handle.read()
            old, new = entry.footer.encode(), footer.encode()
            texts = [e.get("text", "") for e in entry.search]
            if html.count(old) != 1 or (texts and sum(t.count(entry.footer) for t in texts) != 1):
                return None
            written = f"{target}.gitdesk-new" if in_place else target
            with open(written, "xb") as handle:
                handle.write(html.replace(old, new))
            if in_place:
                os.replace(written, target)
        except OSError:
            return None
        search = [dict(e, text=e["text"].replace(entry.footer, footer)) if "text" in e else e for e in entry.search]
        return replace(entry, search=search, footer=footer)

    def settle(self, config: MkDocsConfig, files: Files, nav: Navigation) -> None:
        """After every other page is read (``on_env``): keep the kept pages only if the nav came out the same."""
        from mkdocs.commands.build import _populate_page

        self.new.nav = _digest(json.dumps(_nav_shape(nav.items)))
        if self.old is not None and self.old.nav == self.new.nav:
            for src in self.kept:
                file = files.get_file_from_path(src)
                if file is not None and file.page is not None:
                    file.page.present_anchor_ids = set(self.kept[src].anchors)
            return
        # A title or a page came or went in the nav, which is in every page's HTML: read the kept pages after all.
        for src in list(self.kept):
            file = files.get_file_from_path(src)
            if file is None or file.page is None:
                continue
            if self.previous.resolve() != Path(config.site_dir).resolve():
                # it is a hard link to the published page: never write through it
                Path(config.site_dir, file.dest_uri).unlink(missing_ok=True)
            _set_modified(file, True)
            _populate_page(file.page, config, files)
        self.kept.clear()

    def before_index(self, src: str, entries: list[dict[str, Any]]) -> None:
        self._marks[src] = len(entries)

    def after_index(self, src: str, entries: list[dict[str, Any]]) -> None:
        start = self._marks.pop(src, None)
        if start is not None:
            self.search[src] = entries[start:]

    def finish(self, config: MkDocsConfig, files: Files, entries: list[dict[str, Any]] | None) -> None:
        """Before the search index is written (``on_post_build``): put every page's entries in build order; record pages."""
        site_dir = Path(config.site_dir)
        if entries is not None:
            entries[:] = [e for src in self.order for e in (self.kept[src].search if src in self.kept else self.search.get(src, []))]
        for src in self.order:
            kept = self.kept.get(src)
            file = files.get_file_from_path(src)
            if file is None or file.page is None:
                continue
            try:
                written = _stamp(os.lstat(site_dir / file.dest_uri))
            except OSError:
                written = None
            if written is None:
                continue  # MkDocs wrote nothing for an empty page: build it again next time
            self.new.pages[src] = Entry(
                self.keys[src], file.dest_uri, written,
                kept.search if kept else self.search.get(src, []),
                kept.anchors if kept else sorted(file.page.present_anchor_ids or ()),
                kept.linked if kept else src not in self.plain, self.footers[src])
        self.rebuilt = len(self.order) - len(self.kept)
        if self.serving and self.old is not None:
            # The preview folder is reused: drop what a deleted ticket left (a new build folder has none of it).
            for gone in set(self.old.outputs) - set(self.new.outputs):
                (site_dir / gone).unlink(missing_ok=True)

    # --- after the build ------------------------------------------------------------------------

    def commit(self) -> None:
        """The build succeeded (and its folder is in place): its manifest is the one to compare with next time."""
        self.old, self.new = self.new, Manifest()
        if self.store is None or not self.old.site:
            return
        try:
            self.store.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.store.with_name(f"{self.store.name}.tmp{os.getpid()}")
            tmp.write_bytes(self.old.dump())
            os.replace(tmp, self.store)
        except (OSError, ValueError):
            pass  # a read-only Git dir (or an entry marshal cannot write): the next build is a full one


def manifest_path(git_dir: Path, out: Path) -> Path:
    """Where the manifest of the site built into ``out`` is kept: one per output folder."""
    return git_dir / "gitdesk" / f"site-{_digest(str(out.resolve()))[:16]}.pages"


def renders_path(git_dir: Path, out: Path) -> Path:
    """Where the rendered ticket pages and stable SLA parts of the site built into ``out`` are kept (:mod:`gitdesk.site.render_cache`)."""
    return git_dir / "gitdesk" / f"site-{_digest(str(out.resolve()))[:16]}.renders"


def open_renders(store: Path | None) -> RenderCache:
    """The render cache kept at ``store`` (empty when missing, unreadable or from other code or libraries), or an in-memory one."""
    from gitdesk.sla.cache import libraries as sla_libraries  # here: the rest of this module never needs it

    raw = None
    if store is not None:
        try:
            raw = store.read_bytes()
        except OSError:
            pass
    # the SLA parts also depend on the calendars' and the JSON writer's libraries
    return RenderCache.load(raw, salt=_digest(_environment(), repr(sla_libraries())))


def save_renders(renders: RenderCache, store: Path | None) -> None:
    """Keep ``renders`` at ``store`` for the next build (atomic; a read-only Git dir keeps nothing)."""
    if store is None:
        return
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        tmp = store.with_name(f"{store.name}.tmp{os.getpid()}")
        tmp.write_bytes(renders.dump())
        os.replace(tmp, store)
    except (OSError, ValueError):
        pass


def _read(path: Path) -> Manifest | None:
    try:
        return Manifest.load(path.read_bytes())
    except OSError:
        return None


def _stamp(st: os.stat_result) -> Stamp | None:
    """A regular file's (inode, size, mtime_ns); None for anything else."""
    return (st.st_ino, st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def _set_modified(file: File, modified: bool) -> None:
    # MkDocs asks the file itself; an instance attribute answers before the class's mtime comparison.
    setattr(file, "is_modified", (lambda: True) if modified else (lambda: False))


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


def _nav_shape(items: list[Any]) -> list[Any]:
    """The nav as every page shows it: kinds, titles, URLs and nesting."""
    return [[type(item).__name__, item.title, getattr(item, "url", None), _nav_shape(getattr(item, "children", None) or [])]
            for item in items]


def site_key(config: MkDocsConfig) -> str | None:
    """What every page's HTML depends on besides its own source; None when pages cannot be kept safely."""
    plugins = {name: f"{type(p).__module__}.{type(p).__qualname__}" for name, p in config.plugins.items()}
    if not set(plugins.values()) <= KNOWN_PLUGINS or config.hooks:
        return None
    if any(word in str(ext) for ext in config.markdown_extensions for word in _READS_FILES):
        return None
    settings = {key: value for key, value in config.items() if key not in _NOT_CONTENT}
    settings["plugins"] = [(name, plugins[name], dict(p.config)) for name, p in config.plugins.items()]
    settings["theme"] = dict(config.theme.items())
    try:
        text = json.dumps(settings, sort_keys=True, default=_stable)
    except ValueError:
        return None
    custom = config.theme.custom_dir
    return _digest(text, _environment(), _folder_digest(Path(custom)) if custom else "")


def _stable(value: object) -> str:
    """A config value JSON cannot write, as text that is the same in every process (else no key)."""
    if callable(value) or isinstance(value, type):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    text = repr(value)
    if " at 0x" in text:
        raise ValueError(f"no stable text for {type(value).__qualname__}")
    return text


@cache
def _environment() -> str:
    """Python, the libraries that render pages and gitdesk's own code (once per process: serve keeps it)."""
    versions = []
    for name in _LIBRARIES:
        try:
            versions.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name}=")
    return _digest(sys.version, *versions, _folder_digest(Path(__file__).resolve().parents[1], suffixes=(".py", ".j2", ".css", ".js", ".mo", ".svg")))


def _folder_digest(root: Path, *, suffixes: tuple[str, ...] | None = None) -> str:
    """Every file's path and bytes under ``root`` (only the ``suffixes`` given); symlinks are not followed."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if not p.is_symlink() and p.is_file()):
        if suffixes is None or path.suffix in suffixes:
            digest.update(_digest(path.relative_to(root).as_posix(), path.read_bytes()).encode())
    return digest.hexdigest()
