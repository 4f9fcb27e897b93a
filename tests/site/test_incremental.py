"""A second build into the same --out keeps unchanged pages, and its site is byte for byte a cold build's.

Each case builds the sample desk (a real Git repo with back-dated commits, a
docs folder and theme overrides), changes it, builds again into the same
folder, and compares every file with a cold build of the changed desk into a
new folder: pages, search index, sitemap, feeds, JSON, badges.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest

from gitdesk.adapters.mkdocs_build import BuildResult, IdleCollector, build_site
from gitdesk.pipeline import KeptHistory, SiteOptions, collect
from gitdesk.site import Audience, RenderCache
from gitdesk.site.render_cache import SlaParts
from tests.foundation.helpers import interruptible

WHEN = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)  # every change lands before the sample's NOW
MKDOCS = """\
site_name: Acme status
docs_dir: docs
use_directory_urls: false
theme:
  name: material
  font: false
  custom_dir: overrides
plugins: [search, gitdesk]
"""
GUIDE = "# Guide\n\nSee [the export incident](incidents/INC-0002.md) and [the old one](incidents/INC-0005.md).\n"
OVERRIDE = '{% extends "base.html" %}\n{% block announce %}Maintenance tonight{% endblock %}\n'


@pytest.fixture
def desk(tmp_path: Path, sample_git_repo: Path, sample: ModuleType) -> Path:
    """The sample desk with a mkdocs.yml, a docs page linking to tickets and a theme override, committed."""
    repo = Path(shutil.copytree(sample_git_repo, tmp_path / "repo", symlinks=True))
    (repo / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    (repo / "docs").mkdir()
    (repo / "docs/guide.md").write_text(GUIDE, encoding="utf-8")
    (repo / "overrides").mkdir()
    (repo / "overrides/main.html").write_text(OVERRIDE, encoding="utf-8")
    commit(sample, repo, "site setup", when=WHEN - timedelta(days=1))
    return repo


def commit(sample: ModuleType, repo: Path, message: str, *, when: datetime = WHEN) -> None:
    sample._git(repo, "add", "-A")
    sample._git(repo, "commit", "-q", "-m", message, when=when)


def build(sample: ModuleType, repo: Path, out: Path, *, client: str = "acme", now: datetime | None = None) -> BuildResult:
    return build_site(SiteOptions(repo, Audience.CLIENT, client, now or sample.NOW), out)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_site(incremental: Path, cold: Path) -> None:
    got, want = tree(incremental), tree(cold)
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []


def rebuild_and_compare(sample: ModuleType, repo: Path, tmp_path: Path, change: Callable[[], None]) -> tuple[int, int]:
    """Build, apply ``change``, build again into the same folder; compare with a cold build.

    Returns (pages the second build rendered, pages the cold build rendered: all of them).
    """
    out = tmp_path / "site"
    first = build(sample, repo, out)
    assert first.rendered == first.pages - 1  # no previous build: every page is rendered (404.html is a template)
    change()
    again = build(sample, repo, out)
    cold = build(sample, repo, tmp_path / "cold")
    assert cold.rendered == cold.pages - 1
    assert_same_site(out, tmp_path / "cold")
    return again.rendered, cold.rendered


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_nothing_changed_renders_only_the_nav_pages(desk: Path, tmp_path: Path, sample: ModuleType) -> None:
    rendered, every = rebuild_and_compare(sample, desk, tmp_path, lambda: None)
    assert 0 < rendered < every / 2


#: what is edited and committed: (file, old text, new text, whether every page must be rendered again, what the site shows)
EDITS: dict[str, tuple[str, str, str, bool, Callable[[Path], bool]]] = {
    "one ticket": ("tickets/incidents/2026/INC-0002.md", "title: ", "title: Renamed ", False,
                   lambda site: "Renamed " in (site / "incidents/INC-0002.html").read_text(encoding="utf-8")),
    # A landed ticket stays on record (deleting its file is refused, GD314): it leaves a client's site by scope.
    "a ticket leaves the site": ("tickets/incidents/2026/INC-0005.md", "client: acme\n", "client: acme\nvisibility: internal\n",
                                 False, lambda site: not (site / "incidents/INC-0005.html").exists()),
    "mkdocs.yml": ("mkdocs.yml", "  font: false\n", "  font: false\n  features: [navigation.tabs]\n", True,
                   lambda site: "md-tabs" in (site / "index.html").read_text(encoding="utf-8")),
    "gitdesk.yml": ("gitdesk.yml", "title: Acme ERP", "title: Acme ERP desk", False,
                    lambda site: "Acme ERP desk" in (site / "index.html").read_text(encoding="utf-8")),
    # INC-0001 links EVO-0001: its page shows the linked record's new title, though INC-0001 itself did not change
    "a linked record's title": ("backlog/EVO-0001.md", "title: Export schema contract tests", "title: Export schema contract suite",
                                False, lambda site: "Export schema contract suite" in (site / "incidents/INC-0001.html").read_text(encoding="utf-8")),
    "the site's language": ("gitdesk.yml", 'site: {url: "https://status.example.org/"}',
                            'site: {url: "https://status.example.org/", language: es}', True,
                            lambda site: "Cronología" in (site / "incidents/INC-0001.html").read_text(encoding="utf-8")),
    "theme override": ("overrides/main.html", "Maintenance tonight", "Maintenance on Sunday", True,
                       lambda site: "Maintenance on Sunday" in (site / "incidents/INC-0001.html").read_text(encoding="utf-8")),
}


@pytest.mark.parametrize("what", EDITS)
def test_an_edit_committed(what: str, desk: Path, tmp_path: Path, sample: ModuleType) -> None:
    rel, old, new, every_page, shown = EDITS[what]

    def change() -> None:
        edit(desk, rel, old, new)
        commit(sample, desk, what)

    rendered, every = rebuild_and_compare(sample, desk, tmp_path, change)
    assert (rendered == every) if every_page else (rendered < every)
    assert shown(tmp_path / "site")


def test_a_later_now_moves_running_clocks_on_kept_pages(desk: Path, tmp_path: Path, sample: ModuleType) -> None:
    """Nothing committed, a later --now: the open incident's running clock and every footer say the new time."""
    later = sample.NOW + timedelta(hours=3)
    build(sample, desk, tmp_path / "site")
    build(sample, desk, tmp_path / "site", now=later)
    build(sample, desk, tmp_path / "cold", now=later)
    assert_same_site(tmp_path / "site", tmp_path / "cold")
    before = tmp_path / "before"
    build(sample, desk, before)
    page = (tmp_path / "site/incidents/INC-0002.html").read_text(encoding="utf-8")
    assert page != (before / "incidents/INC-0002.html").read_text(encoding="utf-8")


def test_another_client_into_the_same_folder_keeps_nothing_of_the_first(desk: Path, tmp_path: Path, sample: ModuleType) -> None:
    """Rendered pages are kept per audience: globex's site built where acme's was is globex's cold site."""
    build(sample, desk, tmp_path / "site")
    build(sample, desk, tmp_path / "site", client="globex")
    build(sample, desk, tmp_path / "cold", client="globex")
    assert_same_site(tmp_path / "site", tmp_path / "cold")
    assert not any(b"Accounting export fails" in data for data in tree(tmp_path / "site").values())


def test_unchanged_ticket_pages_are_not_rendered_again(desk: Path, tmp_path: Path, sample: ModuleType,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The second build renders only the edited ticket's page; the others come from the render cache in the Git dir."""
    from gitdesk.site import pages

    out = tmp_path / "site"
    build(sample, desk, out)
    rendered: list[str] = []
    real = pages.incident_page

    def counted(site: object, t: object) -> tuple[str, str]:
        rendered.append(t.id)  # type: ignore[attr-defined]
        return real(site, t)  # type: ignore[arg-type]

    monkeypatch.setattr(pages, "incident_page", counted)
    edit(desk, "tickets/incidents/2026/INC-0002.md", "title: ", "title: Renamed ")
    commit(sample, desk, "INC-0002 renamed")
    build(sample, desk, out)
    assert rendered == ["INC-0002"]
    rendered.clear()
    build(sample, desk, tmp_path / "cold")
    assert len(rendered) > 1
    assert_same_site(out, tmp_path / "cold")


def test_a_ticket_added(desk: Path, tmp_path: Path, sample: ModuleType) -> None:
    def change() -> None:
        text = (desk / "tickets/incidents/2026/INC-0002.md").read_text(encoding="utf-8")
        (desk / "tickets/incidents/2026/INC-0009.md").write_text(text.replace("INC-0002", "INC-0009"), encoding="utf-8")
        commit(sample, desk, "INC-0009 opened")

    rebuild_and_compare(sample, desk, tmp_path, change)
    assert (tmp_path / "site/incidents/INC-0009.html").is_file()


def test_a_nav_title_changed_rebuilds_every_page_without_touching_the_old_site(
        desk: Path, tmp_path: Path, sample: ModuleType) -> None:
    """Material renders the nav into every page; the old site's files are never written through their links."""
    kept = tmp_path / "old-INC-0001.html"

    def change() -> None:
        os.link(tmp_path / "site/incidents/INC-0001.html", kept)
        before = kept.read_bytes()
        edit(desk, "docs/guide.md", "# Guide", "# User guide")
        commit(sample, desk, "guide title")
        change.before = before  # type: ignore[attr-defined]

    rendered, every = rebuild_and_compare(sample, desk, tmp_path, change)
    assert rendered == every
    assert kept.read_bytes() == change.before  # type: ignore[attr-defined]
    assert b"User guide" in (tmp_path / "site/incidents/INC-0001.html").read_bytes()


def test_a_published_page_edited_by_hand_is_rebuilt(desk: Path, tmp_path: Path, sample: ModuleType) -> None:
    def change() -> None:
        page = tmp_path / "site/incidents/INC-0001.html"
        page.write_bytes(page.read_bytes().replace(b"</body>", b"<!-- defaced --></body>"))

    rebuild_and_compare(sample, desk, tmp_path, change)


def test_serve_shows_each_edit_and_drops_the_page_of_a_ticket_that_left(desk: Path, sample: ModuleType) -> None:
    """serve keeps its page cache warm between rebuilds: edited pages change, listings follow, gone pages go."""
    from tests.cli.test_site_adapters import _free_port, _page, _wait_for

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "gitdesk", "--repo", str(desk), "serve", "--audience", "client", "--client", "acme",
                               "--dev-addr", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              preexec_fn=interruptible)
    try:
        assert _wait_for(f"{base}/incidents/INC-0005.html", "INC-0005", server), server.stderr.read() if server.stderr else ""
        edit(desk, "tickets/incidents/2026/INC-0002.md", "title: ", "title: Previewed ")
        assert _wait_for(f"{base}/incidents/INC-0002.html", "Previewed ", server)
        assert _wait_for(f"{base}/index.html", "Previewed ", server)
        assert "INC-0001" in _page(f"{base}/incidents/INC-0001.html")
        edit(desk, "tickets/incidents/2026/INC-0005.md", "client: acme\n", "client: acme\nvisibility: internal\n")
        commit(sample, desk, "INC-0005 internal")  # serve rebuilds after a commit as after an edit
        deadline = time.monotonic() + 120  # a bound for a loaded machine, not a timing assertion
        while _page(f"{base}/incidents/INC-0005.html") and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.3)
        assert _page(f"{base}/incidents/INC-0005.html") == ""
        assert "INC-0005" not in _page(f"{base}/index.html")
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)


def test_serve_caches_give_each_audience_its_cold_bundle(desk: Path, sample: ModuleType) -> None:
    """serve's in-memory caches (ticket pages, SLA parts) shared across audiences and edits: every bundle is a cold one."""
    warm = RenderCache(parts=SlaParts())

    def bundle(client: str | None, *, renders: RenderCache | None) -> dict[str, str | bytes]:
        audience = Audience.CLIENT if client else Audience.INTERNAL
        return collect(SiteOptions(desk, audience, client, sample.NOW, renders=renders)).files

    for client in ("acme", "globex", None, "acme", "acme"):
        assert bundle(client, renders=warm) == bundle(client, renders=None)
    assert warm.hits > 0 and warm.misses == 0  # the same audience again: every ticket page kept
    edit(desk, "tickets/incidents/2026/INC-0001.md", "title: ", "title: Edited ")
    commit(sample, desk, "INC-0001 edited")
    for client in ("acme", None):
        files = bundle(client, renders=warm)
        assert files == bundle(client, renders=None)
        assert "Edited " in str(files["incidents/INC-0001.md"])


def test_serve_memory_across_edits_commits_config_and_a_deleted_ticket(desk: Path, sample: ModuleType,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """serve's in-memory state (rendered pages, listings, SLA parts, the history at the branch tip) gives, after each
    change, the bundle a cold read of the same state gives; listings whose inputs did not change are not rendered."""
    from gitdesk.site import pages

    warm = RenderCache(parts=SlaParts())
    kept = KeptHistory()
    rendered: list[str] = []
    real = pages._page

    def counted(site: object, path: str, template: str, **context: object) -> tuple[str, str]:
        rendered.append(path)
        return real(site, path, template, **context)  # type: ignore[arg-type]

    monkeypatch.setattr(pages, "_page", counted)

    def same_as_cold(client: str | None = "acme") -> dict[str, str | bytes]:
        audience = Audience.CLIENT if client else Audience.INTERNAL
        rendered.clear()
        files = collect(SiteOptions(desk, audience, client, sample.NOW, renders=warm, kept=kept)).files
        shown = list(rendered)
        assert files == collect(SiteOptions(desk, audience, client, sample.NOW)).files
        rendered[:] = shown
        return files

    same_as_cold()
    history = kept.history
    same_as_cold()
    assert kept.history is history  # nothing committed: the history is not read again
    assert not [p for p in rendered if p.startswith(("history/", "sla/2"))]  # nor are the month pages rendered

    edit(desk, "tickets/incidents/2026/INC-0002.md", "title: ", "title: Listed ")
    commit(sample, desk, "INC-0002 renamed")
    files = same_as_cold()
    assert kept.history is not history  # the branch moved: read again
    months = [p for p in files if p.startswith("history/2") and "INC-0002" in str(files[p])]
    assert months and "Listed " in str(files[months[0]]) and months[0] in rendered

    edit(desk, "gitdesk.yml", "title: Acme ERP", "title: Acme ERP desk")  # not committed: the working tree's config counts
    assert "Acme ERP desk" in str(same_as_cold()["index.md"])
    same_as_cold(None)

    (desk / "tickets/incidents/2026/INC-0004.md").unlink()  # deleted, not committed yet
    same_as_cold()
    commit(sample, desk, "INC-0004 deleted")
    same_as_cold()
    same_as_cold(None)


def test_a_theme_folder_s_files_are_published_and_its_hidden_ones_are_not(desk: Path, tmp_path: Path,
                                                                           sample: ModuleType) -> None:
    """Theme folders are listed without their hidden files and folders (Material's .icons): nothing else changes."""
    (desk / "overrides/assets/extra").mkdir(parents=True)
    (desk / "overrides/assets/extra/brand.css").write_text("body { color: #123; }\n", encoding="utf-8")
    (desk / "overrides/.drafts").mkdir()
    (desk / "overrides/.drafts/old.css").write_text("body {}\n", encoding="utf-8")
    (desk / "overrides/assets/.notes.css").write_text("body {}\n", encoding="utf-8")
    commit(sample, desk, "theme files")
    build(sample, desk, tmp_path / "site")
    site = tmp_path / "site"
    assert (site / "assets/extra/brand.css").read_text(encoding="utf-8") == "body { color: #123; }\n"
    assert not (site / ".drafts").exists() and not (site / "assets/.notes.css").exists()
    assert list(site.glob("assets/javascripts/bundle.*.min.js"))  # Material's own static files are all still there
    assert not list(site.rglob(".icons"))


def test_serve_collects_garbage_once_idle() -> None:
    """During a rebuild the cycle collector is off; once idle, it collects (a cycle left by the rebuild is freed)."""
    import gc
    import weakref

    class Node:
        other: object = None

    collector = IdleCollector(0.05)
    try:
        with collector.paused():
            assert not gc.isenabled()
            node = Node()
            node.other = node
            gone = weakref.ref(node)
            del node
        deadline = time.monotonic() + 60  # a bound for a loaded machine, not a timing assertion
        while (gone() is not None or not gc.isenabled()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gone() is None and gc.isenabled()
    finally:
        collector.stop()
    assert gc.isenabled()


def test_serve_rebuilding_without_pause_still_collects_garbage() -> None:
    """Rebuilds that never leave the preview idle collect every few rebuilds: memory does not grow without bound."""
    import gc
    import weakref

    class Node:
        other: object = None

    collector = IdleCollector(3600, most=3)  # never idle
    try:
        with collector.paused():
            node = Node()
            node.other = node
            gone = weakref.ref(node)
            del node
        for _ in range(2):
            with collector.paused():
                pass
        assert gone() is not None  # not yet: the collector is paused, and no idle moment came
        with collector.paused():
            assert gone() is None
    finally:
        collector.stop()
    assert gc.isenabled()
