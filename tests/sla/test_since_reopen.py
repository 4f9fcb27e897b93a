"""`sla.since`: a breach in a cycle that started before it is history, even when the ticket is reopened after it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.sla.desk import CONFIG, INCIDENT, gitdesk, land, new_desk, ticket

NOW = "2026-06-20T12:00:00+02:00"
SINCE = "2026-06-01T00:00:00+02:00"
PATH = INCIDENT.replace("/", "__")


def _desk(tmp_path: Path, reopened_for: str) -> Path:
    """A P0 opened and resolved late in May (resolution breached: 6 h of 4 h), reopened on 8 June for ``reopened_for``."""
    config = copy.deepcopy(CONFIG)
    config["sla"]["since"] = SINCE
    repo = new_desk(tmp_path, config, when="2026-05-01T09:00:00+02:00")
    land(repo, "2026-05-14T10:00:00+02:00", **{PATH: ticket()})
    land(repo, "2026-05-14T10:05:00+02:00", **{PATH: ticket(status="investigating")})
    land(repo, "2026-05-14T10:30:00+02:00", **{PATH: ticket(status="mitigated")})
    land(repo, "2026-05-14T16:00:00+02:00", **{PATH: ticket(status="resolved")})
    land(repo, "2026-06-08T09:00:00+02:00", **{PATH: ticket(status="investigating")})
    land(repo, {"1h": "2026-06-08T10:00:00+02:00", "5h": "2026-06-08T14:00:00+02:00"}[reopened_for], **{PATH: ticket(status="resolved")})
    return repo


def test_a_breach_before_sla_since_does_not_fail_sla_check_after_a_reopen_that_met_its_target(tmp_path: Path) -> None:
    repo = _desk(tmp_path, "1h")
    code, out = gitdesk(repo, "sla", "--format", "json", "--now", NOW)
    resolution = json.loads(out)["tickets"][0]["targets"]["resolution"]
    # `sla` reports the whole history: two cycles, one of them breached
    assert (resolution["state"], resolution["cycles"], resolution["ever_breached"]) == ("met", 2, True)
    code, out = gitdesk(repo, "sla", "check", "--now", NOW)
    assert code == 0 and "GD320" not in out, out


def test_a_breach_in_the_cycle_after_sla_since_still_fails_it(tmp_path: Path) -> None:
    repo = _desk(tmp_path, "5h")
    code, out = gitdesk(repo, "sla", "check", "--now", NOW)
    assert code == 1 and "GD320" in out and "INC-0001: breached resolution (5h of 4h)" in out, out


def test_without_sla_since_the_earlier_breach_is_named_as_earlier(tmp_path: Path) -> None:
    repo = _desk(tmp_path, "1h")
    (repo / "gitdesk.yml").write_text((repo / "gitdesk.yml").read_text(encoding="utf-8").replace("since:", "# since:"), encoding="utf-8")
    land(repo, "2026-06-10T09:00:00+02:00", message="no since", **{"gitdesk.yml": (repo / "gitdesk.yml").read_text(encoding="utf-8")})
    code, out = gitdesk(repo, "sla", "check", "--now", NOW)
    assert code == 1 and "INC-0001: breached resolution (in an earlier cycle; the latest took 1h of 4h)" in out, out
