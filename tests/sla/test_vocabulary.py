"""The one status vocabulary: the enums equal the schemas' lists, and the predicates match DESIGN.md's clock table."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from gitdesk.model import IncidentStatus, MaintenanceStatus, is_open


def _schema_statuses(kind: str) -> list[str]:
    text = resources.files("gitdesk.load").joinpath("schemas", f"{kind}.schema.json").read_text(encoding="utf-8")
    return list(json.loads(text)["properties"]["status"]["enum"])


@pytest.mark.parametrize(("kind", "enum"), [("incident", IncidentStatus), ("maintenance", MaintenanceStatus)])
def test_enum_is_the_schemas_list(kind: str, enum: type[IncidentStatus] | type[MaintenanceStatus]) -> None:
    assert [s.value for s in enum] == _schema_statuses(kind)


def test_predicates_follow_the_clock_table() -> None:
    assert {s.value for s in IncidentStatus if s.mitigated} == {"mitigated", "monitoring", "resolved", "closed", "deferred"}
    assert {s.value for s in IncidentStatus if s.resolved} == {"resolved", "closed", "deferred"}
    assert {s.value for s in IncidentStatus if s.withdrawn} == {"cancelled"}
    assert {s.value for s in IncidentStatus if not s.responded} == {"reported"}
    assert {s.value for s in IncidentStatus if s.open} == {"reported", "triaged", "investigating", "identified",
                                                            "mitigated", "monitoring", "waiting"}
    assert {s.value for s in IncidentStatus if s.paused(("waiting",))} == {"waiting"}


def test_a_misspelt_status_is_no_member_and_counts_as_open() -> None:
    assert IncidentStatus.parse("resovled") is None
    assert IncidentStatus.parse(None) is None
    assert is_open("resovled") and not is_open("closed")
