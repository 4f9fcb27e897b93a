"""The load cache (.gitdesk-cache/) gives what a fresh parse gives, after edits, renames and deletions."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from gitdesk.load.cache import CACHE_DIR
from gitdesk.load.files import LoadResult, load_repo

PAST = 1_700_000_000  # files older than the racy window, so their entries are kept


def incident(number: int, status: str = "reported", extra: str = "") -> str:
    return (f"---\nid: INC-{number:04d}\ntitle: Export {number} fails\nseverity: P2\nstatus: {status}\n"
            f"components: [accounting]\nimpact: degraded\n{extra}---\nThe nightly export stopped.\n")


def write(repo: Path, rel: str, text: str, stamp: int = PAST) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (stamp, stamp))


def same(a: LoadResult, b: LoadResult) -> bool:
    return (a.tickets, a.diagnostics, a.files) == (b.tickets, b.diagnostics, b.files)


def desk(tmp_path: Path) -> Path:
    repo = tmp_path / "desk"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    for n in range(1, 8):
        write(repo, f"tickets/incidents/2026/INC-{n:04d}.md", incident(n))
    write(repo, "tickets/incidents/2026/INC-0008.md", incident(8, extra="severity_typo: [\n"))  # broken YAML
    write(repo, "tickets/incidents/2026/INC-0009.md", incident(9, status="nonsense"))  # schema error
    return repo


def test_warm_load_equals_a_fresh_parse_after_edits_renames_and_deletions(tmp_path: Path) -> None:
    repo = desk(tmp_path)
    cold = load_repo(repo, use_cache=True)
    assert (repo / CACHE_DIR / "load.cache").is_file()
    assert same(load_repo(repo, use_cache=True), cold) and same(cold, load_repo(repo, use_cache=False))
    assert any(d.file.endswith("INC-0009.md") for d in cold.diagnostics)

    inc = repo / "tickets/incidents/2026"
    write(repo, "tickets/incidents/2026/INC-0001.md", incident(1, status="resolved"), PAST + 60)  # edited
    write(repo, "tickets/incidents/2026/INC-0002.md", incident(2).replace("P2", "P1"), PAST)  # same size, same mtime
    (inc / "INC-0003.md").rename(inc / "INC-0033.md")  # renamed: the id no longer matches the name
    (inc / "INC-0004.md").unlink()
    write(repo, "tickets/incidents/2026/INC-0009.md", incident(9), PAST + 60)  # fixed
    write(repo, "tickets/incidents/2026/INC-0010.md", incident(10, status="bogus"))  # new, just written
    for _ in range(2):  # the first run refreshes the cache, the second reads it
        warm, fresh = load_repo(repo, use_cache=True), load_repo(repo, use_cache=False)
        assert same(warm, fresh)
    statuses = {t.id: t.fields.get("status") for t in warm.tickets}
    severities = {t.id: t.fields.get("severity") for t in warm.tickets}
    assert statuses["INC-0001"] == "resolved" and severities["INC-0002"] == "P1" and "INC-0004" not in statuses
    assert any(d.code == "GD207" and d.file.endswith("INC-0033.md") for d in warm.diagnostics)
    assert not any(d.file.endswith("INC-0009.md") for d in warm.diagnostics)


def test_a_forged_cache_in_the_working_tree_is_ignored(tmp_path: Path) -> None:
    repo = desk(tmp_path)
    fresh = load_repo(repo, use_cache=False)
    load_repo(repo, use_cache=True)
    cache = repo / CACHE_DIR / "load.cache"
    # a pushed cache that says the broken file is fine: the bytes change, the signature does not match
    cache.write_bytes(cache.read_bytes().replace(b"nonsense", b"resolved"))
    assert same(load_repo(repo, use_cache=True), fresh)
    # nor does one signed with another key (a cache committed from someone else's clone)
    (repo / ".git" / "gitdesk" / "load-cache.key").write_bytes(b"x" * 32)
    assert same(load_repo(repo, use_cache=True), fresh)
