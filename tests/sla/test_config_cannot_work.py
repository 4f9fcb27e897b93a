"""Finding 10: configuration that cannot work is a config error (exit 2, gitdesk.yml and the key), never an internal error."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.sla.desk import CONFIG, gitdesk, new_desk, write_incident


def config_with(**calendar: Any) -> dict[str, Any]:
    config = copy.deepcopy(CONFIG)
    config["calendars"] = {"tiny": {"timezone": "Europe/Madrid", **calendar}}
    config["sla"]["targets"]["P1"] = {"calendar": "tiny", "response": "1h", "resolution": "99999h"}
    return config


@pytest.mark.parametrize("command", [["sla", "--now", "2026-03-03T12:00:00+01:00"], ["sla", "check"], ["validate"]])
def test_a_target_a_calendar_cannot_reach_in_ten_years_names_the_key(tmp_path: Path, command: list[str]) -> None:
    # one minute a week: about 8.7 working hours in ten years, against a 99999h target
    repo = new_desk(tmp_path, config_with(hours={"mon": ["09:00-09:01"]}))
    write_incident(repo, "2026-03-02T09:00:00+01:00", severity="P1")
    code, out = gitdesk(repo, *command)
    assert code == 2, out
    assert "internal error" not in out
    assert "gitdesk.yml" in out and "sla.targets.P1.resolution" in out
    assert "ten years" in out and "tiny" in out


def test_the_same_target_on_a_client_override_names_the_clients_key(tmp_path: Path) -> None:
    config = config_with(hours={"mon": ["09:00-09:01"]})
    config["sla"]["targets"]["P1"]["resolution"] = "8h"
    config["clients"][0]["sla"] = {"targets": {"P1": {"calendar": "tiny", "resolution": "99999h"}}}
    code, out = gitdesk(new_desk(tmp_path, config), "validate")
    assert code == 2 and "clients[0].sla.targets.P1.resolution" in out, out


def test_an_empty_week_is_refused(tmp_path: Path) -> None:
    code, out = gitdesk(new_desk(tmp_path, config_with(hours={"mon": []})), "validate")
    assert code == 2 and "internal error" not in out, out
    assert "gitdesk.yml" in out and "calendars.tiny" in out and "no working hours" in out


def test_an_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    config = config_with(hours={"mon": ["09:00-17:00"]})
    config["calendars"]["tiny"]["timezone"] = "Mars/Olympus_Mons"
    code, out = gitdesk(new_desk(tmp_path, config), "sla")
    assert code == 2 and "calendars.tiny.timezone" in out and "Mars/Olympus_Mons" in out, out


def test_a_reachable_target_on_a_thin_calendar_still_works(tmp_path: Path) -> None:
    # one hour a week reaches 40h in under a year: fine
    config = config_with(hours={"mon": ["09:00-10:00"]})
    config["sla"]["targets"]["P1"]["resolution"] = "40h"
    repo = new_desk(tmp_path, config)
    write_incident(repo, "2026-03-02T09:00:00+01:00", severity="P1")
    code, out = gitdesk(repo, "sla", "--now", "2026-03-03T12:00:00+01:00")
    assert code == 0, out
