"""MADR and adr-tools records become decisions: every status form, their dates, and consistent supersede links."""

from __future__ import annotations

from pathlib import Path

from tests.importers.conftest import Commit, build_source, import_into, ticket, validate

FRONT = "---\nstatus: accepted\ndate: 2024-02-01\ndeciders: [Ana, Bo]\nconsulted: [Cy]\ninformed: [Team]\n---\n# Use Postgres\n\nBecause.\n"
LINE = "# Use REST\n\n* Status: rejected\n* Deciders: Ana, Bo\n* Date: 2024-03-01\n\n## Context\n\nWhy.\n"
SECTION = "# 3. Record decisions\n\nDate: 15/04/2024\n\n## Status\n\nProposed\n\n## Context\n\nText.\n"
NONE = "# Keep it simple\n\n## Context\n\nNo status anywhere.\n"


def _records(tmp_path: Path, files: dict[str, str | None]) -> Path:
    return build_source(tmp_path / "src", [Commit("2024-05-01T10:00:00+02:00", files, "records")])


def test_status_is_read_from_front_matter_a_status_line_or_a_status_section(tmp_path: Path, dest: Path) -> None:
    src = _records(tmp_path, {"docs/decisions/0001-use-postgres.md": FRONT, "docs/decisions/0002-use-rest.md": LINE,
                              "doc/adr/0003-record-decisions.md": SECTION, "docs/decisions/0004-keep-it-simple.md": NONE,
                              "docs/decisions/adr-template.md": "# {title}\n"})
    result = import_into("madr", src, dest)
    assert result.code == 0, result.err
    one, _ = ticket(dest, "tickets/decisions/DEC-0001.md")
    two, _ = ticket(dest, "tickets/decisions/DEC-0002.md")
    three, body = ticket(dest, "tickets/decisions/DEC-0003.md")
    four, _ = ticket(dest, "tickets/decisions/DEC-0004.md")
    assert (one["status"], two["status"], three["status"], four["status"]) == ("accepted", "rejected", "proposed", "accepted")
    assert (one["date"], two["date"], three["date"]) == ("2024-02-01", "2024-03-01", "2024-04-15")  # DD/MM/YYYY read
    assert one["deciders"] == ["Ana", "Bo"] and two["deciders"] == ["Ana", "Bo"]
    assert three["title"] == "Record decisions" and "# 3." not in body
    assert one["imported"]["extra"] == {"consulted": ["Cy"], "informed": ["Team"]}
    assert any("0004-keep-it-simple.md@" in p and "no status" in p for p in result.problems)
    assert not (dest / "tickets/decisions/DEC-0005.md").exists()  # the template is not a record
    assert validate(dest)[0] == 0


def test_superseded_by_links_become_ids_with_both_ends_consistent(tmp_path: Path, dest: Path) -> None:
    old = "# 1. Use XML\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\nSuperseded by [2. Use JSON](0002-use-json.md)\n"
    new = "# 2. Use JSON\n\nDate: 2024-02-01\n\n## Status\n\nAccepted\n"
    dangling = "---\nstatus: superseded by ADR-0099\n---\n# Use YAML\n"
    src = _records(tmp_path, {"doc/adr/0001-use-xml.md": old, "doc/adr/0002-use-json.md": new,
                              "doc/adr/0003-use-yaml.md": dangling})
    result = import_into("madr", src, dest)
    assert result.code == 0
    one, _ = ticket(dest, "tickets/decisions/DEC-0001.md")
    two, _ = ticket(dest, "tickets/decisions/DEC-0002.md")
    three, _ = ticket(dest, "tickets/decisions/DEC-0003.md")
    assert (one["status"], one["superseded_by"]) == ("superseded", "DEC-0002")
    assert two["supersedes"] == ["DEC-0001"] and two["status"] == "accepted"
    assert three["status"] == "deprecated" and three["imported"]["declared"]["status"] == "superseded by ADR-0099"
    assert any("0003-use-yaml.md@" in p and "successor" in p for p in result.problems)
    assert validate(dest)[0] == 0


def test_every_revision_of_a_record_is_a_commit_of_its_decision(tmp_path: Path, dest: Path) -> None:
    from tests.importers.conftest import git

    src = build_source(tmp_path / "src", [
        Commit(f"2024-05-0{day}T10:00:00+02:00", {"docs/decisions/0001-use-postgres.md": FRONT + f"\nRevision {day}.\n"},
               f"revise {day}") for day in range(1, 6)
    ])
    assert import_into("madr", src, dest).code == 0
    log = git(dest, "log", "--format=%s", "--", "tickets/decisions/DEC-0001.md").splitlines()
    assert log == [f"revise {day}" for day in range(5, 0, -1)]
