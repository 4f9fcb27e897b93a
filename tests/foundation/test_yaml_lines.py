"""The line-by-line YAML parse (each distinct ``key: value`` line parsed once) answers only with the full parse's answer.

A history walk parses every version of every ticket, and versions repeat
most of their lines: :func:`gitdesk.load.yamlsafe.load` takes a document
made only of one-line entries from the lines it has seen. These tests hold
it to the full parse (``_compose``) on tricky lines, where a line's meaning
could depend on its neighbours (multi-line quotes and flow lists, block
scalars, indentation, other line breaks, duplicate keys).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gitdesk.load import yamlsafe
from gitdesk.load.files import parse_document

TRICKY = [
    "a: |", "a: >-", "a: |1", "b: 1", "  c", "c", "- 1", "a:", "a: [1,", "2]", "a: \"x", "b: y\"", "a: 'it''s'", "a: b # c",
    "a: b#c", "a: b:c", "a: b: c", "on: 1", "1: 2", "\"1\": 3", "true: x", "a: !!str 1", "a: !!binary aGk=", "a: {b: 1}",
    "a: [b, {c: d}]", "? a", ": b", "--- a: b", "...", "# comment", "", " ", "\t", "a:\tb", "a: \"x\\", "y\"", "a: 'x",
    "a: b\u2028c: d", "\ufeffa: 1", "a: b\rc: d", "a: 1e3", "a: .nan", "a: 0x1F", "a: 2026-03-02T10:00:00+01:00", "{a: b}: c",
    "a: &x 1", "b: *x", "a: %x", "a: @x", "a: `x`", "%YAML 1.1", "a b: c", "a: b  ", "a: ' x '", "a: \"\\u00e9\"",
]

_KEYS = st.one_of(st.sampled_from(["a", "on", "1", "\"a\"", "a b", "true"]), st.integers(0, 999).map(lambda n: f"k{n}"),
                  st.integers(0, 999).map(lambda n: f"k{n}"))
_scalar = st.text(alphabet=st.sampled_from(list("ab :#-'\"[]{},|>!&*?\t.1\\")), max_size=8)
_word = st.text(alphabet=st.sampled_from(list("aaaabbbb1111    ..--'\"[],#:")), max_size=6)  # mostly plain
_FORMS = st.sampled_from(["{k}: {v}", "{k}: [{v}]", "{k}: \"{v}\"", "{k}: '{v}'", "{k}:{v}"])


def _entry(key: str) -> st.SearchStrategy[str]:
    return st.builds(lambda form, value: form.format(k=key, v=value), _FORMS, _word)


#: one entry per key (a key written twice only takes the full parse), mostly lines that parse on their own
_entries = st.lists(_KEYS, min_size=2, max_size=8, unique=True).flatmap(lambda keys: st.tuples(*map(_entry, keys))).map(list)
_line = st.one_of(st.sampled_from(TRICKY), st.builds(lambda k, v: f"{k}:{v}", _KEYS, _scalar), _KEYS.flatmap(_entry))


def _full(text: str) -> tuple[str, Any]:
    try:
        loaded = yamlsafe._compose(text)
    except yamlsafe.YamlError as exc:
        return "error", exc.code
    return repr(loaded.value), loaded.key_positions  # repr: 1, True and 1.0 are equal but not the same value


@settings(max_examples=2000, deadline=None)
@given(st.lists(_line, min_size=1, max_size=6), st.booleans())
def test_lines_answer_only_as_the_full_parse_does(lines: list[str], final_newline: bool) -> None:
    text = "\n".join(lines) + ("\n" if final_newline else "")
    fast = yamlsafe._by_lines(text)
    if fast is not None:
        assert (repr(fast.value), fast.key_positions) == _full(text), text


@settings(max_examples=2000, deadline=None)
@given(_entries, st.sampled_from(TRICKY), st.integers(0, 8))
def test_entries_with_one_tricky_line_anywhere(lines: list[str], tricky: str, where: int) -> None:
    lines.insert(min(where, len(lines)), tricky)
    text = "\n".join(lines) + "\n"
    fast = yamlsafe._by_lines(text)
    if fast is not None:
        assert (repr(fast.value), fast.key_positions) == _full(text), text


def test_every_pair_of_tricky_lines() -> None:
    answered = 0
    for first in TRICKY:
        for second in TRICKY:
            for text in (f"{first}\n{second}\n", f"k: v\n{first}\n{second}", f"{first}\nk: [v]\n{second}\n"):
                fast = yamlsafe._by_lines(text)
                if fast is not None:
                    answered += 1
                    assert (repr(fast.value), fast.key_positions) == _full(text), text
    assert answered > 500  # not vacuous: many of these are documents of one-line entries


def test_tickets_take_the_line_path_and_each_gets_values_of_its_own() -> None:
    first = parse_document(b"---\nid: INC-0001\nstatus: reported\ncomponents: [accounting]\n---\nBody\n", "tickets/incidents/INC-0001.md")
    assert yamlsafe._by_lines("id: INC-0001\nstatus: reported\ncomponents: [accounting]\n") is not None
    first.fields["components"].append("changed")
    second = parse_document(b"---\nid: INC-0002\nstatus: reported\ncomponents: [accounting]\n---\n", "tickets/incidents/INC-0002.md")
    assert second.fields == {"id": "INC-0002", "status": "reported", "components": ["accounting"]}
    assert {k: (p.line, p.column) for k, p in second.positions.items()} == {"id": (2, 1), "status": (3, 1), "components": (4, 1)}


def test_a_duplicate_key_is_reported_where_the_full_parse_reports_it() -> None:
    for _ in range(2):  # the second time every line is known
        try:
            yamlsafe.load("id: A\nstatus: x\nstatus: y\n")
        except yamlsafe.YamlError as exc:
            assert (exc.code, exc.line) == ("GD013", 2)
        else:
            raise AssertionError("a duplicate key must be refused")
