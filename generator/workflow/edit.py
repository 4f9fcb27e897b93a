"""Edit ticket files in place: change a few YAML values, keep every other byte.

Engineers review these edits in pull requests, so a status change must show
as a one-line diff. A full load-and-dump, even with a round-trip library,
re-indents sequences, normalises spacing after colons and re-wraps lines the
engineer never touched. So ruamel.yaml's round-trip composer locates the exact
source span of each value (quotes included), ruamel's emitter renders the new
value (choosing quotes when the text needs them), and only those spans are
replaced. Comments, key order, quoting, blank lines and the Markdown body stay
byte-for-byte. Every edit is checked by parsing the result again and comparing
it with the intended data before anything is written.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from gitdesk.load import yamlsafe
from gitdesk.errors import GitdeskError

_BOM = "\ufeff"


class EditError(GitdeskError):
    """A file that cannot be edited safely; nothing was written."""


@dataclass(frozen=True)
class SetField:
    """Set top-level ``key`` to the one-line string ``value``.

    An absent key is inserted right after ``after`` when that key exists (so
    ``update`` lands next to ``status``), else at the end of the fields.
    """

    key: str
    value: str
    after: str | None = None


@dataclass(frozen=True)
class ReplaceRef:
    """Replace the string ``old`` by ``new`` wherever it is the value (or a list item) of one of ``keys``."""

    old: str
    new: str
    keys: tuple[str, ...]


Edit = SetField | ReplaceRef


@dataclass(frozen=True)
class _Splice:
    start: int
    end: int
    text: str


def edit_text(text: str, edits: Iterable[Edit], *, markdown: bool, where: str = "file") -> str:
    """Apply ``edits`` to a ticket's text (Markdown with front matter, or YAML); return the new text.

    Raises :class:`EditError` if the fields cannot be parsed or a value is not a single line.
    """
    bom = text.startswith(_BOM)
    body = text[1:] if bom else text
    start, end = _yaml_region(body, markdown, where)
    region = body[start:end]
    new_region = _edit_region(region, list(edits), where)
    return (_BOM if bom else "") + body[:start] + new_region + body[end:]


def render_scalar(value: str, style: str | None = None) -> str:
    """``value`` as a one-line YAML scalar; quoted when plain text would change meaning.

    ``style`` (``'"'`` or ``"'"``) keeps the quoting an engineer chose for the old value.
    """
    if "\n" in value or "\r" in value:
        raise EditError(f"{value!r} spans several lines; give one line")
    if (control := yamlsafe.CONTROL.search(value)) is not None:  # validate would refuse the file we wrote
        raise EditError(yamlsafe.control_message(control.group(), repr(value)))
    # Plain first (the most readable), then single quotes; double quotes last, as
    # only they can escape what YAML would read as a line break (NEL, U+2028).
    # ruamel speaks YAML 1.2, where `yes` and `on` are text; our loader (and many
    # editors) read YAML 1.1, where they are booleans: reading back catches that.
    candidates: list[Any] = [value, SingleQuotedScalarString(value), DoubleQuotedScalarString(value)]
    if style == '"':
        candidates = candidates[2:]
    elif style == "'":
        candidates = candidates[1:]
    for scalar in candidates:
        rendered = _emit(scalar)
        if "\n" not in rendered and _reads_back(rendered, value):
            return rendered
    raise EditError(f"{value!r} cannot be written as one YAML line; remove control characters")


def _emit(scalar: Any) -> str:
    dumper = YAML()
    dumper.width = 1 << 20  # never fold: the value must stay on its line
    out = io.StringIO()
    dumper.dump({"k": scalar}, out)
    return out.getvalue()[3:].rstrip("\n")


def _reads_back(rendered: str, value: str) -> bool:
    try:
        loaded = yamlsafe.load(f"k: {rendered}\n").value
    except yamlsafe.YamlError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == value


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` at once: readers see the old or the new file, never half of one.

    The temporary file lives in the same folder, because ``os.replace`` is only
    atomic within one file system; the file keeps its permission bits.
    """
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


# --- internals -------------------------------------------------------------------


def _yaml_region(text: str, markdown: bool, where: str) -> tuple[int, int]:
    """Character offsets of the YAML fields: the whole text, or the front matter between '---' lines."""
    if not markdown:
        return 0, len(text)
    first_end = text.find("\n")
    if first_end < 0 or text[:first_end].rstrip() != "---":
        raise EditError(f"{where}: no front matter; the file must start with a '---' line")
    pos = first_end + 1
    while pos < len(text):
        line_end = text.find("\n", pos)
        line = text[pos:] if line_end < 0 else text[pos:line_end]
        if line.rstrip() in ("---", "..."):
            return first_end + 1, pos
        if line_end < 0:
            break
        pos = line_end + 1
    raise EditError(f"{where}: front matter is not closed; add a '---' line after the fields")


def _safe_fields(region: str, where: str) -> dict[str, Any]:
    try:
        loaded = yamlsafe.load(region)
    except yamlsafe.YamlError as exc:
        raise EditError(f"{where}: {exc.message}") from None
    if not isinstance(loaded.value, dict):
        raise EditError(f"{where}: the fields must be a mapping")
    return {str(k): v for k, v in loaded.value.items()}


def _compose(region: str, where: str) -> MappingNode:
    try:
        node = YAML().compose(region)
    except YAMLError as exc:
        raise EditError(f"{where}: invalid YAML: {exc}") from None
    if not isinstance(node, MappingNode):
        raise EditError(f"{where}: the fields must be a mapping")
    return node


def _edit_region(region: str, edits: list[Edit], where: str) -> str:
    before = _safe_fields(region, where)
    expected = _expected(before, edits)
    if expected == before:
        return region
    node = _compose(region, where)
    splices: list[_Splice] = []
    appended: list[str] = []
    inserted: dict[str, int] = {}
    newline = "\r\n" if "\r\n" in region else "\n"
    entries = {str(k.value): (k, v) for k, v in node.value if isinstance(k, ScalarNode)}
    for edit in edits:
        if isinstance(edit, SetField):
            if edit.key in entries:
                value = entries[edit.key][1]
                if not isinstance(value, ScalarNode):
                    raise EditError(f"{where}: '{edit.key}' is not a single value; edit it by hand")
                splices.append(_replace_scalar(region, value, edit.value))
            else:
                line = f"{edit.key}: {render_scalar(edit.value)}{newline}"
                if edit.after in inserted:  # after a key this same call inserts: extend that insertion
                    index = inserted[edit.after]
                    previous = splices[index]
                    splices[index] = _Splice(previous.start, previous.end, previous.text + line)
                    inserted[edit.key] = index
                elif edit.after is not None and edit.after in entries:
                    key_node, value = entries[edit.after]
                    at = _after_entry(region, value)
                    inserted[edit.key] = len(splices)
                    splices.append(_Splice(at, at, " " * key_node.start_mark.column + line))
                else:
                    appended.append(line)
        else:
            for key in edit.keys:
                if key in entries:
                    splices.extend(_replace_refs(region, entries[key][1], edit.old, edit.new))
    result = region
    for splice in sorted(splices, key=lambda s: s.start, reverse=True):
        result = result[: splice.start] + splice.text + result[splice.end :]
    if appended:
        if result and not result.endswith("\n"):
            result += newline
        result += "".join(appended)
    if _safe_fields(result, where) != expected:  # the library surprised us: write nothing
        raise EditError(f"{where}: could not edit the fields without changing others; edit the file by hand")
    return result


def _expected(fields: dict[str, Any], edits: list[Edit]) -> dict[str, Any]:
    """The data the edits must produce (insertion order is irrelevant to the comparison)."""
    out = dict(fields)
    for edit in edits:
        if isinstance(edit, SetField):
            out[edit.key] = edit.value
        else:
            for key in edit.keys:
                value = out.get(key)
                if value == edit.old:
                    out[key] = edit.new
                elif isinstance(value, list):
                    out[key] = [edit.new if item == edit.old else item for item in value]
    return out


def _replace_scalar(region: str, node: ScalarNode, value: str) -> _Splice:
    start, end = node.start_mark.index, node.end_mark.index
    style = node.style if node.style in ('"', "'") else None
    text = render_scalar(value, style)
    if node.style in ("|", ">"):  # a block scalar's span ends after its last line break
        text += "\r\n" if region[start:end].endswith("\r\n") else "\n"
    return _Splice(start, end, text)


def _after_entry(region: str, value: Node) -> int:
    """Offset of the line after a top-level entry (past a trailing comment)."""
    end: int = value.end_mark.index
    if end > 0 and region[end - 1] == "\n":
        return end
    line_end = region.find("\n", end)
    return len(region) if line_end < 0 else line_end + 1


def _replace_refs(region: str, node: Node, old: str, new: str) -> list[_Splice]:
    items: list[Node] = list(node.value) if isinstance(node, SequenceNode) else [node]
    return [
        _replace_scalar(region, item, new)
        for item in items
        if isinstance(item, ScalarNode) and item.value == old
    ]
