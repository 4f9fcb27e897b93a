"""Fixtures for the site tests: the sample repo (see sample.py), built once per session where it is costly."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).parent


def _sample() -> ModuleType:
    # tests/ folders are not packages (pytest runs in importlib mode): load the helper by path.
    spec = importlib.util.spec_from_file_location("gitdesk_site_sample", HERE / "sample.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def sample() -> ModuleType:
    return _sample()


@pytest.fixture(scope="session")
def sample_git_repo(tmp_path_factory: pytest.TempPathFactory, sample: ModuleType) -> Path:
    """The sample as a real Git repo with back-dated commits (shared, do not modify)."""
    return sample.git_repo(tmp_path_factory.mktemp("sample-repo"))


@pytest.fixture(scope="session")
def built_sites(tmp_path_factory: pytest.TempPathFactory, sample_git_repo: Path, sample: ModuleType) -> dict[str, Path]:
    """`gitdesk build` output for: client acme, client globex, the internal audience."""
    from gitdesk.adapters.mkdocs_build import build_site
    from gitdesk.pipeline import SiteOptions
    from gitdesk.site import Audience

    out = tmp_path_factory.mktemp("sites")
    sites = {}
    for name, audience, client in (("acme", Audience.CLIENT, "acme"), ("globex", Audience.CLIENT, "globex"),
                                   ("internal", Audience.INTERNAL, None)):
        build_site(SiteOptions(sample_git_repo, audience, client, sample.NOW), out / name)
        sites[name] = out / name
    return sites


@pytest.fixture(scope="session")
def sample_inputs(tmp_path_factory: pytest.TempPathFactory, sample: ModuleType) -> tuple:
    """(config, tickets, synthetic history) of the sample, no Git: for the pure core tests."""
    root = sample.write_repo(tmp_path_factory.mktemp("sample-files"))
    return sample.load(root)


@pytest.fixture(scope="session")
def bundle_for(sample_inputs: tuple, sample: ModuleType):
    """Render the sample's bundle for (audience, client) with the stand-in SLA compute."""
    from gitdesk.site import scope_for, site_bundle

    config, tickets, history = sample_inputs
    cache: dict = {}

    def make(audience: str, client: str | None):
        if (audience, client) not in cache:
            cache[audience, client] = site_bundle(tickets, history, config, scope=scope_for(config, audience, client),
                                                  now=sample.NOW, compute=sample.fake_compute)
        return cache[audience, client]

    return make


@pytest.fixture(scope="session")
def demo_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(repo, now): the small demo desk, a real Git repo with a year of back-dated history (shared, do not modify)."""
    from click.testing import CliRunner

    from gitdesk.cli import cli
    from gitdesk.demo.render import iso
    from gitdesk.demo.timeline import DEMO_NOW

    repo = tmp_path_factory.mktemp("demo") / "desk"
    result = CliRunner().invoke(cli, ["demo", "--size", "small", str(repo)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return repo, iso(DEMO_NOW)


@pytest.fixture(scope="session")
def demo_sites(demo_repo: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`gitdesk build` of the small demo at its own now: the internal site and the acme client site."""
    from click.testing import CliRunner

    from gitdesk.cli import cli

    repo, now = demo_repo
    out = tmp_path_factory.mktemp("demo-sites")
    for name, args in (("internal", ("--audience", "internal")), ("acme", ("--client", "acme"))):
        result = CliRunner().invoke(cli, ["--repo", str(repo), "build", *args, "--now", now, "--out", str(out / name)],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return {"internal": out / "internal", "acme": out / "acme"}
