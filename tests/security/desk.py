"""Hostile desks in real Git repos, and the scan of every file a build writes.

``OUTPUTS`` (and ``GENERATE_OUTPUTS`` for ``generate --out``) is the one list
of what a client build must contain; :func:`output_files` reads every file of
a build (gzip decompressed) and fails when a listed output is missing, so a
scan can never pass because the thing it looks in was not written. To cover a
new output format, add one line to the list.
"""

from __future__ import annotations

import gzip
import os
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

from click.testing import CliRunner, Result

from gitdesk.cli import cli
from tests.site import sample

NOW = "2026-11-23T10:00:00+00:00"
WHEN = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Output:
    """One kind of file a build writes: a name for messages and a glob under the output folder."""

    name: str
    pattern: str


OUTPUTS: tuple[Output, ...] = (
    Output("HTML pages", "**/*.html"),
    Output("ticket pages", "incidents/*.html"),
    Output("search index", "search/search_index.json"),
    Output("search index for file:// (offline plugin)", "search/search_index.js"),
    Output("Atom feed", "feed.xml"),
    Output("Statuspage API", "api/v2/*.json"),
    Output("iCal", "maintenance.ics"),
    Output("badges", "badges/*.svg"),
    Output("shields.io badge endpoints", "badges/*.json"),
    Output("Statuspage status and components", "api/v2/components.json"),
    Output("sitemap", "sitemap.xml"),
    Output("sitemap (gzip)", "sitemap.xml.gz"),
)

GENERATE_OUTPUTS: tuple[Output, ...] = (
    Output("generated pages", "docs/**/*.md"),
    Output("generated mkdocs.yml", "mkdocs.yml"),
    Output("Atom feed", "docs/feed.xml"),
    Output("Statuspage API", "docs/api/v2/*.json"),
    Output("iCal", "docs/maintenance.ics"),
    Output("badges", "docs/badges/*.svg"),
    Output("shields.io badge endpoints", "docs/badges/*.json"),
)

#: Canaries beyond tests/site/sample.py's: one in every field of another client's and of internal records.
EXTRA_CANARIES = {
    "other client root cause": "CANARY7GLOBEXROOTCAUSE",
    "other client decision": "CANARY7GLOBEXDECISION",
    "other client backlog": "CANARY7GLOBEXBACKLOG",
    "internal maintenance": "CANARY7INTERNALWINDOW",
    "internal decision": "CANARY7INTERNALDECISION",
    "internal note on a public ticket": "CANARY7INTERNALNOTE",
    "reporter": "CANARY7REPORTER",
}
C = EXTRA_CANARIES

EXTRA_FILES: dict[str, str] = {
    "tickets/incidents/2026/INC-0006.md": f"""---
id: INC-0006
title: Orders export late {C['other client root cause']}
severity: P3
status: resolved
components: [orders]
client: globex
reporter: {C['reporter']}
update: {C['other client root cause']} done
root_cause: {C['other client root cause']}
resolution: {C['other client root cause']}
prevention: {C['other client root cause']}
internal: {{note: {C['internal note on a public ticket']}}}
---
{C['other client root cause']}
""",
    "tickets/incidents/2026/INC-0007.md": f"""---
id: INC-0007
title: Ledger totals off by a cent
severity: P3
status: resolved
components: [accounting]
client: acme
reporter: {C['reporter']}
update: Rounding fixed.
internal: {{note: {C['internal note on a public ticket']}}}
---
Rounding in the ledger.
""",
    "tickets/decisions/DEC-0003.md": f"""---
id: DEC-0003
title: Orders archive {C['other client decision']}
status: accepted
client: globex
date: 2026-10-02
---
{C['other client decision']}
""",
    "tickets/decisions/DEC-0004.md": f"""---
id: DEC-0004
title: Staffing {C['internal decision']}
status: accepted
visibility: internal
date: 2026-10-03
---
{C['internal decision']}
""",
    "backlog/EVO-0002.md": f"""---
id: EVO-0002
title: Orders bulk edit {C['other client backlog']}
status: planned
category: automation
client: globex
---
{C['other client backlog']}
""",
    "tickets/maintenance/MNT-0003.md": f"""---
id: MNT-0003
title: Firewall rules {C['internal maintenance']}
starts_at: 2026-11-29T22:00:00+01:00
ends_at: 2026-11-29T23:00:00+01:00
components: [accounting]
visibility: internal
update: {C['internal maintenance']}
---
{C['internal maintenance']}
""",
}


def git(root: Path, *args: str, when: datetime = WHEN) -> str:
    """Run git in ``root`` with a fixed identity and fixed author/committer dates."""
    env = dict(os.environ, GIT_AUTHOR_NAME="Ana Engineer", GIT_AUTHOR_EMAIL="ana@example.org",
               GIT_COMMITTER_NAME="Ana Engineer", GIT_COMMITTER_EMAIL="ana@example.org",
               GIT_AUTHOR_DATE=when.isoformat(), GIT_COMMITTER_DATE=when.isoformat())
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def commit_all(root: Path, message: str, when: datetime = WHEN) -> None:
    git(root, "add", "-A", when=when)
    git(root, "commit", "-q", "--allow-empty", "-m", message, when=when)


def make_repo(root: Path, files: dict[str, str], *, config: str = sample.CONFIG, mkdocs: str | None = None) -> Path:
    """A real Git repo on main holding ``files`` (repo-relative path -> text), committed once."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "gitdesk.yml").write_text(config, encoding="utf-8")
    if mkdocs is not None:
        (root / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
        (root / "docs").mkdir(exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "the desk")
    return root


def canary_repo(root: Path) -> Path:
    """tests/site/sample.py's two-client desk as a real repo, plus :data:`EXTRA_FILES` landed a day later."""
    sample.git_repo(root)
    for rel, text in EXTRA_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    commit_all(root, "more records", WHEN + timedelta(days=1))
    return root


def canaries_hidden_from(client: str) -> dict[str, str]:
    """Every canary a build for ``client`` (acme or globex) must not contain."""
    every = {**sample.CANARIES, **EXTRA_CANARIES}
    if client == "globex":
        return {name: c for name, c in every.items() if "GLOBEX" not in c}
    return every


def run(repo: Path, *args: str) -> Result:
    """``gitdesk --repo REPO ARGS`` in-process, stdout and stderr apart."""
    return CliRunner().invoke(cli, ["--repo", str(repo), *args], catch_exceptions=False)


def output_files(folder: Path, outputs: tuple[Output, ...] = OUTPUTS) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, gzip decompressed; fails when a listed output is missing."""
    missing = [o.name for o in outputs if not any(p.is_file() for p in folder.glob(o.pattern))]
    assert missing == [], f"not written, so a scan of {folder} would prove nothing: {missing}"
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            files[path.relative_to(folder).as_posix()] = gzip.decompress(data) if path.suffix == ".gz" else data
    return files


def leaks(files: dict[str, bytes], needles: Iterable[str]) -> list[str]:
    """Each (needle, file) where a needle's text appears in a file's bytes."""
    wanted = list(needles)
    return [f"{needle!r} in {name}" for name, data in files.items() for needle in wanted if needle.encode("utf-8") in data]
