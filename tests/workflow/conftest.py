"""Fixtures for the workflow tests; helpers live in workflow_testkit (importable by the tests)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: make the testkit importable

from workflow_testkit import Desk, make_desk  # noqa: E402


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(tmp_path)
