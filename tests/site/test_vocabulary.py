"""The site speaks the one status vocabulary: Statuspage's words and "resolved" follow the SLA's meaning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitdesk.site.feeds import statuspage_status

STATUSPAGE = {"reported": "investigating", "triaged": "investigating", "investigating": "investigating",
              "waiting": "investigating", "identified": "identified", "mitigated": "monitoring", "monitoring": "monitoring",
              "resolved": "resolved", "closed": "resolved", "deferred": "resolved", "cancelled": "resolved",
              "resovled": "investigating"}


@pytest.mark.parametrize(("ours", "theirs"), sorted(STATUSPAGE.items()))
def test_statuspage_words_come_from_the_predicates(ours: str, theirs: str) -> None:
    assert statuspage_status(ours) == theirs


def test_a_deferred_incident_has_a_resolved_time_like_its_resolution_clock(tmp_path: Path, sample) -> None:
    """Deferring stops the resolution clock (DESIGN.md), so the API's resolved_at is set as for resolved."""
    from gitdesk.site import scope_for, site_bundle

    root = sample.write_repo(tmp_path)
    path = root / "tickets/incidents/2026/INC-0003.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: resolved", "status: deferred"), encoding="utf-8")
    config, tickets, history = sample.load(root)
    files = site_bundle(tickets, history, config, scope=scope_for(config, "internal", None), now=sample.NOW,
                        compute=sample.fake_compute).files
    found = next(i for i in json.loads(str(files["api/v2/incidents.json"]))["incidents"] if i["id"] == "INC-0003")
    assert (found["status"], found["resolved_at"] is not None) == ("resolved", True)
