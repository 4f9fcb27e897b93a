"""`gitdesk build` keeps the compiled theme and site templates in the Git dir; an edited template still shows.

Every build is a new process (the CLI), as a user runs it: the kept code is
what a second process reads.
"""

from __future__ import annotations

import marshal
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.site.test_incremental import MKDOCS, assert_same_site


@pytest.fixture
def desk(tmp_path: Path, sample_git_repo: Path) -> Path:
    repo = Path(shutil.copytree(sample_git_repo, tmp_path / "repo", symlinks=True))
    (repo / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    (repo / "docs").mkdir(exist_ok=True)
    _announce(repo, "First notice")
    return repo


def _announce(repo: Path, words: str) -> None:
    (repo / "overrides").mkdir(exist_ok=True)
    (repo / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}\n{% block announce %}' + words + "{% endblock %}\n", encoding="utf-8")


def _build(sample: ModuleType, repo: Path, out: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "gitdesk", "--repo", str(repo), "build", "--client", "acme",
                             "--now", sample.NOW.isoformat(), "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _kept(repo: Path) -> dict[str, bytes]:
    found = marshal.loads((repo / ".git" / "gitdesk" / "templates.bytecode").read_bytes())
    assert isinstance(found, dict)
    return found


def test_a_build_keeps_its_compiled_templates_and_the_next_one_shows_an_edited_template(
        desk: Path, tmp_path: Path, sample: ModuleType) -> None:
    _build(sample, desk, tmp_path / "site")
    kept = _kept(desk)
    assert len(kept) >= 20  # Material's templates and partials, the override, gitdesk's page templates
    assert "First notice" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    _announce(desk, "Second notice")
    _build(sample, desk, tmp_path / "site")
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Second notice" in page and "First notice" not in page


def test_damaged_kept_templates_are_compiled_again(desk: Path, tmp_path: Path, sample: ModuleType) -> None:
    _build(sample, desk, tmp_path / "first")
    store = desk / ".git" / "gitdesk" / "templates.bytecode"
    store.write_bytes(marshal.dumps({key: b"not bytecode" for key in _kept(desk)}))
    _build(sample, desk, tmp_path / "second")
    assert_same_site(tmp_path / "second", tmp_path / "first")
    store.write_bytes(b"\x00garbage")
    _build(sample, desk, tmp_path / "third")
    assert_same_site(tmp_path / "third", tmp_path / "first")
