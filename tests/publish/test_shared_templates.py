"""Builds in one process share the theme's compiled templates (every site of a publish, every serve rebuild).

What a user would notice if that sharing were wrong: a theme override edited
between two builds of one process not showing, or one desk's override showing
on another desk's site.
"""

from __future__ import annotations

from pathlib import Path

from tests.security.build_kit import MKDOCS, NOW, commit, desk, run

THEMED = MKDOCS.replace("theme: {name: material, font: false}", "theme: {name: material, font: false, custom_dir: overrides}")


def themed_desk(root: Path, marker: str) -> Path:
    repo = desk(root, mkdocs=THEMED, docs={"index.md": "# Welcome\n"})
    override(repo, marker)
    return repo


def override(repo: Path, marker: str) -> None:
    (repo / "overrides").mkdir(exist_ok=True)
    (repo / "overrides/main.html").write_text(
        '{% extends "base.html" %}\n{% block announce %}<p class="banner">' + marker + "</p>{% endblock %}\n", encoding="utf-8")
    commit(repo, f"theme: {marker}")


def banner(repo: Path) -> str:
    page = (repo / "site/index.html").read_text(encoding="utf-8")
    return page.split('<p class="banner">', 1)[1].split("</p>", 1)[0]


def test_an_override_edited_between_two_builds_of_one_process_shows_in_the_second(tmp_path: Path) -> None:
    repo = themed_desk(tmp_path / "desk", "First banner")
    assert run(repo, "build", "--client", "acme", "--now", NOW).exit_code == 0
    assert banner(repo) == "First banner"
    override(repo, "Second banner")
    assert run(repo, "build", "--client", "acme", "--now", NOW).exit_code == 0
    assert banner(repo) == "Second banner"


def test_one_desks_override_never_shows_on_another_desks_site(tmp_path: Path) -> None:
    one = themed_desk(tmp_path / "one", "Banner of desk one")
    two = themed_desk(tmp_path / "two", "Banner of desk two")
    for repo in (one, two):
        assert run(repo, "build", "--client", "acme", "--now", NOW).exit_code == 0
    assert (banner(one), banner(two)) == ("Banner of desk one", "Banner of desk two")
