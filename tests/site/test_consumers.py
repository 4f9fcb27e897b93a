"""Real consumers read the site's machine outputs: a Statuspage client, feedparser, icalendar, shields.io's endpoint schema.

The sample's gitdesk.yml sets ``site.url: https://status.example.org/``, so
every link a consumer follows must be absolute under it.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

URL = "https://status.example.org/"


def edited_bundle(tmp_path: Path, sample, path: str, old: str, new: str) -> dict:
    from gitdesk.site import scope_for, site_bundle

    root = sample.write_repo(tmp_path)
    text = (root / path).read_text(encoding="utf-8")
    assert old in text
    (root / path).write_text(text.replace(old, new), encoding="utf-8")
    config, tickets, history = sample.load(root)
    return site_bundle(tickets, history, config, scope=scope_for(config, "client", "acme"), now=sample.NOW,
                       compute=sample.fake_compute).files


# --- Atom (RFC 4287) ----------------------------------------------------------------


def test_atom_feed_parses_cleanly_with_author_self_link_and_absolute_links(built_sites: dict[str, Path]) -> None:
    feedparser = pytest.importorskip("feedparser")
    parsed = feedparser.parse((built_sites["acme"] / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.author == "Acme ERP — service status"
    links = {link["rel"]: link["href"] for link in parsed.feed.links}
    assert links["self"] == URL + "feed.xml" and links["alternate"] == URL + "index.html"
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.link.startswith(URL + "incidents/") and entry.id.startswith(URL)
        assert entry.updated_parsed is not None


def test_every_page_links_the_feed_for_autodiscovery(built_sites: dict[str, Path]) -> None:
    site = built_sites["acme"]
    for page, href in ((site / "index.html", "feed.xml"), (site / "incidents/INC-0001.html", "../feed.xml"),
                       (site / "sla/index.html", "../feed.xml")):
        head = page.read_text(encoding="utf-8").split("</head>", 1)[0]
        assert f'<link rel="alternate" type="application/atom+xml" title="Atom" href="{href}">' in head, page
        assert (page.parent / href).resolve() == (site / "feed.xml").resolve()


def test_feed_structure_without_a_site_url_is_still_valid_xml(tmp_path: Path, sample) -> None:
    """No address known: links stay relative, but author, self link and ids are there (RFC 4287 4.1.1)."""
    import xml.etree.ElementTree as ET

    files = edited_bundle(tmp_path, sample, "gitdesk.yml", 'site: {url: "https://status.example.org/"}\n', "")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring(str(files["feed.xml"]))
    assert feed.find(f"{atom}author/{atom}name") is not None and feed.find(f"{atom}id") is not None
    assert feed.find(f"{atom}link[@rel='self']") is not None
    assert all(e.find(f"{atom}id") is not None and e.find(f"{atom}updated") is not None for e in feed.findall(f"{atom}entry"))


# --- iCalendar (RFC 5545) -----------------------------------------------------------


def test_cancelled_window_stays_in_the_calendar_as_cancelled(tmp_path: Path, sample) -> None:
    icalendar = pytest.importorskip("icalendar")
    files = edited_bundle(tmp_path, sample, "tickets/maintenance/MNT-0001.md", "impact: outage\n", "impact: outage\nstatus: cancelled\n")
    calendar = icalendar.Calendar.from_ical(str(files["maintenance.ics"]))
    events = {str(e["SUMMARY"]).split(":")[0]: e for e in calendar.walk("VEVENT")}
    cancelled = events["MNT-0001"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == "mnt-0001@status.example.org"
    assert int(cancelled["SEQUENCE"]) >= 0
    assert str(cancelled["URL"]) == URL + "maintenance/MNT-0001.html"
    # round trip: what icalendar writes back parses to the same events
    again = icalendar.Calendar.from_ical(calendar.to_ical())
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in calendar.walk("VEVENT")]


def test_every_event_has_a_status_a_sequence_and_a_domain_qualified_uid(built_sites: dict[str, Path]) -> None:
    icalendar = pytest.importorskip("icalendar")
    calendar = icalendar.Calendar.from_ical((built_sites["acme"] / "maintenance.ics").read_bytes())
    for event in calendar.walk("VEVENT"):
        assert str(event["STATUS"]) in {"CONFIRMED", "CANCELLED"} and "SEQUENCE" in event
        assert str(event["UID"]).endswith("@status.example.org")


# --- Statuspage API v2 --------------------------------------------------------------


def test_summary_json_has_the_statuspage_fields_clients_read(built_sites: dict[str, Path]) -> None:
    api = built_sites["acme"] / "api/v2"
    summary = json.loads((api / "summary.json").read_text(encoding="utf-8"))
    assert summary["page"]["url"] == URL
    groups = [c for c in summary["components"] if c["group"]]
    assert [g["name"] for g in groups] == ["ERP"] and groups[0]["components"] == ["accounting"]
    member = next(c for c in summary["components"] if c["id"] == "accounting")
    assert member["group_id"] == groups[0]["id"] and member["name"] == "Accounting module"
    for item in summary["incidents"] + summary["scheduled_maintenances"]:
        assert item["shortlink"].startswith(URL)
        assert all({"id", "name", "status"} <= set(c) for c in item["components"])
    for window in summary["scheduled_maintenances"]:
        assert {"created_at", "updated_at", "started_at", "scheduled_for", "scheduled_until"} <= set(window)
        assert window["created_at"] is not None
    status = json.loads((api / "status.json").read_text(encoding="utf-8"))
    components = json.loads((api / "components.json").read_text(encoding="utf-8"))
    assert status["status"] == summary["status"] and components["components"] == summary["components"]


STATUSCHECK_SCRIPT = """
import json, sys
from statuscheck.services.bases._statuspageio import BaseStatusPageAPI

class Local(BaseStatusPageAPI):
    name = "gitdesk"
    domain_id = "local"
    def _get_base_url(self):
        return sys.argv[1]

summary = Local().get_summary()
print(json.dumps({"code": summary.status.code, "description": summary.status.description,
                  "components": [[c.name, c.status] for c in summary.components],
                  "incidents": [[i.id, [c.status for c in i.components]] for i in summary.incidents]}))
"""


@pytest.fixture(scope="module")
def statuscheck_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway venv with the `statuscheck` Statuspage client (it pins an old click and attrs: never in ours)."""
    venv = tmp_path_factory.mktemp("statuscheck") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin/python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "statuscheck==3.11.0"], capture_output=True, text=True)
    if installed.returncode != 0:
        pytest.skip(f"statuscheck could not be installed from the package index: {installed.stderr[-300:]}")
    return python


@pytest.fixture
def served(built_sites: dict[str, Path]) -> Iterator[str]:
    """The built acme site over real HTTP on a free local port."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_sites["acme"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v2/"
    finally:
        server.shutdown()
        server.server_close()


def test_statuscheck_reads_summary_json(statuscheck_python: Path, served: str, built_sites: dict[str, Path]) -> None:
    run = subprocess.run([str(statuscheck_python), "-c", STATUSCHECK_SCRIPT, served], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    read = json.loads(run.stdout)
    summary = json.loads((built_sites["acme"] / "api/v2/summary.json").read_text(encoding="utf-8"))
    assert read["code"] == summary["status"]["indicator"]
    assert [name for name, _ in read["components"]] == [c["name"] for c in summary["components"]]
    assert {i for i, _ in read["incidents"]} == {i["id"] for i in summary["incidents"] + summary["scheduled_maintenances"]}
    assert all(statuses for _, statuses in read["incidents"])


# --- shields.io endpoint badges -----------------------------------------------------


@pytest.mark.parametrize("name", ["status", "uptime", "compliance"])
def test_shields_endpoint_json_sits_beside_each_svg_badge(built_sites: dict[str, Path], name: str) -> None:
    badges = built_sites["acme"] / "badges"
    data = json.loads((badges / f"{name}.json").read_text(encoding="utf-8"))
    svg = (badges / f"{name}.svg").read_text(encoding="utf-8")
    assert data["schemaVersion"] == 1 and set(data) == {"schemaVersion", "label", "message", "color"}
    assert re.fullmatch(r"[0-9a-f]{6}", data["color"]) and f'fill="#{data["color"]}"' in svg
    assert f"<title>{data['label']}: {data['message']}</title>" in svg


@pytest.mark.parametrize(("now", "api", "page"), [
    ("2026-11-28T21:00:00+01:00", "scheduled", "scheduled"),
    ("2026-11-28T23:00:00+01:00", "in_progress", "in-progress"),
    ("2026-11-29T12:00:00+01:00", "completed", "completed"),
])
def test_a_window_written_scheduled_is_in_progress_then_completed_everywhere(tmp_path: Path, sample, now: str, api: str,
                                                                              page: str) -> None:
    """A window whose file says `status: scheduled` (as most do): the API and the page follow the clock, as the banner does."""
    from datetime import datetime

    from gitdesk.site import scope_for, site_bundle

    root = sample.write_repo(tmp_path)
    path = root / "tickets/maintenance/MNT-0001.md"
    path.write_text(path.read_text(encoding="utf-8").replace("impact: outage\n", "impact: outage\nstatus: scheduled\n"),
                    encoding="utf-8")
    config, tickets, history = sample.load(root)
    assert next(t for t in tickets if t.id == "MNT-0001").get("status") == "scheduled"
    files = site_bundle(tickets, history, config, scope=scope_for(config, "client", "acme"), now=datetime.fromisoformat(now),
                        compute=sample.fake_compute).files
    summary = json.loads(str(files["api/v2/summary.json"]))
    listed = {m["id"]: m["status"] for m in summary["scheduled_maintenances"]}
    assert listed.get("MNT-0001", "completed") == api  # Statuspage lists upcoming and active windows only
    row = next(line for line in str(files["maintenance/index.md"]).splitlines() if "MNT-0001" in line)
    assert f"<td>{page}</td>" in row, row
