"""Exactly-once state, kept in Git next to the ref ``refs/gitdesk/notified``.

* ``refs/gitdesk/notified`` points at the last main commit whose events every
  channel received. It moves only when every channel is up to date.
* ``refs/gitdesk/notified-state`` points at a small JSON blob: per channel, the
  keys of the events it received (the most recent :data:`KEEP` of them). A
  key is added only after Apprise reported the delivery, so nothing is marked
  sent that was not; a channel that failed finds its events missing there and
  gets them on the next run, while the others find theirs and skip them.

Both refs are written with compare-and-swap (:func:`gitdesk.history.git.update_ref`):
two runs at once cannot both think they own the same events. Only
:mod:`gitdesk.history.git` runs git.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitdesk.errors import GitdeskError
from gitdesk.history import git

NOTIFIED_REF = git.NOTIFIED_REF
STATE_REF = NOTIFIED_REF + "-state"
#: delivered keys kept per channel: enough to recognise the events of a rewritten main and of recent clocks
KEEP = 5_000
_FORMAT = 1


@dataclass
class Progress:
    """What the refs say: the last fully notified commit and, per channel id, the keys it received."""

    notified: str | None
    sent: dict[str, list[str]] = field(default_factory=dict)
    #: the blob the state ref pointed at when read (for compare-and-swap)
    blob: str | None = None

    def delivered(self, channel: str) -> set[str]:
        return set(self.sent.get(channel, ()))

    def record(self, channel: str, keys: list[str]) -> None:
        """Remember that ``channel`` received ``keys`` (oldest forgotten beyond :data:`KEEP`)."""
        merged = self.sent.setdefault(channel, [])
        known = set(merged)
        merged.extend(k for k in keys if k not in known)
        del merged[:-KEEP]


def read(repo: Path) -> Progress:
    """The notified commit and the delivery log, as the refs hold them now."""
    notified = git.read_ref(repo, NOTIFIED_REF)
    blob = git.read_ref(repo, STATE_REF)
    sent: dict[str, list[str]] = {}
    if blob is not None:
        try:
            data: Any = json.loads(git.run(repo, "cat-file", "blob", blob))
            if isinstance(data, dict) and data.get("format") == _FORMAT and isinstance(data.get("sent"), dict):
                sent = {str(k): [str(x) for x in v] for k, v in data["sent"].items() if isinstance(v, list)}
        except ValueError:
            raise GitdeskError(f"{STATE_REF} does not hold gitdesk's notification state",
                               hint=f"delete it (`git update-ref -d {STATE_REF}`); events may then be sent again") from None
    return Progress(notified, sent, blob)


def save_log(repo: Path, progress: Progress) -> None:
    """Write the delivery log as a blob and move the state ref to it (compare-and-swap)."""
    text = json.dumps({"format": _FORMAT, "sent": progress.sent}, sort_keys=True, separators=(",", ":"))
    blob = git.run(repo, "hash-object", "-w", "--stdin", stdin=text.encode("utf-8")).decode().strip()
    if blob != progress.blob:
        git.update_ref(repo, STATE_REF, blob, expected=progress.blob)
        progress.blob = blob


def advance(repo: Path, progress: Progress, commit: str) -> None:
    """Move ``refs/gitdesk/notified`` to ``commit`` (compare-and-swap against what was read)."""
    if commit != progress.notified:
        git.update_ref(repo, NOTIFIED_REF, commit, expected=progress.notified)
        progress.notified = commit


def new_commits(repo: Path, notified: str, tip: str) -> tuple[set[str], bool]:
    """The first-parent commits after ``notified`` up to ``tip``, and whether main was rewritten.

    After a force push, the range starts at the common ancestor of the old and
    the new main (the delivery log then recognises what was already sent).
    """
    if notified == tip:
        return set(), False
    rewritten = not git.git_ok(repo, "merge-base", "--is-ancestor", notified, tip)
    base = notified
    if rewritten:
        found = git.run(repo, "merge-base", notified, tip).decode().strip() if git.git_ok(repo, "merge-base", notified, tip) else ""
        base = found
    spec = f"{base}..{tip}" if base else tip
    listed = git.run(repo, "rev-list", "--first-parent", spec).decode().split()
    return set(listed), rewritten
