"""Loader refusals that cannot live in a committed folder, and parser guarantees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.foundation.helpers import CASES, validate_json
from gitdesk.load import schema
from gitdesk.load.files import MAX_FILE_BYTES, kind_for_path, load_bytes, parse_document
from gitdesk.model import Kind


def test_symlinked_file_and_folder_are_refused_others_still_checked(case_repo, tmp_path: Path) -> None:
    repo = case_repo("valid_every_kind")
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: outside\n---\n")
    (repo / "runbooks" / "evil.md").symlink_to(secret)
    (repo / "tickets" / "incidents" / "linked").symlink_to(tmp_path)
    code, report = validate_json(repo)
    assert code == 1
    refused = {(e["file"], e["code"]) for e in report["errors"]}
    assert refused == {("runbooks/evil.md", "GD005"), ("tickets/incidents/linked", "GD005")}


def test_oversized_file_is_refused_without_reading_it_all(case_repo) -> None:
    repo = case_repo("valid_every_kind")
    big = repo / "runbooks" / "huge.md"
    big.write_bytes(b"---\ntitle: big\n---\n" + b"x" * MAX_FILE_BYTES)
    code, report = validate_json(repo)
    assert code == 1
    [error] = report["errors"]
    assert error["file"] == "runbooks/huge.md" and error["code"] == "GD001" and "limit is 1,048,576" in error["message"]


def test_billion_laughs_is_refused_fast() -> None:
    lol = "---\ntitle: x\na: &a [\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n---\n"
    ticket, diagnostics = load_bytes(lol.encode(), "runbooks/lol.md")
    assert ticket is None and diagnostics[0].code == "GD011"


def test_quoted_and_unquoted_timestamps_are_the_same_value() -> None:
    a = parse_document(b"---\nreported_at: 2026-03-02T09:30:00+01:00\n---\n", "x.md")
    b = parse_document(b"---\nreported_at: \"2026-03-02T09:30:00+01:00\"\n---\n", "x.md")
    assert a.fields == b.fields == {"reported_at": "2026-03-02T09:30:00+01:00"}


def test_crlf_and_bom_keep_line_numbers() -> None:
    doc = parse_document(b"\xef\xbb\xbf---\r\nid: INC-0001\r\ntitle: x\r\n---\r\nbody\r\n", "t.md")
    assert doc.positions["title"].line == 3 and doc.body == "body\n" and doc.body_line == 5


def test_kind_comes_from_the_folder() -> None:
    assert kind_for_path("tickets/incidents/2026/INC-0001.md") is Kind.INCIDENT
    assert kind_for_path("tickets/decisions/DEC-0001.md") is Kind.DECISION
    assert kind_for_path("backlog/EVO-0001.yaml") is Kind.BACKLOG
    assert kind_for_path("runbooks/restore.md") is Kind.RUNBOOK
    assert kind_for_path("runbooks/sub/restore.md") is None
    assert kind_for_path("tickets/incidents/README.md") is None
    assert kind_for_path("tickets/incidents/2026/notes.txt") is None


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_fast_and_full_schema_validators_agree(case: str) -> None:
    """The compiled fast path may only skip jsonschema when jsonschema would also pass."""
    for path in (CASES / case).rglob("*"):
        rel = path.relative_to(CASES / case).as_posix()
        kind = kind_for_path(rel)
        if kind is None or not path.is_file():
            continue
        try:
            doc = parse_document(path.read_bytes(), rel)
        except Exception:
            continue
        full = list(schema._validator(kind.value).iter_errors(doc.fields))
        fast_ok = True
        try:
            schema._fast(kind.value)(doc.fields)
        except Exception:
            fast_ok = False
        assert fast_ok == (not full), rel


def test_shipped_schemas_are_valid_2020_12() -> None:
    from jsonschema import Draft202012Validator

    for name in schema.SCHEMA_NAMES:
        data = json.loads(schema.schema_text(name))
        Draft202012Validator.check_schema(data)
        assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_parallel_load_gives_the_serial_answer(case_repo, monkeypatch) -> None:
    """Big trees are loaded by a process pool; the report must not change (order included)."""
    import gitdesk.load.files as load

    repo = case_repo("schema_errors")
    _, serial = validate_json(repo)
    monkeypatch.setattr(load, "PARALLEL_THRESHOLD", 1)
    _, parallel = validate_json(repo)
    assert parallel == serial and serial["errors"]


def test_formats_doc_is_rendered_from_the_schemas() -> None:
    """docs/formats.md must not drift from the schema files it documents."""
    doc = Path(__file__).parents[2] / "docs" / "formats.md"
    assert doc.read_text("utf-8") == schema.reference_markdown()
