from __future__ import annotations

from pathlib import Path

import pytest

from tests.foundation.helpers import CASES, make_repo


@pytest.fixture
def case_repo(tmp_path: Path):
    def factory(name: str) -> Path:
        return make_repo(CASES / name, tmp_path / name)

    return factory
