"""Golden cases: a folder of ticket files in, the exact `validate --format json` out.

Add a case by adding a folder under cases/ (regenerate its expected.json with
GITDESK_REGEN=1, then read it line by line before committing).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.foundation.helpers import CASES, validate_json

CASE_NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case(name: str, case_repo) -> None:
    repo = case_repo(name)
    code, report = validate_json(repo)
    expected_file = CASES / name / "expected.json"
    if os.environ.get("GITDESK_REGEN"):
        expected_file.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(expected_file.read_text("utf-8"))
    assert report == expected
    assert code == (1 if expected["errors"] else 0)


def test_every_refusal_is_reported_once_per_file(case_repo) -> None:
    """One bad file never hides another: each refused file has its own error."""
    repo = case_repo("refusals")
    _, report = validate_json(repo)
    files = {e["file"] for e in report["errors"]}
    on_disk = {p.relative_to(repo).as_posix() for p in (repo / "runbooks").iterdir()}
    assert files == on_disk
