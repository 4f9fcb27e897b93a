"""The span-preserving YAML editor under `status` and `renumber`."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from gitdesk.load import yamlsafe
from gitdesk.workflow.edit import EditError, ReplaceRef, SetField, edit_text, render_scalar, write_atomic

REFS = ("related", "origin", "supersedes", "superseded_by")


def test_crlf_and_bom_survive_and_new_lines_follow_the_file() -> None:
    text = "\ufeff---\r\nid: INC-0001\r\ntitle: Down\r\nstatus: reported\r\n---\r\nBody\r\n"
    out = edit_text(text, [SetField("status", "triaged"), SetField("update", "On it", after="status")], markdown=True)
    assert out == "\ufeff---\r\nid: INC-0001\r\ntitle: Down\r\nstatus: triaged\r\nupdate: On it\r\n---\r\nBody\r\n"


def test_references_are_replaced_in_every_spelling_and_nowhere_else() -> None:
    text = (
        "id: DEC-0009\n"
        "title: About INC-0005   # INC-0005 in a comment stays\n"
        "status: accepted\n"
        "supersedes: DEC-0005\n"
        "superseded_by: 'DEC-0005'\n"
        "related: [INC-0005, \"DEC-0005\", EVO-0005]\n"
        "origin:\n  - DEC-0005  # why\n  - INC-0006\n"
        "description: DEC-0005 in the text stays\n"
    )
    out = edit_text(text, [ReplaceRef("DEC-0005", "DEC-0011", REFS)], markdown=False)
    assert out == (
        "id: DEC-0009\n"
        "title: About INC-0005   # INC-0005 in a comment stays\n"
        "status: accepted\n"
        "supersedes: DEC-0011\n"
        "superseded_by: 'DEC-0011'\n"
        "related: [INC-0005, \"DEC-0011\", EVO-0005]\n"
        "origin:\n  - DEC-0011  # why\n  - INC-0006\n"
        "description: DEC-0005 in the text stays\n"
    )


def test_an_unchanged_value_leaves_the_text_identical() -> None:
    text = "---\nid: INC-0001\nstatus:    reported   # odd spacing\n---\n"
    assert edit_text(text, [SetField("status", "reported")], markdown=True) == text


def test_a_missing_key_is_appended_when_its_neighbour_is_absent() -> None:
    out = edit_text("id: MNT-0001\ntitle: Upgrade", [SetField("status", "completed", after="nope")], markdown=False)
    assert out == "id: MNT-0001\ntitle: Upgrade\nstatus: completed\n"


@pytest.mark.parametrize("text", ["---\nstatus: [a, b]\n---\n", "---\nstatus:\n  nested: x\n---\n"])
def test_a_non_scalar_value_is_refused(text: str) -> None:
    with pytest.raises(EditError, match="not a single value"):
        edit_text(text, [SetField("status", "closed")], markdown=True)


@pytest.mark.parametrize("text", ["no front matter\n", "---\nid: INC-0001\n"])
def test_broken_front_matter_is_refused(text: str) -> None:
    with pytest.raises(EditError):
        edit_text(text, [SetField("status", "closed")], markdown=True)


@pytest.mark.parametrize("value", ["yes", "No", "on", "off", "null", "~", "true", "12", "1.5", "2026-01-01",
                                   "a: b", "#x", "- x", "[x]", "{x}", "it's", 'say "hi"', "&anchor", "*alias", "@x", "%x", "Ünïcødé"])
def test_rendered_scalars_read_back_as_the_same_text(value: str) -> None:
    assert yamlsafe.load(f"k: {render_scalar(value)}\n").value == {"k": value}


def test_write_atomic_keeps_the_mode_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "INC-0001.md"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["INC-0001.md"]
