"""Backlog.md tasks (``backlog/{tasks,drafts,completed,archive}/*.md``) as backlog items.

Pure: one task file's text and path in, one :class:`~gitdesk.importers.Record`
out. The key is the task number with its subtask part (``task-24.1`` -> ``24.1``),
so a renamed prefix (``task-`` -> ``back-``) or a move between folders keeps the
same EVO id.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Mapping

from gitdesk.importers import Converted, Record, Source, plain, read_front_matter
from gitdesk.model import Kind

#: Backlog.md status (lower case) -> gitdesk backlog status; the original is kept in imported.declared
STATUSES: Mapping[str, str] = {
    "to do": "accepted", "todo": "accepted", "backlog": "proposed", "draft": "proposed",
    "in progress": "in-progress", "doing": "in-progress", "in review": "in-progress", "review": "in-progress",
    "blocked": "in-progress", "done": "done", "completed": "done",
    "won't do": "rejected", "wont do": "rejected", "won’t do": "rejected", "cancelled": "rejected", "canceled": "rejected",
}
#: folders that carry a status whatever the file says
FOLDER_STATUS: Mapping[str, str] = {"drafts": "proposed", "completed": "done", "archive": "rejected"}
_HANDLED = {"id", "title", "status", "assignee"}
_NAME = re.compile(r"^[A-Za-z]+-(\d+(?:\.\d+)*)(?:\s|$|\.md$|-)")
_ROOTS = ("backlog", ".backlog")


def is_task(path: str) -> bool:
    """Whether ``path`` (in the source repo) is a Backlog.md task or draft."""
    parts = PurePosixPath(path).parts
    if len(parts) < 3 or parts[0] not in _ROOTS or not path.endswith(".md"):
        return False
    folders = parts[1:-1]
    if folders not in (("tasks",), ("drafts",), ("completed",), ("archive", "tasks"), ("archive", "drafts")):
        return False
    return bool(_NAME.match(parts[-1]))


def key(path: str) -> str:
    """The task's number with its subtask part, from the file name (``task-24.1 - x.md`` -> ``24.1``)."""
    match = _NAME.match(PurePosixPath(path).name)
    return match.group(1) if match else PurePosixPath(path).stem


def convert(text: str, path: str) -> Converted:
    """Convert one task file as it stood in one commit."""
    raw, body, problems = read_front_matter(text)
    if raw is None:
        return Converted(None, ["no front matter ('---' block); the task is skipped"])
    extra = {k: plain(v) for k, v in raw.items() if k.lower() not in _HANDLED}
    declared: dict[str, Any] = {}
    source_id = str(raw.get("id") or "").strip()
    if source_id:
        declared["id"] = source_id
    title = str(raw.get("title") or "").strip() or _title_from_name(path)
    folder = PurePosixPath(path).parts[1]
    raw_status = str(raw.get("status") or "").strip()
    if raw_status:
        declared["status"] = raw_status
    if folder in FOLDER_STATUS:
        status = FOLDER_STATUS[folder]
    elif raw_status.lower() in STATUSES:
        status = STATUSES[raw_status.lower()]
    else:
        status = "accepted"
        problems.append(f"status {raw_status or '(none)'!r} has no gitdesk equivalent; 'accepted' is used and the original kept")
    for name in ("created_date", "updated_date"):
        if raw.get(name):
            declared[name] = str(raw[name])
            extra.pop(name, None)
    fields: dict[str, Any] = {"title": title, "status": status}
    assignees = _names(raw.get("assignee"))
    if assignees:
        fields["assignee"] = ", ".join(assignees)
        declared["assignee"] = assignees
    imported: dict[str, Any] = {"from": Source.BACKLOG_MD.value, "source_path": path, "declared": declared}
    if extra:
        imported["extra"] = extra
    return Converted(Record(key(path), Kind.BACKLOG, fields, body, imported), problems)


def _names(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value] if value else []
    return [str(v).strip().lstrip("@") for v in values if str(v).strip().lstrip("@")]


def _title_from_name(path: str) -> str:
    name = PurePosixPath(path).stem
    _, _, rest = name.partition(" - ")
    return (rest or name).replace("-", " ").strip()
