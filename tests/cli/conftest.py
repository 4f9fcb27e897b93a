"""Fixtures for the CLI tests: the site tests' sample desk as a real Git repo (fixed commit dates)."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import pytest

from tests.site import sample as sample_module


@pytest.fixture(scope="session")
def sample() -> ModuleType:
    return sample_module


@pytest.fixture(scope="session")
def shared_repo(tmp_path_factory: pytest.TempPathFactory, sample: ModuleType) -> Path:
    return sample.git_repo(tmp_path_factory.mktemp("cli-sample"))  # type: ignore[no-any-return]


@pytest.fixture
def repo(tmp_path: Path, shared_repo: Path) -> Path:
    """A private copy of the sample desk (tests here may write into it)."""
    return Path(shutil.copytree(shared_repo, tmp_path / "repo", symlinks=True))
