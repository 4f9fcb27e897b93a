"""Importers: other tools' Git histories replayed as gitdesk desks.

Each source module (:mod:`.cstate`, :mod:`.madr`, :mod:`.backlog_md`) is a pure
converter: one source file's text and path (plus the landing times the replay
knows) in, one :class:`Record` and its :class:`Problem` list out. :mod:`.replay`
walks the source repository and writes the destination with ``git fast-import``.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from gitdesk.load import yamlsafe
from gitdesk.model import Kind

#: source files above this size are reported, never read (the loader refuses them in a desk too)
MAX_SOURCE_BYTES = 512 * 1024


class Source(str, enum.Enum):
    """The tools gitdesk imports from; the value is the CLI name and ``imported.from``."""

    CSTATE = "cstate"
    MADR = "madr"
    BACKLOG_MD = "backlog-md"


@dataclass(frozen=True)
class Problem:
    """Something the import could not convert: where, and why. The import goes on."""

    file: str
    reason: str
    commit: str = ""


@dataclass
class Record:
    """One converted source file: what gitdesk writes for it, minus its id.

    ``key`` identifies the source record across renames (a task id, a file
    stem); the replay maps it to a gitdesk id. ``links`` holds references to
    other records by their source key, resolved once every record of the
    commit is known (``supersedes``/``superseded_by``).
    """

    key: str
    kind: Kind | None  # None: a shared notice page under docs/, not a ticket
    fields: dict[str, Any]
    body: str
    imported: dict[str, Any]
    links: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Converted:
    """The outcome of converting one source file."""

    record: Record | None
    problems: list[str] = field(default_factory=list)


# --- text helpers shared by the converters ----------------------------------

_FENCE = re.compile(r"^(---|\+\+\+)\s*$")


def split_front_matter(text: str) -> tuple[str | None, str, bool]:
    """(front matter text, body, opening fence missing) of a Markdown file.

    A file whose first ``---`` line closes a block of ``key: value`` lines is
    read as front matter with a missing opening fence, as Hugo users write it
    by mistake; the third value says so.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if lines and _FENCE.match(lines[0]):
        for index in range(1, len(lines)):
            if _FENCE.match(lines[index]):
                return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), False
        return None, text, False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            head = [x for x in lines[:index] if x.strip() and not x.lstrip().startswith("#")]
            if index > 0 and head and re.match(r"^[A-Za-z_][\w-]*\s*:", head[0]):
                return "\n".join(lines[:index]), "\n".join(lines[index + 1:]), True
            break
    return None, text, False


def read_front_matter(text: str) -> tuple[dict[str, Any] | None, str, list[str]]:
    """(fields, body, problems) of a source Markdown file; fields is None when it has no front matter.

    Without front matter the body is the whole text.
    """
    front, body, unopened = split_front_matter(text)
    if front is None:
        return None, body, []
    problems = ["front matter has no opening '---'; read up to the first '---'"] if unopened else []
    fields, more = load_fields(front)
    return fields, body, problems + more


#: a plain scalar may not start with these (YAML reserves them); early tools wrote them anyway
_RESERVED_START = re.compile(r"^(\s*(?:-\s+)?[A-Za-z_][\w-]*\s*:\s+|\s*-\s+)([@`%][^\n]*)$")


def load_fields(front: str) -> tuple[dict[str, Any], list[str]]:
    """Front matter as a mapping, tolerating what early tools wrote; and the problems met.

    Unsafe YAML (anchors, aliases, deep nesting) is refused by the project's
    safe loader. Values starting with a reserved character (``assignee: @name``)
    are quoted and read again.
    """
    problems: list[str] = []
    try:
        value = yamlsafe.load(front).value
    except yamlsafe.YamlError as first:
        fixed = "\n".join(_quote_reserved(line) for line in front.split("\n"))
        try:
            value = yamlsafe.load(fixed).value
        except yamlsafe.YamlError:
            return {}, [f"front matter is not YAML (line {first.line + 1}: {first.message}); fields skipped"]
        problems.append(f"front matter is not valid YAML (line {first.line + 1}); read with reserved characters quoted")
    if value is None:
        return {}, problems
    if not isinstance(value, dict):
        return {}, [*problems, "front matter is not a mapping of fields; fields skipped"]
    return {str(k): v for k, v in value.items()}, problems


def _quote_reserved(line: str) -> str:
    match = _RESERVED_START.match(line)
    if not match:
        return line
    return match.group(1) + yaml.safe_dump(match.group(2).strip(), default_style='"', width=10_000).strip()


def render_markdown(fields: dict[str, Any], body: str) -> str:
    """A ticket file: YAML front matter (safe, no aliases, keys in the given order) and the body."""
    front = yaml.dump(fields, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False)
    body = body.strip("\n")
    return f"---\n{front}---\n" + (f"\n{body}\n" if body else "")


try:  # libyaml's emitter is ~10x faster: it matters when thousands of commits are replayed
    from yaml import CSafeDumper as _SafeDumper
except ImportError:  # pragma: no cover - depends on the platform build
    from yaml import SafeDumper as _SafeDumper  # type: ignore[assignment]


class _Dumper(_SafeDumper):
    """Never writes anchors: the desk's loader refuses them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def iso(when: datetime) -> str:
    """An aware time as ISO 8601 with offset, to the second."""
    return when.replace(microsecond=0).isoformat()


def plain(value: Any) -> Any:
    """A YAML-safe copy of a parsed source value (keys as strings, nothing shared)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
