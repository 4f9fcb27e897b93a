"""A `--now T` site shows the desk as it stood at T (issue 11, deliverables 1 and 6).

One real Git repo with fixed dates, built at several cut-offs: pages, feed,
API, search index and sitemap hold nothing that landed after T, and each
ticket shows its fields as of T. Uptime counts from the desk's first record,
with "no data" before it rather than invented perfect days.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from gitdesk.adapters.mkdocs_build import build_site
from gitdesk.pipeline import SiteOptions, collect
from gitdesk.site import Audience

from tests.foundation.helpers import day_states

CONFIG = """\
title: Desk as of a date
timezone: UTC
components: [{id: ledger, name: Ledger}, {id: portal, name: Portal}]
sla: {targets: {P1: {calendar: always, response: 30m, resolution: 4h}}}
default_visibility: public
uptime: {target: 99.8, notice: 48h, windows: [30, 90]}
site: {url: "https://status.example.org/"}
clients:
  - {id: acme, name: Acme}
"""


def _incident(number: int, title: str, status: str, update: str, body: str = "") -> str:
    return (f"---\nid: INC-{number:04d}\ntitle: {title}\nseverity: P1\nstatus: {status}\nclient: acme\n"
            f"components: [ledger]\nimpact: outage\nupdate: {update}\n{_POSTMORTEM if status == 'resolved' else ''}---\n{body}")


#: a resolved P1 needs its postmortem, or the build refuses to publish the desk
_POSTMORTEM = "root_cause: An expired certificate.\nresolution: Renewed it.\nprevention: Renewal alerts.\n"


#: (landed at, path, text or None to delete): the whole history of the repo
HISTORY = [
    ("2026-10-01T09:00:00+00:00", "tickets/incidents/2026/INC-0001.md",
     _incident(1, "Ledger down", "reported", "Looking into it.", "Users cannot log in.\n")),
    ("2026-10-01T10:00:00+00:00", "tickets/incidents/2026/INC-0003.md",
     _incident(3, "Filed by mistake", "reported", "Duplicate of INC-0001.").replace("impact: outage", "impact: none")),
    ("2026-10-03T09:00:00+00:00", "tickets/incidents/2026/INC-0001.md",
     _incident(1, "Ledger down", "resolved", "LATER3UPDATE certificate renewed.", "Users cannot log in.\n\nLATER3BODY postmortem.\n")),
    ("2026-10-05T09:00:00+00:00", "tickets/incidents/2026/INC-0002.md",
     _incident(2, "LATER5TITLE portal slow", "investigating", "Slow pages on the portal.")),
    ("2026-10-06T09:00:00+00:00", "tickets/incidents/2026/INC-0003.md", None),
]

NAMES = {"INC-0001": "Ledger down", "INC-0002": "LATER5TITLE portal slow", "INC-0003": "Filed by mistake"}

CUTS = {
    # cut-off: (incident pages, texts that must be there, texts that landed later)
    "2026-10-02T12:00:00+00:00": ({"INC-0001", "INC-0003"}, ["Looking into it.", "Users cannot log in."],
                                  ["LATER3UPDATE", "LATER3BODY", "LATER5TITLE"]),
    "2026-10-04T12:00:00+00:00": ({"INC-0001", "INC-0003"}, ["LATER3UPDATE", "LATER3BODY"], ["LATER5TITLE"]),
    "2026-10-10T12:00:00+00:00": ({"INC-0001", "INC-0002"}, ["LATER3UPDATE", "LATER5TITLE"], ["Duplicate of INC-0001"]),
}


def _land(root: Path, when: str, message: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="Ana", GIT_AUTHOR_EMAIL="ana@example.org", GIT_COMMITTER_NAME="Ana",
               GIT_COMMITTER_EMAIL="ana@example.org", GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    for args in (("add", "-A"), ("commit", "-q", "-m", message)):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("as-of-repo")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    (root / "gitdesk.yml").write_text(CONFIG, encoding="utf-8")
    for when, rel, text in HISTORY:
        path = root / rel
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _land(root, when, f"{rel} at {when}")
    return root


@pytest.fixture(scope="module")
def built(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("as-of-sites")
    sites = {}
    for index, cut in enumerate(CUTS):
        # INC-0003's deletion (GD314 once it has landed) must not stop the later cuts: the rest is published
        build_site(SiteOptions(repo, Audience.CLIENT, "acme", datetime.fromisoformat(cut)), out / str(index), keep_going=True)
        sites[cut] = out / str(index)
    return sites


def _text(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text(encoding="utf-8", errors="replace")
            for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".xml", ".ics")}


@pytest.mark.parametrize("cut", list(CUTS))
def test_every_file_shows_the_desk_as_it_stood_at_the_cut(built: dict[str, Path], cut: str) -> None:
    pages, present, later = CUTS[cut]
    files = _text(built[cut])
    assert {p.removeprefix("incidents/").removesuffix(".html") for p in files if re.fullmatch(r"incidents/INC-\d+\.html", p)} == pages
    api = json.loads(files["api/v2/incidents.json"])
    assert {i["name"] for i in api["incidents"]} == {NAMES[p] for p in pages}
    sitemap = files["sitemap.xml"]
    for incident in ("INC-0001", "INC-0002", "INC-0003"):
        assert (f"incidents/{incident}.html" in sitemap) is (incident in pages)
        assert (incident in files["feed.xml"]) is (incident in pages)
    everything = "\n".join(files.values())
    for text in present:
        assert text in everything
    for text in later:
        assert [name for name, body in files.items() if text in body] == [], f"{text!r} landed after {cut}"


def test_a_ticket_shows_its_status_as_of_the_cut(built: dict[str, Path]) -> None:
    early = json.loads(_text(built["2026-10-02T12:00:00+00:00"])["api/v2/incidents.json"])
    late = json.loads(_text(built["2026-10-04T12:00:00+00:00"])["api/v2/incidents.json"])
    first = {i["name"]: i for i in early["incidents"]}["Ledger down"]
    again = {i["name"]: i for i in late["incidents"]}["Ledger down"]
    assert first["resolved_at"] is None and first["status"] != "resolved"
    assert again["resolved_at"] is not None and again["status"] == "resolved"
    # the body is the file as it was at the cut: the postmortem written later is not there yet
    early_page = _text(built["2026-10-02T12:00:00+00:00"])["incidents/INC-0001.html"]
    assert "Users cannot log in." in early_page and "LATER3BODY" not in early_page


def test_uptime_counts_from_the_desks_first_record(repo: Path) -> None:
    """A desk begun on 1 October claims nothing about September: those days are "no data"."""
    now = datetime(2026, 10, 10, 12, 0, tzinfo=timezone.utc)
    bundle = collect(SiteOptions(repo, Audience.CLIENT, "acme", now))
    home = str(bundle.files["index.md"])
    portal = re.search(r'data-component="portal".*?gd-days-foot', home, re.S)
    assert portal is not None
    bars = day_states(portal.group(0))
    assert len(bars) == 90
    assert {state for day, state in bars.items() if day < "2026-10-01"} == {"no_data"}
    assert {state for day, state in bars.items() if day >= "2026-10-01"} == {"none"}  # the portal had no incident
    # the quiet days are drawn as runs, split where a phone's 30 days begin: no data, quiet, quiet
    assert portal.group(0).count('class="gd-day ') == 3
    ledger = re.search(r"Ledger: last 90 days, ([0-9.]+)% uptime", home)
    assert ledger is not None
    # down 1 Oct 09:00 → 3 Oct 09:00 (INC-0001) and from 5 Oct 09:00 on (INC-0002): 48 h + 123 h
    # out of the 9 d 3 h since the desk began, not out of 90 days
    assert float(ledger.group(1)) == pytest.approx(100 * (1 - (48 + 123) / (9 * 24 + 3)), abs=0.01)


def test_a_desk_with_nothing_landed_claims_no_uptime(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    (tmp_path / "gitdesk.yml").write_text(CONFIG, encoding="utf-8")
    _land(tmp_path, "2026-10-01T09:00:00+00:00", "init")
    home = str(collect(SiteOptions(tmp_path, Audience.CLIENT, "acme", datetime(2026, 10, 10, tzinfo=timezone.utc))).files["index.md"])
    assert "100.00%" not in home and "no data" in home
    assert "gd-day-none" not in home
