"""`gitdesk build` / `generate` end to end on a real Git repo: exit codes, atomic swap, nav, reproducibility."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitdesk.cli import cli

NOW = "2026-11-23T10:00:00+00:00"


def run(repo: Path, *args: str):
    return CliRunner().invoke(cli, ["--repo", str(repo), *args], catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path, sample_git_repo: Path) -> Path:
    """A private copy of the sample repo (tests here write into it)."""
    return Path(shutil.copytree(sample_git_repo, tmp_path / "repo", symlinks=True))


def test_unknown_client_exits_2_naming_the_valid_clients(repo: Path) -> None:
    result = run(repo, "build", "--client", "initech", "--now", NOW)
    assert result.exit_code == 2
    assert "initech" in result.output and "acme, globex" in result.output
    assert not (repo / "site").exists()


def test_no_gitdesk_yml_exits_2(tmp_path: Path) -> None:
    result = run(tmp_path, "build")
    assert result.exit_code == 2
    assert "no gitdesk.yml" in result.output


def test_refuses_to_build_over_the_repository(repo: Path) -> None:
    result = run(repo, "build", "--out", str(repo), "--now", NOW)
    assert result.exit_code == 2 and "holds the repository" in result.output
    assert (repo / "gitdesk.yml").exists()


def test_build_writes_the_site_and_keeps_ticket_pages_out_of_the_nav(repo: Path) -> None:
    result = run(repo, "build", "--client", "acme", "--now", NOW)
    assert result.exit_code == 0, result.output
    home = (repo / "site/index.html").read_text(encoding="utf-8")
    nav = re.findall(r'class="md-nav__link[^"]*"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*class="md-tabs__link', home)
    links = {a or b for a, b in nav}
    assert {"history/index.html", "sla/index.html", "maintenance/index.html"} <= links
    assert not any(link.startswith("incidents/") for link in links)
    assert (repo / "site/incidents/INC-0001.html").is_file()  # built, linked from listings
    assert 'href="../incidents/INC-0001.html"' in (repo / "site/history/2026-11.html").read_text(encoding="utf-8")
    assert "incidents/INC-0001.html" in (repo / "site/sitemap.xml").read_text(encoding="utf-8")


def test_a_failing_build_leaves_the_previous_site_untouched(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(repo, "build", "--client", "acme", "--now", NOW).exit_code == 0
    before = {p: p.read_bytes() for p in (repo / "site").rglob("*") if p.is_file()}
    # A ticket that breaks rendering: a template bug, simulated by a page renderer that raises.
    from gitdesk.site import pages

    def broken(site, ticket):
        raise RuntimeError("renderer exploded on " + ticket.id)

    monkeypatch.setattr(pages, "incident_page", broken)
    result = CliRunner().invoke(cli, ["--repo", str(repo), "build", "--client", "acme", "--now", "2026-11-24T10:00:00+00:00"])
    assert result.exit_code != 0
    after = {p: p.read_bytes() for p in (repo / "site").rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in repo.iterdir() if p.name.startswith(".site.")] == []  # no half-built folder left behind


def test_same_now_gives_the_same_bytes(repo: Path, tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert run(repo, "build", "--client", "acme", "--now", NOW, "--out", str(tmp_path / name)).exit_code == 0
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*") if p.is_file()}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*") if p.is_file()}
    assert one.keys() == two.keys()
    assert [str(p) for p in one if one[p] != two[p]] == []
    assert "2026-11-23 11:00 CET" in (tmp_path / "one/index.html").read_text(encoding="utf-8")


def test_generate_writes_a_bundle_another_builder_can_build(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    result = run(repo, "generate", "--out", str(out), "--client", "acme", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert (out / "docs/index.md").is_file() and (out / "docs/api/v2/summary.json").is_file()
    config = (out / "mkdocs.yml").read_text(encoding="utf-8")
    assert "gitdesk" not in config.split("plugins:")[1].split("\n")[0]  # builds without our plugin
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(config_file=str(out / "mkdocs.yml"), site_dir=str(tmp_path / "built")))
    assert (tmp_path / "built/incidents/INC-0001.html").is_file()


def test_plugin_watches_the_ticket_folders_under_serve(repo: Path) -> None:
    from gitdesk.adapters.mkdocs_plugin import GitdeskPlugin

    class Server:
        watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    plugin = GitdeskPlugin()
    plugin.repo = repo
    server = Server()
    plugin.on_serve(server, config=None, builder=None)  # type: ignore[arg-type]
    # the record folders and config, and what a commit changes (the timeline and clocks read commits)
    assert {Path(p).name for p in server.watched} == {"tickets", "backlog", "runbooks", "gitdesk.yml", "HEAD", "refs"}


def test_ticket_pages_are_searchable_and_keep_their_full_markup(built_sites: dict[str, Path]) -> None:
    # The plugin converts ticket pages' Markdown once per build and hands the search plugin a lighter
    # copy of each page; users must see no difference.
    import json

    index = json.loads((built_sites["acme"] / "search/search_index.json").read_text(encoding="utf-8"))
    entries = {doc["location"]: doc for doc in index["docs"] if doc["location"].startswith("incidents/INC-0001.html")}
    page = entries["incidents/INC-0001.html"]
    assert page["title"] == "INC-0001: Accounting export fails for v3.2"
    assert "Fixed the export mapping" in page["text"] and "<span" not in page["text"]
    assert {"incidents/INC-0001.html#sla", "incidents/INC-0001.html#timeline"} <= set(entries)
    assert "Reproduced on staging." in entries["incidents/INC-0001.html#timeline"]["text"]
    html = (built_sites["acme"] / "incidents/INC-0001.html").read_text(encoding="utf-8")
    assert '<span class="gd-sev gd-sev-p1">P1</span>' in html and '<table class="gd-table">' in html
    assert '<h2 id="timeline">Timeline</h2>' in html
    assert '<a href="#timeline" class="md-nav__link">' in html  # the page's table of contents


@pytest.mark.parametrize(("features", "hidden"), [("[navigation.tabs]", True), ("[]", False)])
def test_the_navigation_sidebar_is_hidden_only_where_it_would_list_the_page_alone(tmp_path: Path, features: str,
                                                                                  hidden: bool) -> None:
    """With tabs, each gitdesk page is alone under its tab; without them the sidebar is the site's navigation."""
    from tests.security import desk

    mkdocs = (f"site_name: Acme status\nuse_directory_urls: false\n"
              f"theme: {{name: material, font: false, features: {features}}}\nplugins: [search, gitdesk]\n")
    repo = desk.make_repo(tmp_path / "repo", {**desk.sample.FILES, "docs/guide.md": "# Guide\n"}, mkdocs=mkdocs)
    result = desk.run(repo, "build", "--client", "acme", "--now", desk.NOW, "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    sidebar = re.compile(r'<div class="md-sidebar md-sidebar--primary" data-md-component="sidebar" '
                         r'data-md-type="navigation"\s*(hidden)?>')
    for page in ("sla/index.html", "history/index.html", "incidents/INC-0001.html", "guide.html"):
        found = sidebar.search((tmp_path / "site" / page).read_text(encoding="utf-8"))
        assert found, page
        # the site's own pages are as their author wrote them
        assert bool(found.group(1)) is (hidden and page != "guide.html"), page
