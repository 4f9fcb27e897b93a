"""The converters, case by case: a source file in ``golden/<tool>/``, the conversion next to it as JSON.

A new case is one new source file; ``GITDESK_REGEN=1`` writes its expected JSON
(review it by hand before committing).
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gitdesk.importers import Converted, backlog_md, cstate, madr

GOLDEN = Path(__file__).parent / "golden"
REGEN = bool(os.environ.get("GITDESK_REGEN"))
#: the commit every cState case is converted in; posts dated after it are announced ahead
LANDED = datetime.fromisoformat("2026-03-02T12:00:00+01:00")


def _convert(tool: str, name: str, text: str) -> Converted:
    if tool == "cstate":
        return cstate.convert(text, f"content/issues/{name}", zone=ZoneInfo("Europe/Madrid"), landed_at=LANDED, first_landed=LANDED)
    if tool == "madr":
        return madr.convert(text, f"docs/decisions/{name}")
    return backlog_md.convert(text, f"backlog/tasks/{name}")


CASES = sorted(p for p in GOLDEN.glob("*/*.md"))


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_conversion_matches_its_golden_file(case: Path) -> None:
    converted = _convert(case.parent.name, case.name, case.read_text("utf-8"))
    record = dataclasses.asdict(converted.record) if converted.record else None
    if record is not None:
        record["kind"] = converted.record.kind.value if converted.record and converted.record.kind else None
    actual = {"record": record, "problems": converted.problems}
    expected_path = case.with_suffix(".json")
    if REGEN or not expected_path.exists():
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert actual == json.loads(expected_path.read_text("utf-8"))
