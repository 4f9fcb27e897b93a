"""cState status posts (``content/issues/*.md``) as incidents, maintenance windows and notices.

Pure: one post's text in, one :class:`~gitdesk.importers.Record` out. The replay
passes the landing times it knows, because the kind depends on them: a post
dated after it first landed was announced ahead, which is how cState schedules
maintenance.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from pathlib import PurePosixPath
from typing import Any, Mapping

from gitdesk.importers import Converted, Record, Source, iso, plain, read_front_matter
from gitdesk.model import Kind

#: cState severity -> (gitdesk severity, impact); override with ``--severity down=P1``
SEVERITIES: Mapping[str, tuple[str, str]] = {
    "down": ("P0", "outage"),
    "disrupted": ("P1", "degraded"),
    "notice": ("P3", "none"),
}
#: a window announced without an end gets this length (and a problem saying so)
DEFAULT_WINDOW = timedelta(hours=1)

_HANDLED = {"title", "date", "resolved", "resolvedwhen", "severity", "affected", "informational"}
_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_TRACK = re.compile(r"\{\{[<%]\s*track\s+\"([^\"]*)\"\s*[%>]\}\}")
_SHORTCODE = re.compile(r"\{\{[<%]\s*/?\s*([\w-]*)[^}]*?[%>]\}\}")
_STEP = re.compile(r"^\s*\*+\s*([A-Za-z][\w -]*?)\s*\*+\s*[-–—:]\s*")


def is_post(path: str) -> bool:
    """Whether ``path`` (in the source repo) is a cState post."""
    p = PurePosixPath(path)
    return p.suffix == ".md" and p.parent.name == "issues" and p.parent.parent.name == "content" and not p.name.startswith("_")


def component_id(name: str) -> str:
    """A gitdesk component id for a cState system name (``Media Proxy`` -> ``media-proxy``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "system"


def parse_date(value: Any, zone: tzinfo) -> datetime:
    """A cState date as an aware time: no offset means the site's zone; one-digit parts are fine.

    Raises ``ValueError`` naming the value for anything that is not a real date.
    """
    match = _DATE.match(str(value).strip())
    if not match:
        raise ValueError(f"{str(value)!r} is not a date")
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups()[:6])
    offset = match.group(7)
    try:
        if offset:
            return datetime.fromisoformat(f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
                                          f"{'+00:00' if offset == 'Z' else offset}")
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        raise ValueError(f"{str(value)!r} is not a possible date") from None


def convert(text: str, path: str, *, zone: tzinfo, landed_at: datetime, first_landed: datetime,
            severities: Mapping[str, tuple[str, str]] = SEVERITIES) -> Converted:
    """Convert one cState post as it stood in a commit that landed at ``landed_at``."""
    raw, body, problems = read_front_matter(text)
    if raw is None:
        return Converted(None, ["no front matter ('---' block); the post is skipped"])
    keys: dict[str, tuple[str, Any]] = {}
    for key, value in raw.items():
        keys.setdefault(key.lower(), (key, value))  # cState (Hugo) reads keys case-insensitively

    def get(name: str) -> Any:
        return keys.get(name, ("", None))[1]

    stem = PurePosixPath(path).stem
    title = str(get("title") or "").strip()
    if not title:
        title = stem
        problems.append("no title; the file name is used")
    extra = {key: plain(value) for low, (key, value) in keys.items() if low not in _HANDLED}
    declared: dict[str, Any] = {}
    start = _date(get("date"), "date", zone, problems, extra)
    end = _date(get("resolvedwhen"), "resolvedWhen", zone, problems, extra)
    if start and end and end < start:
        problems.append(f"resolvedWhen {iso(end)} is before date {iso(start)}; resolvedWhen is ignored")
        extra["resolvedWhen"] = plain(get("resolvedwhen"))
        end = None
    body, timeline = _timeline(body, zone, problems)
    affected = [str(a) for a in get("affected") or [] if isinstance(a, (str, int))] if isinstance(get("affected"), list) else []
    if get("affected") is not None and not isinstance(get("affected"), list):
        extra["affected"] = plain(get("affected"))
    components = list(dict.fromkeys(component_id(a) for a in affected))
    if start:
        declared["started_at"] = iso(start)
    if end:
        declared["resolved_at"] = iso(end)
    if affected:
        declared["affected"] = affected
    if timeline:
        declared["timeline"] = timeline
    imported: dict[str, Any] = {"from": Source.CSTATE.value, "source_path": path, "declared": declared}
    informational = _truthy(get("informational"))
    raw_severity = str(get("severity") or "").strip().lower()
    if raw_severity:
        declared["severity"] = raw_severity
    fields: dict[str, Any] = {"title": title}

    if informational:
        if start:
            fields["date"] = iso(start)
        _finish(imported, extra)
        return Converted(Record(stem, None, fields, body, imported), problems)

    severity, impact = severities.get(raw_severity, severities.get("notice", ("P3", "none")))
    if raw_severity not in severities:
        problems.append(f"severity {raw_severity or '(none)'!r} is not in the severity table; {severity} is used")
    if start and start > first_landed:
        # announced ahead of time: cState's way of scheduling maintenance
        ends = end or start + DEFAULT_WINDOW
        if not end:
            problems.append(f"a scheduled post without resolvedWhen; the window is taken to end {DEFAULT_WINDOW.total_seconds() / 3600:g}h after it starts")
        fields.update({"starts_at": iso(start), "ends_at": iso(ends),
                       "status": _window_status(start, ends, landed_at, _truthy(get("resolved")))})
        if components:
            fields["components"] = components
        fields["impact"] = impact
        _finish(imported, extra)
        return Converted(Record(stem, Kind.MAINTENANCE, fields, body, imported), problems)

    resolved = _truthy(get("resolved"))
    declared["status"] = "resolved" if resolved else "unresolved"
    fields.update({"severity": severity, "status": "resolved" if resolved else "investigating"})
    if components:
        fields["components"] = components
    fields["impact"] = impact
    if start and start <= landed_at:
        fields["started_at"] = iso(start)
    elif start:
        problems.append(f"date {iso(start)} is later than this commit landed ({iso(landed_at)}); kept as declared only")
    if timeline:
        fields["update"] = max(timeline, key=lambda e: e["at"])["text"]
    _finish(imported, extra)
    return Converted(Record(stem, Kind.INCIDENT, fields, body, imported), problems)


def _finish(imported: dict[str, Any], extra: dict[str, Any]) -> None:
    if extra:
        imported["extra"] = extra


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "yes", "1")


def _window_status(start: datetime, end: datetime, now: datetime, resolved: bool) -> str:
    if resolved or end <= now:
        return "completed"
    return "in-progress" if start <= now else "scheduled"


def _date(value: Any, name: str, zone: tzinfo, problems: list[str], extra: dict[str, Any]) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_date(value, zone)
    except ValueError as exc:
        problems.append(f"{name}: {exc}; the field is skipped")
        extra[name] = plain(value)
        return None


def _timeline(body: str, zone: tzinfo, problems: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """The body with shortcodes rendered or removed, and the ``track`` entries as declared steps."""
    entries: list[dict[str, Any]] = []
    for paragraph in re.split(r"\n\s*\n", body):
        for stamp in _TRACK.findall(paragraph):
            try:
                at = parse_date(stamp, zone)
            except ValueError as exc:
                problems.append(f"track shortcode: {exc}; the step keeps its text only")
                continue
            text = " ".join(_SHORTCODE.sub("", paragraph).split())
            step = _STEP.match(text)
            entry: dict[str, Any] = {"at": iso(at)}
            if step:
                entry["step"] = step.group(1).strip()
                text = text[step.end():]
            entry["text"] = text.strip()
            entries.append(entry)

    def track(match: re.Match[str]) -> str:
        try:
            return f"*({parse_date(match.group(1), zone).strftime('%Y-%m-%d %H:%M %z')})*"
        except ValueError:
            return f"*({match.group(1)})*"

    body = _TRACK.sub(track, body)
    others = sorted({m.group(1) or "?" for m in _SHORTCODE.finditer(body)})
    if others:
        problems.append(f"Hugo shortcode(s) {', '.join(others)} have no gitdesk rendering; removed from the text")
        body = _SHORTCODE.sub("", body)
    return body, entries


def site_zone_name(config_text: str) -> str | None:
    """The ``timeZone`` (any case) a Hugo config (YAML or TOML) declares, if any."""
    match = re.search(r"^\s*timezone\s*[:=]\s*[\"']?([A-Za-z0-9_+/-]+)[\"']?\s*$", config_text, re.IGNORECASE | re.MULTILINE)
    return match.group(1) if match else None


def site_title(config_text: str) -> str | None:
    """The site ``title`` of a Hugo config, if any."""
    match = re.search(r"^title\s*[:=]\s*[\"']?(.+?)[\"']?\s*$", config_text, re.MULTILINE)
    return match.group(1).strip() if match else None

