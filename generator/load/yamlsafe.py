"""A YAML reader for untrusted files: fast, position-aware, and strict.

It composes nodes with PyYAML's C parser where available, then builds plain
Python values itself so that every mapping key keeps its source position.
It refuses anchors and aliases (billion-laughs and merge-key surprises), deep
nesting and control characters (C0 and C1 but tab and newline: they break
page headers, feeds and calendars downstream), and leaves timestamps as
strings: ``2026-03-01T10:00:00+01:00`` quoted or not is the same value, and
a missing offset is caught by the schema rather than silently read as local
time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C loader is ~10x faster; fall back quietly where libyaml is absent
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the platform build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_DEPTH = 50
#: C0 controls, DEL and C1 controls, except tab and newline: never meant as text, and what breaks output formats.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The same in raw YAML text, where a carriage return is a line break.
_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class _Loader(_BaseLoader):
    """SafeLoader without the implicit timestamp type."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.copy().items()
}


class YamlError(Exception):
    """A YAML problem at a 0-based line/column of the parsed text."""

    def __init__(self, message: str, line: int = 0, column: int = 0, code: str = "GD010") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code


@dataclass
class Loaded:
    """A parsed document: its value and the 0-based position of each top-level key."""

    value: Any
    key_positions: dict[str, tuple[int, int]]


def control_message(char: str, where: str) -> str:
    """The diagnostic for a control character in ``where`` (a quoted field path, or "this line"), with the fix."""
    return (f"{where} contains the control character U+{ord(char):04X}; remove it "
            "(control characters are invisible and break pages, feeds and calendars)")


def find_control(text: str, pattern: re.Pattern[str] = _RAW_CONTROL) -> tuple[str, int, int] | None:
    """The first control character in ``text`` and its 0-based line and column, or None."""
    match = pattern.search(text)
    if match is None:
        return None
    start = match.start()
    line_start = text.rfind("\n", 0, start) + 1
    return match.group(), text.count("\n", 0, start), start - line_start


def load(text: str) -> Loaded:
    """Parse one YAML document from ``text``; raise :class:`YamlError` on anything unsafe.

    Control characters, written raw or as escapes in quoted scalars, are refused
    (code GD015) at the line where they are written.
    """
    raw = find_control(text)
    if raw is not None:
        char, line, column = raw
        raise YamlError(control_message(char, "this line"), line, column, code="GD015")
    if "&" in text or "*" in text:
        _refuse_anchors(text)
    return _by_lines(text) or _compose(text)


#: a line that is a whole ``key: value`` entry on its own -> (key as built, key as written, value, whether the value
#: is a list or mapping: copied for each document); see :func:`_by_lines`
_ENTRIES: dict[str, tuple[Any, str, Any, bool]] = {}
_MAX_ENTRIES = 1 << 16
#: what makes a line's meaning or line count depend on where it is: other line breaks, a byte order mark
_NOT_ALONE = re.compile("[\r\x85\u2028\u2029\ufeff]")


def _by_lines(text: str) -> Loaded | None:
    """``text`` as a mapping of one-line entries, each line parsed once per process; None when it is not one.

    A history walk parses every version of every ticket, and versions repeat
    most of their lines. When every line (no blank or comment line) is, on its
    own, a mapping of one key written at its first column, the document is
    exactly those entries in that order: nothing on a line at column 0 can
    continue a value closed on the line before (a continuation must be
    indented, and an unclosed quote or bracket does not parse alone). A
    duplicate key, or any other line, takes the full parse, which says why.
    """
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    value: dict[Any, Any] = {}
    positions: dict[str, tuple[int, int]] = {}
    for index, line in enumerate(lines):
        entry = _ENTRIES.get(line)
        if entry is None:
            entry = _entry(line)
            if entry is None:
                return None
        key, written, item, mutable = entry
        if key in value:
            return None
        value[key] = _copy(item) if mutable else item
        positions.setdefault(written, (index, 0))
    return Loaded(value, positions) if value else None


def _entry(line: str) -> tuple[Any, str, Any, bool] | None:
    if not line or line[0] in " \t#-?:%@`!&*|>{[" or _NOT_ALONE.search(line):
        return None  # quick refusals of what cannot be a key at column 0 (the parse below decides the rest)
    try:
        loaded = _compose(line + "\n")
    except YamlError:
        return None
    if not isinstance(loaded.value, dict) or len(loaded.value) != 1 or list(loaded.key_positions.values()) != [(0, 0)]:
        return None
    (key, item), = loaded.value.items()
    if len(_ENTRIES) >= _MAX_ENTRIES:
        _ENTRIES.clear()
    entry = _ENTRIES[line] = (key, next(iter(loaded.key_positions)), _copy(item), isinstance(item, (list, dict)))
    return entry


def _copy(value: Any) -> Any:
    """A value of its own: entries are shared by every document that has their line."""
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    return value


def _compose(text: str) -> Loaded:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", *(_mark(mark))) from None
    except yaml.YAMLError as exc:  # e.g. more than one document
        raise YamlError(f"invalid YAML: {exc}") from None
    if node is None:
        return Loaded(None, {})
    constructor = _Builder()
    value = constructor.build(node, 0)
    positions: dict[str, tuple[int, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                positions.setdefault(str(key_node.value), (key_node.start_mark.line, key_node.start_mark.column))
    return Loaded(value, positions)


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line, mark.column) if mark is not None else (0, 0)


def _refuse_anchors(text: str) -> None:
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                raise YamlError(
                    "YAML aliases are not allowed; write the value out in full",
                    *_mark(event.start_mark), code="GD011",
                )
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                raise YamlError(
                    f"YAML anchors are not allowed (&{anchor}); write the value out in full",
                    *_mark(event.start_mark), code="GD011",
                )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", *_mark(mark)) from None


class _Builder:
    """Builds plain values from nodes; the constructor's scalar rules, our structure rules."""

    def __init__(self) -> None:
        self._seen: set[int] = set()
        #: keys and indexes from the root to the node being built: named in a control-character error
        self._path: list[str | int] = []

    def build(self, node: yaml.Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", *_mark(node.start_mark), code="GD012")
        if id(node) in self._seen:  # an alias slipped through: same node twice
            raise YamlError("YAML aliases are not allowed", *_mark(node.start_mark), code="GD011")
        self._seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, child in enumerate(node.value):
                self._path.append(index)
                items.append(self.build(child, depth + 1))
                self._path.pop()
            return items
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlError("YAML merge keys (<<) are not allowed", *_mark(key_node.start_mark), code="GD011")
                key = self.build(key_node, depth + 1)
                if isinstance(key, (list, dict)):
                    raise YamlError("mapping keys must be plain values", *_mark(key_node.start_mark))
                if key in result:
                    raise YamlError(f"duplicate key {key!r}", *_mark(key_node.start_mark), code="GD013")
                self._path.append(str(key))
                result[key] = self.build(value_node, depth + 1)
                self._path.pop()
            return result
        raise YamlError("unsupported YAML node", *_mark(node.start_mark))  # pragma: no cover

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == "tag:yaml.org,2002:str":
            control = CONTROL.search(node.value)
            if control is not None:
                where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self._path).lstrip(".")
                message = control_message(control.group(), f"'{where}'" if where else "the value")
                raise YamlError(message, *_mark(node.start_mark), code="GD015")
            return node.value
        convert = _SCALARS.get(tag)
        if convert is not None:
            return convert(node)
        if tag == "tag:yaml.org,2002:timestamp":  # explicit !!timestamp: keep the text
            return node.value
        raise YamlError(f"unsupported YAML tag {tag}", *_mark(node.start_mark), code="GD014")


# The composer already resolved each plain scalar's tag; only the conversion is left.
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALARS = {
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
}
