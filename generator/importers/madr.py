"""MADR and adr-tools decision records (``NNNN-title.md`` in an ``adr``/``decisions`` folder) as decisions.

Pure: one record's text in, one :class:`~gitdesk.importers.Record` out. The
status is read from front matter, a ``* Status:`` line or a ``## Status``
section, in that order; "superseded by" and "supersedes" links are returned
by record number and resolved by the replay once every record is known.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from gitdesk.importers import Converted, Record, Source, plain, read_front_matter
from gitdesk.model import Kind

FOLDERS = frozenset({"adr", "adrs", "decisions", "decision-records", "architecture-decisions"})
STATUSES = ("proposed", "accepted", "rejected", "superseded", "deprecated")
#: source words for a status gitdesk names differently
_SYNONYMS = {"draft": "proposed", "open": "proposed", "approved": "accepted", "done": "accepted",
             "declined": "rejected", "obsolete": "deprecated", "replaced": "superseded"}
_HANDLED = {"status", "date", "deciders", "decision-makers", "title"}

_NAME = re.compile(r"^(\d{3,5})-.+\.md$")
_LINE = re.compile(r"^\s*(?:[*+-]\s+)?\**(status|date|deciders|decision-makers|consulted|informed|technical story)\**\s*:\**\s*(.*?)\s*$",
                   re.IGNORECASE)
_SECTION = re.compile(r"^#{2,3}\s+status\s*$", re.IGNORECASE)
_LINK = re.compile(r"(?:\(|\s|^)(?:[\w./-]*/)?(\d{3,5})-[^)\s]*\.md|\bADR[-_ ]?(\d{1,5})\b", re.IGNORECASE)


def is_record(path: str) -> bool:
    """Whether ``path`` (in the source repo) is a numbered decision record."""
    p = PurePosixPath(path)
    return bool(_NAME.match(p.name)) and p.parent.name.lower() in FOLDERS


def number(path: str) -> str:
    """The record's number without leading zeros (``0007-x.md`` -> ``7``): its key across renames."""
    match = _NAME.match(PurePosixPath(path).name)
    return str(int(match.group(1))) if match else PurePosixPath(path).stem


def convert(text: str, path: str) -> Converted:
    """Convert one decision record as it stood in one commit."""
    fields_read, body, problems = read_front_matter(text)
    keys = {k.lower(): (k, v) for k, v in (fields_read or {}).items()}
    lines = _meta_lines(body)
    extra: dict[str, Any] = {k: plain(v) for low, (k, v) in keys.items() if low not in _HANDLED}
    for name in ("consulted", "informed", "technical story"):
        if name in lines and name not in extra:
            extra[name] = lines[name]

    status_text = str(keys["status"][1]) if "status" in keys else lines.get("status") or _section(body)
    declared: dict[str, Any] = {}
    links: dict[str, list[str]] = {"supersedes": [], "superseded_by": []}
    status = "accepted"
    if status_text:
        declared["status"] = status_text
        status = _status(status_text, problems)
        if status == "superseded":
            links["superseded_by"] = _links(status_text)
    else:
        problems.append("no status (front matter, '* Status:' line or '## Status' section); 'accepted' is assumed")
    for line in _section(body, whole=True).split("\n"):
        if re.match(r"^\s*(?:[*+-]\s+)?supersedes\b", line, re.IGNORECASE):
            links["supersedes"] += _links(line)
        elif re.match(r"^\s*(?:[*+-]\s+)?superseded by\b", line, re.IGNORECASE):
            links["superseded_by"] += _links(line)
            status = "superseded"
    if status == "superseded" and not links["superseded_by"]:
        problems.append("superseded, but no successor is named; recorded as 'deprecated'")
        status = "deprecated"

    title = _title(body) or str(keys.get("title", ("", ""))[1] or "").strip() or PurePosixPath(path).stem
    fields: dict[str, Any] = {"title": title, "status": status}
    when = keys["date"][1] if "date" in keys else lines.get("date")
    if when:
        parsed = parse_day(str(when))
        if parsed:
            fields["date"] = parsed.isoformat()
            declared["date"] = str(when)
        else:
            problems.append(f"date {str(when)!r} is not a date; kept in imported.extra")
            extra["date"] = str(when)
    deciders = keys.get("deciders", keys.get("decision-makers", ("", None)))[1] or lines.get("deciders") or lines.get("decision-makers")
    names = _names(deciders)
    if names:
        fields["deciders"] = names
    imported: dict[str, Any] = {"from": Source.MADR.value, "source_path": path, "declared": declared}
    if extra:
        imported["extra"] = extra
    return Converted(Record(number(path), Kind.DECISION, fields, _strip_title(body, title), imported,
                            {k: list(dict.fromkeys(v)) for k, v in links.items() if v}), problems)


def parse_day(text: str) -> date | None:
    """A record's date: ``YYYY-MM-DD`` (time ignored) or adr-tools' ``DD/MM/YYYY``; None if neither."""
    text = text.strip()
    try:
        match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})\b", text)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None
    return None


def _meta_lines(body: str) -> dict[str, str]:
    """``* Status: …``-style lines before the first section, by lower-case name."""
    out: dict[str, str] = {}
    for line in body.split("\n"):
        if line.startswith("## "):
            break
        match = _LINE.match(line)
        if match and match.group(2):
            out.setdefault(match.group(1).lower(), match.group(2))
    return out


def _section(body: str, *, whole: bool = False) -> str:
    """The ``## Status`` section: its first non-empty line, or all of it with ``whole``."""
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if _SECTION.match(line):
            content: list[str] = []
            for rest in lines[index + 1:]:
                if rest.startswith("#"):
                    break
                content.append(rest)
            if whole:
                return "\n".join(content)
            return next((c.strip() for c in content if c.strip()), "")
    return ""


def _status(text: str, problems: list[str]) -> str:
    word = re.sub(r"[^a-z ]", " ", text.lower()).split()
    first = word[0] if word else ""
    if first in STATUSES:
        return first
    if first in _SYNONYMS:
        return _SYNONYMS[first]
    problems.append(f"status {text!r} has no gitdesk equivalent; 'proposed' is used and the original kept")
    return "proposed"


def _links(text: str) -> list[str]:
    return [str(int(a or b)) for a, b in _LINK.findall(text)]


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, str):
        return [n.strip() for n in re.split(r",|\band\b", value) if n.strip()]
    return []


def _title(body: str) -> str:
    for line in body.split("\n"):
        if line.startswith("# "):
            return re.sub(r"^\d+\.\s+", "", line[2:].strip())
    return ""


def _strip_title(body: str, title: str) -> str:
    lines = body.strip("\n").split("\n")
    if lines and lines[0].startswith("# ") and re.sub(r"^\d+\.\s+", "", lines[0][2:].strip()) == title:
        lines = lines[1:]
    return "\n".join(lines)
