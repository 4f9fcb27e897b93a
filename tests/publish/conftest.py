"""Fixtures for the publish tests; helpers live in publish_testkit (importable by the tests)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: make the testkit importable

from publish_testkit import NGINX, Server, add_access, free_port, nginx, publish, sample  # noqa: E402


@pytest.fixture(scope="session")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample desk as a real Git repo, with access files (shared: do not modify)."""
    repo = tmp_path_factory.mktemp("desk") / "repo"
    repo.mkdir()
    return add_access(sample.git_repo(repo))


@pytest.fixture
def own_desk(tmp_path: Path, desk: Path) -> Path:
    """A copy of the desk that a test may change."""
    copy = tmp_path / "repo"
    shutil.copytree(desk, copy, symlinks=True)
    return copy


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, desk: Path) -> Iterator[Server]:
    """The desk published with SECRET and served by nginx (shared: do not republish into it)."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run does it)")
    out = tmp_path_factory.mktemp("published") / "out"
    port = free_port()
    code, stdout, stderr = publish(desk, out, port)
    assert code == 0, stderr
    with nginx(out, port):
        yield Server(out, port, stdout)
