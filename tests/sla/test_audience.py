"""``gitdesk sla --audience client``: the figures a client's site states, which leave out its internal incidents.

A real Git repo with fixed times: acme has one public incident (response met)
and one ``visibility: internal`` incident (response breached, outage of an hour).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from gitdesk.cli import cli
from tests.sla.conftest import build_repo

NOW = "2026-03-06T12:00:00+01:00"
SCENARIO: dict[str, Any] = {
    "config": {"clients": [{"id": "acme", "name": "Acme Corp", "components": ["accounting"]}]},
    "commits": [
        {"at": "2026-03-02T09:00:00+01:00", "tickets": {
            "INC-0001": {"severity": "P1", "status": "reported", "client": "acme", "components": ["accounting"]},
            "INC-0002": {"severity": "P1", "status": "reported", "client": "acme", "components": ["accounting"],
                         "visibility": "internal", "impact": "outage"}}},
        {"at": "2026-03-02T09:30:00+01:00", "tickets": {"INC-0001": {"status": "investigating"}}},  # 30m of 1h: met
        {"at": "2026-03-02T11:00:00+01:00", "tickets": {"INC-0002": {"status": "mitigated"}}},  # 2h of 1h: breached
    ],
}


def sla(repo: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--repo", str(repo), "sla", "--now", NOW, "--format", "json", "--client", "acme", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def pooled(report: dict[str, Any]) -> float:
    stats = [s for targets in report["summary"]["by_severity"].values() for s in targets.values()]
    met, breached = sum(s["met"] for s in stats), sum(s["breached"] for s in stats)
    return met / (met + breached)


def test_the_client_audience_leaves_out_internal_incidents_and_the_provider_view_keeps_them(tmp_path: Path) -> None:
    repo = build_repo(tmp_path, SCENARIO)
    provider, client = sla(repo), sla(repo, "--audience", "client")

    assert [t["id"] for t in provider["tickets"]] == ["INC-0001", "INC-0002"]
    assert [t["id"] for t in client["tickets"]] == ["INC-0001"]
    assert provider["summary"]["by_severity"]["P1"]["response"]["compliance"] == 0.5
    assert client["summary"]["by_severity"]["P1"]["response"]["compliance"] == 1.0
    # the hidden incident's outage is not in the client's uptime either: counting it would reveal it
    assert provider["summary"]["uptime"]["accounting"]["30"]["outage_seconds"] == 2 * 3600
    assert client["summary"]["uptime"]["accounting"]["30"]["outage_seconds"] == 0
    assert client["summary"]["uptime_by_month"]["2026-03"]["accounting"]["outage_seconds"] == 0

    site = tmp_path / "site"
    built = CliRunner().invoke(cli, ["--repo", str(repo), "build", "--client", "acme", "--now", NOW, "--out", str(site)])
    assert built.exit_code == 0, built.output
    home = (site / "index.html").read_text(encoding="utf-8")
    shown = re.search(r'data-figure="compliance"><dt>[^<]*</dt><dd>([^<]*)</dd>', home)
    assert shown and shown.group(1) == f"{pooled(client) * 100:.1f}%" != f"{pooled(provider) * 100:.1f}%"
    assert "INC-0002" not in home and not (site / "incidents" / "INC-0002.html").exists()
    assert "These figures count the incidents published on this site." in (site / "sla" / "index.html").read_text(encoding="utf-8")
