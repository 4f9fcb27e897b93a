"""A cold `gitdesk sla` checks a working-tree file from the history walk's parse of the same bytes: same report, same diagnostics.

The walk parses every landed blob; a working-tree file holding exactly the
bytes of the last blob read at its path is checked (schema, id, times) from
that parse instead of being parsed again. Everything else (an edit, a new
file, a YAML error, the same bytes at another path, a reverted file) is
read and parsed as before. Each test builds a real repo with fixed commit
times, makes the working tree dirty, and compares with a computation that
reads only the disk and no cache.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gitdesk.config import load_config
from gitdesk.history import read_history
from gitdesk.load.files import load_repo
from gitdesk.model import parse_time
from gitdesk.sla import compute, render
from gitdesk.validate import check_loaded
from tests.sla.desk import gitdesk, land, new_desk, ticket

NOW = "2026-03-09T12:00:00+01:00"
FOLDER = "tickets/incidents/2026"


def _incident(number: int, **fields: object) -> dict[str, str]:
    return {f"{FOLDER}/INC-{number:04d}.md".replace("/", "__"): ticket(id=f"INC-{number:04d}", **fields)}  # type: ignore[arg-type]


def _from_disk(repo: Path) -> str:
    """The JSON report from files read off the disk and a history read without any cache."""
    config = load_config(repo)
    report = compute(load_repo(repo).tickets, read_history(repo, branch=config.branch, use_cache=False), config,
                     now=parse_time(NOW))  # type: ignore[arg-type]
    return render(report, "json", ZoneInfo(config.timezone))


def _cold_cli(repo: Path) -> str:
    """`gitdesk sla --format json` with no history, load or SLA cache (as a first run)."""
    shutil.rmtree(repo / ".gitdesk-cache", ignore_errors=True)
    shutil.rmtree(repo / ".git" / "gitdesk", ignore_errors=True)
    code, out = gitdesk(repo, "sla", "--format", "json", "--now", NOW)
    assert code == 0, out
    return out


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """Six landed incidents; INC-0005 landed with an unknown field (a schema error), INC-0006 changed twice."""
    repo = new_desk(tmp_path)
    land(repo, "2026-03-02T10:00:00+01:00", **_incident(1), **_incident(2), **_incident(3, severity="P3"), **_incident(4),
         **_incident(5, colour="red"), **_incident(6))
    land(repo, "2026-03-02T10:05:00+01:00", **_incident(1, status="investigating"), **_incident(6, status="investigating"))
    land(repo, "2026-03-02T11:00:00+01:00", **_incident(1, status="resolved"), **_incident(6, status="resolved"))
    return repo


def _dirty(repo: Path) -> None:
    """Every kind of difference between the working tree and the landed blobs."""
    edited = repo / FOLDER / "INC-0001.md"  # an uncommitted edit: its breach_reason must be what the report shows
    edited.write_text(edited.read_text(encoding="utf-8").replace("status: resolved", "status: resolved\nbreach_reason: Night shift"),
                      encoding="utf-8")
    (repo / FOLDER / "INC-0002.md").unlink()  # deleted in the tree only
    (repo / FOLDER / "INC-0003.md").write_text("---\nid: INC-0003\ntitle: [unclosed\n---\n", encoding="utf-8")  # a YAML error
    (repo / FOLDER / "INC-0009.md").write_text(ticket(id="INC-0009", title="Not landed yet"), encoding="utf-8")  # new
    # the bytes of a landed blob at another path: a copy (same id) and one in another kind's folder
    shutil.copy(repo / FOLDER / "INC-0004.md", repo / FOLDER / "INC-0004-copy.md")
    (repo / "tickets" / "decisions").mkdir(parents=True)
    shutil.copy(repo / FOLDER / "INC-0004.md", repo / "tickets" / "decisions" / "INC-0004.md")
    # reverted in the tree to its first landed version: not the last blob the walk read at that path
    (repo / FOLDER / "INC-0006.md").write_text(ticket(id="INC-0006"), encoding="utf-8")


def test_a_clean_tree_is_checked_from_the_walk_and_reports_what_the_disk_does(desk: Path) -> None:
    history = read_history(desk, use_cache=False, keep_files=True)
    for number in range(1, 7):  # every file of the clean tree is the last blob the walk read at its path
        path = f"{FOLDER}/INC-{number:04d}.md"
        assert history.files[path][0] == (desk / path).read_bytes()
    assert load_repo(desk, landed=history.files) == load_repo(desk)
    text = _cold_cli(desk)
    assert text == _from_disk(desk) and '"INC-0006"' in text
    # the landed unknown field is still reported: the schema check runs on the walk's parse too
    code, out = gitdesk(desk, "validate", "--format", "json", "--no-history")
    assert code == 1 and "colour" in out and "GD101" in out


def test_a_dirty_tree_gives_the_report_and_diagnostics_of_a_load_from_disk(desk: Path) -> None:
    _dirty(desk)
    history = read_history(desk, use_cache=False, keep_files=True)
    through_walk, from_disk = load_repo(desk, landed=history.files), load_repo(desk)
    assert through_walk == from_disk
    assert check_loaded(through_walk, load_config(desk)) == check_loaded(from_disk, load_config(desk))
    codes = {(d.file, d.code) for d in from_disk.diagnostics}
    assert (f"{FOLDER}/INC-0003.md", "GD010") in codes and (f"{FOLDER}/INC-0005.md", "GD101") in codes
    assert any(file == "tickets/decisions/INC-0004.md" for file, _ in codes)  # checked against the decision schema
    assert (f"{FOLDER}/INC-0004-copy.md", "GD207") in codes  # the copy is checked at its own path

    text = _cold_cli(desk)
    assert text == _from_disk(desk)
    assert "Night shift" in text, "the edited file, not its landed blob, gives breach_reason"
    assert "INC-0004-copy.md" in text and "INC-0009" not in text


def test_through_the_load_cache_a_second_cold_history_gives_the_same(desk: Path) -> None:
    """The load cache keeps what the walk's parse gave; a later run reading it reports the same."""
    _dirty(desk)
    first = _cold_cli(desk)
    shutil.rmtree(desk / ".git" / "gitdesk")  # history cold again, files from the load cache
    (desk / ".gitdesk-cache" / "sla.cache").unlink()
    code, again = gitdesk(desk, "sla", "--format", "json", "--now", NOW)
    assert code == 0 and again == first == _from_disk(desk)
