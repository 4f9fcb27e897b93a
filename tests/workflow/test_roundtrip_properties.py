"""Property tests: `status` and `new` write any one-line text so that it reads back exactly,
and every other byte of the file (comments, spacing, order) stays as it was."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitdesk.load import yamlsafe
from gitdesk.model import Kind
from gitdesk.workflow import scaffold
from gitdesk.workflow.edit import EditError, SetField, edit_text, render_scalar

#: a value with a line break cannot stay on its line, and is refused (NEL and U+2028 are escaped instead)
LINE_BREAKS = frozenset("\n\r")
# Any Unicode text but lone surrogates, which no UTF-8 file can hold.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
ONE_LINE = TEXT.filter(lambda t: not LINE_BREAKS & set(t))


def refused(text: str) -> bool:
    """A line break cannot stay on its line; a control character would make the file fail validation (GD015)."""
    return bool(LINE_BREAKS & set(text)) or yamlsafe.CONTROL.search(text) is not None


def _fields(text: str) -> dict[str, Any]:
    front = text.split("---\n")[1]
    loaded = yamlsafe.load(front).value
    assert isinstance(loaded, dict)
    return loaded


def _other_lines(text: str, *keys: str) -> list[str]:
    # split on "\n" only: str.splitlines would also split inside a value on \x1c or \u2028
    return [line for line in text.split("\n") if not line.startswith(tuple(f"{k}:" for k in keys))]


def _ticket(old_update: str | None, style: str | None) -> str:
    lines = [
        "---",
        "# Reported by phone; see the call log.",
        "id: INC-0042",
        'title: "Export: accounting module v3.2 fails"   # client wording',
        "severity:   P1",
        "status: investigating  # since the 2nd call",
    ]
    if old_update is not None:
        lines.append(f"update: {render_scalar(old_update, style)}   # public line")
    lines += ["components:", "- accounting", "internal:", "    notes: |", "        ask Marta about the filter", "---", "",
              "## Summary", "", "Exports fail --- and: this body is not YAML   "]
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(update=TEXT, old=st.none() | ONE_LINE.filter(lambda t: not refused(t)), style=st.sampled_from([None, '"', "'"]))
def test_status_writes_any_update_and_keeps_every_other_line(update: str, old: str | None, style: str | None) -> None:
    text = _ticket(old, style)
    edits = [SetField("status", "identified", after="title"), SetField("update", update, after="status")]
    if refused(update):
        with pytest.raises(EditError):
            edit_text(text, edits, markdown=True)
        return
    new = edit_text(text, edits, markdown=True)
    fields = _fields(new)
    assert fields["status"] == "identified" and fields["update"] == update
    assert {k: v for k, v in fields.items() if k not in ("status", "update")} == \
        {k: v for k, v in _fields(text).items() if k not in ("status", "update")}
    assert _other_lines(new, "status", "update") == _other_lines(text, "status", "update")
    assert "status: identified  # since the 2nd call" in new.split("\n")
    update_line = next(line for line in new.split("\n") if line.startswith("update:"))
    if old is not None:  # the value is replaced in place: its comment stays
        assert update_line.endswith("   # public line")
    else:  # a new line right after status
        lines = new.split("\n")
        assert lines[lines.index(update_line) - 1].startswith("status:")


def _incident(title: str) -> str:
    values = {"id": "INC-0001", "title": title, "severity": "P1", "components": ["accounting"], "client": None,
              "category": None, "now": "2026-03-02T09:00+01:00", "today": "2026-03-02", "notice": "48h",
              "starts_at": None, "ends_at": None}
    return scaffold.render_ticket(Kind.INCIDENT, values)


@settings(max_examples=150, deadline=None)
@given(title=TEXT)
def test_new_writes_any_title_into_the_template_without_touching_its_layout(title: str) -> None:
    if refused(title):
        with pytest.raises(EditError):
            _incident(title)
        return
    text = _incident(title)
    assert _fields(text)["title"] == title
    assert set(_fields(text)) == set(_fields(_incident("Plain title")))  # a title never adds a field
    assert _other_lines(text, "title") == _other_lines(_incident("Plain title"), "title")


@settings(max_examples=150, deadline=None)
@given(title=ONE_LINE.filter(lambda t: not refused(t)))
def test_default_mkdocs_takes_any_title_as_its_site_name_only(title: str) -> None:
    config = yamlsafe.load(scaffold.default_mkdocs(title)).value
    plain = yamlsafe.load(scaffold.default_mkdocs("Acme")).value
    assert isinstance(config, dict) and isinstance(plain, dict)
    assert config["site_name"] == title
    assert {k: v for k, v in config.items() if k != "site_name"} == {k: v for k, v in plain.items() if k != "site_name"}
