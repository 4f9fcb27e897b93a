"""`gitdesk build` keeps the stable incidents' SLA parts with its rendered pages, per audience, and its site stays a cold build's.

Each case builds the sample desk (a real Git repo with back-dated commits)
in this process, counting which incidents' SLA parts are computed, and
compares the output folder file by file with a cold build into a new folder
(which has no store of its own: every part is computed there).
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from gitdesk.adapters.mkdocs_build import build_site
from gitdesk.adapters.page_cache import renders_path
from gitdesk.errors import GitdeskError
from gitdesk.history import TicketHistory
from gitdesk.pipeline import SiteOptions
from gitdesk.site import Audience
from gitdesk.sla import engine
from tests.site.test_incremental import assert_same_site, commit, edit

#: the sample's resolved incidents: the only ones whose parts are stable at its NOW
ACME_RESOLVED, GLOBEX_RESOLVED = "INC-0001", "INC-0003"
#: components given to client acme in the last test (six in all: 720 orders a set may print them in)
EXTRA = ("billing", "reports", "auth", "api")


@pytest.fixture
def desk(tmp_path: Path, sample_git_repo: Path) -> Path:
    return Path(shutil.copytree(sample_git_repo, tmp_path / "repo", symlinks=True))


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the incidents whose SLA part a build computed (the others came from the store)."""
    ids: list[str] = []
    real = engine.incident_part

    def counted(ticket: object, found: TicketHistory, *args: object, **kwargs: object) -> object:
        ids.append(found.id)
        return real(ticket, found, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "incident_part", counted)
    return ids


def build(sample: ModuleType, repo: Path, out: Path, client: str | None, computed: list[str]) -> list[str]:
    """Build ``client``'s site (None: the internal one) into ``out``; the incidents whose parts it computed."""
    computed.clear()
    build_site(SiteOptions(repo, Audience.CLIENT if client else Audience.INTERNAL, client, sample.NOW), out)
    return list(computed)


def build_and_compare(sample: ModuleType, repo: Path, tmp_path: Path, out: Path, client: str | None,
                      computed: list[str]) -> list[str]:
    """Build into ``out`` and check it against a cold build of the same audience; the incidents the first build computed."""
    ids = build(sample, repo, out, client, computed)
    cold = tmp_path / f"cold-{client}"
    shutil.rmtree(cold, ignore_errors=True)
    build(sample, repo, cold, client, computed)
    assert_same_site(out, cold)
    return ids


def store(repo: Path, out: Path) -> Path:
    return renders_path(repo / ".git", out)


def test_a_second_build_reuses_the_stable_parts_and_computes_an_edited_incident_again(
        desk: Path, tmp_path: Path, sample: ModuleType, computed: list[str]) -> None:
    out = tmp_path / "site"
    assert ACME_RESOLVED in build(sample, desk, out, "acme", computed)
    edit(desk, "tickets/incidents/2026/INC-0002.md", "title: ", "title: Renamed ")
    commit(sample, desk, "INC-0002 renamed")
    again = build_and_compare(sample, desk, tmp_path, out, "acme", computed)
    assert ACME_RESOLVED not in again and "INC-0002" in again  # the open incident's clocks run: computed each time
    edit(desk, "tickets/incidents/2026/INC-0001.md", "title: ", "title: Retitled ")
    commit(sample, desk, "INC-0001 retitled")
    assert ACME_RESOLVED in build_and_compare(sample, desk, tmp_path, out, "acme", computed)


def test_parts_never_cross_audiences_in_one_output_folder(desk: Path, tmp_path: Path, sample: ModuleType,
                                                          computed: list[str]) -> None:
    """Client acme, then globex, then the internal site, then acme again, all into one --out: each is its cold build."""
    out = tmp_path / "site"
    assert ACME_RESOLVED in build_and_compare(sample, desk, tmp_path, out, "acme", computed)
    assert GLOBEX_RESOLVED in build_and_compare(sample, desk, tmp_path, out, "globex", computed)
    internal = build_and_compare(sample, desk, tmp_path, out, None, computed)
    assert {ACME_RESOLVED, GLOBEX_RESOLVED} <= set(internal)  # the internal site's parts are its own
    assert ACME_RESOLVED in build_and_compare(sample, desk, tmp_path, out, "acme", computed)
    assert ACME_RESOLVED not in build_and_compare(sample, desk, tmp_path, out, "acme", computed)


def test_each_audience_into_its_own_folder_equals_its_cold_build(desk: Path, tmp_path: Path, sample: ModuleType,
                                                                 computed: list[str]) -> None:
    for client in ("acme", "globex", None):
        out = tmp_path / f"site-{client}"
        build(sample, desk, out, client, computed)
        assert ACME_RESOLVED not in build_and_compare(sample, desk, tmp_path, out, client, computed)


def _forged(raw: bytes) -> bytes:
    """The store with its SLA parts replaced by entries of every wrong shape, the rest (format, salt, pages) intact."""
    form, salt, texts, parts = marshal.loads(raw)
    assert parts, "the build kept no SLA part to forge"
    part_salt, part_id, key, packed = parts[0]
    bad = [
        "not an entry", (part_salt, part_id), (part_salt, part_id, key, packed[:5]),
        (part_salt, part_id, key, (*packed[:8], "tomorrow", *packed[9:])),  # a horizon that is not a number
        (part_salt, part_id, key, (*packed[:9], b"\x00garbled", *packed[10:])),  # clocks marshal cannot read
        (part_salt, part_id, key, (*packed[:9], marshal.dumps(("INC-0001", "P1")), *packed[10:])),  # clocks of the wrong shape
        (part_salt, "INC-0002", key, packed),  # another incident's part under this one's id
        (part_salt, part_id, b"", packed),
    ]
    return marshal.dumps((form, salt, texts, bad))


@pytest.mark.parametrize("damage", ["garbled", "truncated", "forged parts", "parts not a list"])
def test_a_damaged_store_is_ignored(damage: str, desk: Path, tmp_path: Path, sample: ModuleType, computed: list[str]) -> None:
    out = tmp_path / "site"
    build(sample, desk, out, "acme", computed)
    path = store(desk, out)
    raw = path.read_bytes()
    form, salt, texts, _ = marshal.loads(raw)
    path.write_bytes({"garbled": b"\x00\xffnot marshal" * 10, "truncated": raw[: len(raw) // 2],
                      "forged parts": _forged(raw), "parts not a list": marshal.dumps((form, salt, texts, {"INC-0001": 1}))}[damage])
    assert ACME_RESOLVED in build_and_compare(sample, desk, tmp_path, out, "acme", computed)
    assert ACME_RESOLVED not in build(sample, desk, out, "acme", computed)  # the next build's store is whole again


def test_a_failed_build_leaves_the_store_as_the_last_good_build_left_it(desk: Path, tmp_path: Path, sample: ModuleType,
                                                                        computed: list[str]) -> None:
    (desk / "mkdocs.yml").write_text("site_name: Acme status\nstrict: true\ntheme: {name: material, font: false}\n"
                                     "plugins: [search, gitdesk]\n", encoding="utf-8")
    (desk / "docs").mkdir()
    (desk / "docs/guide.md").write_text("# Guide\n", encoding="utf-8")
    commit(sample, desk, "site setup")
    out = tmp_path / "site"
    build(sample, desk, out, "acme", computed)
    before = store(desk, out).read_bytes()
    edit(desk, "tickets/incidents/2026/INC-0001.md", "title: ", "title: Retitled ")
    (desk / "docs/guide.md").write_text("# Guide\n\nSee [the missing page](missing.md).\n", encoding="utf-8")
    commit(sample, desk, "INC-0001 retitled, a broken link")
    with pytest.raises(GitdeskError):
        build(sample, desk, out, "acme", computed)
    assert ACME_RESOLVED in computed  # the failed build computed the edited incident's part, and kept nothing of it
    assert store(desk, out).read_bytes() == before


def test_a_client_build_in_a_new_process_finds_what_the_last_one_kept(desk: Path, tmp_path: Path, sample: ModuleType) -> None:
    """A client's scope holds a set of components, whose order changes with each process's hash seed; the keys must not."""
    edit(desk, "gitdesk.yml", "  - {id: orders, name: Orders panel, group: ERP}\n",
         "  - {id: orders, name: Orders panel, group: ERP}\n" + "".join(f"  - {{id: {c}, name: {c}}}\n" for c in EXTRA))
    edit(desk, "gitdesk.yml", "components: [accounting]}", f"components: [accounting, orders, {', '.join(EXTRA)}]}}")
    commit(sample, desk, "acme takes more components")
    out = tmp_path / "site"
    kept = []
    for seed in ("1", "2"):
        subprocess.run([sys.executable, "-m", "gitdesk", "--repo", str(desk), "build", "--client", "acme", "--out", str(out),
                        "--now", sample.NOW.isoformat()], check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
        _, _, texts, parts = marshal.loads(store(desk, out).read_bytes())
        kept.append((sorted(texts), sorted((salt, part_id) for salt, part_id, _, _ in parts)))
    assert kept[0][0] and kept[0][1]
    assert kept[1] == kept[0]  # the second build used every page and part of the first (what it did not use, it drops)
