"""Fixtures for the CLI tests: the site tests' sample desk as a real Git repo (fixed commit dates)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

SAMPLE = Path(__file__).parents[1] / "site" / "sample.py"


def _sample() -> ModuleType:
    # tests/ folders are not packages (pytest runs in importlib mode): load the shared sample by path.
    spec = importlib.util.spec_from_file_location("gitdesk_cli_sample", SAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def sample() -> ModuleType:
    return _sample()


@pytest.fixture(scope="session")
def shared_repo(tmp_path_factory: pytest.TempPathFactory, sample: ModuleType) -> Path:
    return sample.git_repo(tmp_path_factory.mktemp("cli-sample"))  # type: ignore[no-any-return]


@pytest.fixture
def repo(tmp_path: Path, shared_repo: Path) -> Path:
    """A private copy of the sample desk (tests here may write into it)."""
    return Path(shutil.copytree(shared_repo, tmp_path / "repo", symlinks=True))
