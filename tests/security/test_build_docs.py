"""Finding 2: the MkDocs docs folder is content, checked like tickets.

A symlink under docs/ published any file of the build machine to every
client (``docs/env.md -> /proc/self/environ`` put a CI token into the search
index) and every docs page went to every client. Real Git repos (Git stores
the symlinks), real builds, every output byte scanned.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.security.build_kit import MKDOCS, NOW, commit, desk, every_byte, leftovers, run, run_process, snapshot

TOKEN = "CANARY7CITOKEN0123456789"
OUTSIDE = "CANARY7OUTSIDEFILE"
INTERNAL_PAGE = "CANARY7INTERNALDOCSPAGE"


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """A desk whose docs/ has a public page, a link to the build's environment and a link to a file outside the repo."""
    repo = desk(tmp_path / "desk", docs={"index.md": "# Welcome\n\nPublic help page.\n"})
    (tmp_path / "secret.txt").write_text(OUTSIDE + "\n", encoding="utf-8")
    os.symlink("/proc/self/environ", repo / "docs/env.md")
    os.symlink(tmp_path / "secret.txt", repo / "docs/notes.md")
    commit(repo, "docs: two links")
    return repo


def test_a_symlink_to_the_build_environment_is_refused_and_nothing_is_published(linked: Path) -> None:
    proc = run_process(linked, "build", "--client", "acme", "--now", NOW, env={"CI_TOKEN": TOKEN})
    assert proc.returncode == 1, proc.stderr
    assert "docs/env.md" in proc.stderr and "docs/notes.md" in proc.stderr and "symlink" in proc.stderr
    assert "Traceback" not in proc.stderr and "✓" not in proc.stderr
    assert not (linked / "site").exists() and leftovers(linked) == []


def test_keep_going_leaves_the_links_out_and_no_byte_of_their_targets_is_published(linked: Path) -> None:
    proc = run_process(linked, "build", "--client", "acme", "--now", NOW, "--keep-going", env={"CI_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stderr
    assert "docs/env.md" in proc.stderr and "left out" in proc.stderr
    site = every_byte(linked / "site")
    assert "Public help page." in site  # the scan sees the docs pages
    assert TOKEN not in site and OUTSIDE not in site and "CI_TOKEN" not in site
    assert not (linked / "site/env.html").exists() and not (linked / "site/notes.html").exists()


def test_validate_reports_each_link_with_its_file_and_fix(linked: Path) -> None:
    result = run(linked, "validate", "--no-history")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if "GD400" in line]
    assert [line.split(":")[0] for line in lines] == ["docs/env.md", "docs/notes.md"]
    assert all("replace the link with a copy of the file" in line for line in lines)


def test_a_symlinked_folder_is_refused_even_with_keep_going(tmp_path: Path) -> None:
    # MkDocs follows symlinked folders while it walks docs/: a link to / would walk the whole machine.
    repo = desk(tmp_path / "desk", docs={"index.md": "# Welcome\n"})
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd.md").write_text(OUTSIDE, encoding="utf-8")
    os.symlink(tmp_path / "etc", repo / "docs/etc")
    commit(repo, "docs: a folder link")
    result = run(repo, "build", "--client", "acme", "--now", NOW, "--keep-going")
    assert result.exit_code == 1 and "docs/etc" in result.stderr
    assert not (repo / "site").exists()


def test_a_docs_dir_outside_the_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/index.md").write_text(OUTSIDE, encoding="utf-8")
    repo = desk(tmp_path / "desk", mkdocs=MKDOCS + f"docs_dir: {tmp_path / 'elsewhere'}\n")
    assert run(repo, "build", "--client", "acme", "--now", NOW).exit_code == 1
    assert run(repo, "validate", "--no-history").exit_code == 1
    assert not (repo / "site").exists()


HIDDEN_DOCS = {
    "index.md": "# Welcome\n\nSee [the guide](guide.md).\n",
    "guide.md": "# Guide\n\nPublic guide text.\n",
    "ops.md": f"---\nvisibility: internal\ntitle: Ops runbook\n---\n# Ops runbook\n\n{INTERNAL_PAGE}\n",
    "mmd.md": f"visibility: internal\n\n# Escalation\n\n{INTERNAL_PAGE}-MMD\n",
    "globex.md": "---\nclient: globex\n---\n# Globex contract\n\nCANARY7GLOBEXDOCS\n",
}


@pytest.mark.parametrize("nav", [False, True], ids=["nav from files", "nav in mkdocs.yml"])
def test_an_internal_docs_page_never_reaches_a_client_site(tmp_path: Path, nav: bool) -> None:
    spelled = "nav:\n  - Home: index.md\n  - Guide: guide.md\n  - Ops runbook: ops.md\n  - Team:\n    - Escalation: mmd.md\n" if nav else ""
    repo = desk(tmp_path / "desk", mkdocs=MKDOCS + spelled, docs=HIDDEN_DOCS)
    assert run(repo, "validate", "--no-history").exit_code == 0
    result = run(repo, "build", "--client", "acme", "--now", NOW, "--out", str(tmp_path / "acme"))
    assert result.exit_code == 0, result.output
    site = every_byte(tmp_path / "acme")  # pages, search index, sitemap, nav, 404
    assert "Public guide text." in site
    assert INTERNAL_PAGE not in site and "Ops runbook" not in site and "Escalation" not in site
    assert "CANARY7GLOBEXDOCS" not in site
    assert run(repo, "build", "--audience", "internal", "--now", NOW, "--out", str(tmp_path / "internal")).exit_code == 0
    internal = every_byte(tmp_path / "internal")
    assert INTERNAL_PAGE in internal and f"{INTERNAL_PAGE}-MMD" in internal and "Ops runbook" in internal
    assert run(repo, "build", "--client", "globex", "--now", NOW, "--out", str(tmp_path / "globex")).exit_code == 0
    assert "CANARY7GLOBEXDOCS" in every_byte(tmp_path / "globex")


def test_front_matter_that_does_not_parse_is_refused_not_published(tmp_path: Path) -> None:
    # MkDocs renders a page whose YAML header is broken with no metadata: `visibility: internal` would be lost.
    repo = desk(tmp_path / "desk", docs={"index.md": "# Welcome\n",
                                         "ops.md": f"---\nvisibility: internal\ntitle: [broken\n---\n{INTERNAL_PAGE}\n",
                                         "odd.md": "---\nvisibility: secret\n---\n# Odd\n"})
    validate = run(repo, "validate", "--no-history")
    assert validate.exit_code == 1
    assert "docs/ops.md:1:1: GD401" in validate.stdout and "docs/odd.md:1:1: GD401" in validate.stdout
    assert "'secret' is not one of public, internal" in validate.stdout
    result = run(repo, "build", "--client", "acme", "--now", NOW)
    assert result.exit_code == 1 and "docs/ops.md" in result.stderr
    kept = run(repo, "build", "--client", "acme", "--now", NOW, "--keep-going")
    assert kept.exit_code == 0 and INTERNAL_PAGE not in every_byte(repo / "site")


def test_a_missing_docs_dir_is_an_empty_one(tmp_path: Path) -> None:
    repo = desk(tmp_path / "desk")  # mkdocs.yml with the plugin, no docs/ folder
    assert not (repo / "docs").exists()
    result = run(repo, "build", "--client", "acme", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert (repo / "site/incidents/INC-0001.html").is_file()
    assert not (repo / "docs").exists()  # the repo is not edited
    assert run(repo, "validate", "--no-history").exit_code == 0


def test_a_refused_build_keeps_the_previous_site(linked: Path) -> None:
    os.remove(linked / "docs/env.md")
    os.remove(linked / "docs/notes.md")
    assert run(linked, "build", "--client", "acme", "--now", NOW).exit_code == 0
    before = snapshot(linked / "site")
    os.symlink("/proc/self/environ", linked / "docs/env.md")
    assert run(linked, "build", "--client", "acme", "--now", NOW).exit_code == 1
    assert snapshot(linked / "site") == before and leftovers(linked) == []


def test_a_symlink_in_the_theme_overrides_is_refused_too(tmp_path: Path) -> None:
    # MkDocs copies a custom_dir's static files into the site as it does docs/.
    themed = MKDOCS.replace("theme: {name: material, font: false}", "theme: {name: material, font: false, custom_dir: overrides}")
    repo = desk(tmp_path / "desk", mkdocs=themed, docs={"index.md": "# Welcome\n"})
    (tmp_path / "secret.txt").write_text(OUTSIDE, encoding="utf-8")
    (repo / "overrides/assets").mkdir(parents=True)
    os.symlink(tmp_path / "secret.txt", repo / "overrides/assets/leak.txt")
    commit(repo, "theme: an override that links out")
    validate = run(repo, "validate", "--no-history")
    assert validate.exit_code == 1 and "overrides/assets/leak.txt:1:1: GD400" in validate.stdout
    result = run(repo, "build", "--client", "acme", "--now", NOW)
    assert result.exit_code == 1 and "overrides/assets/leak.txt" in result.stderr
    assert result.stderr.count("nothing was published") == 1  # said once, not again by MkDocs
    assert not (repo / "site").exists()
