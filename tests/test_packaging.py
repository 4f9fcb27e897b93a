"""What a user installs: a distribution named gitdesk that is imported as gitdesk, and nothing else.

The wheel and sdist are built from this checkout by setuptools' own PEP 517 hooks
(no build isolation, so no download), then the wheel is run on its own: without
``site``'s .pth processing the editable install of the checkout is invisible, and
only the wheel's files (plus the dependencies in site-packages) can be imported.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist of this checkout, and the wheel built from that sdist (as pip would)."""
    out = tmp_path_factory.mktemp("dist")

    def hook(name: str, cwd: Path) -> Path:
        code = f"import sys, setuptools.build_meta as b; print('DIST', b.{name}(sys.argv[1]))"
        proc = subprocess.run([sys.executable, "-c", code, str(out)], cwd=cwd, capture_output=True, text=True, check=True)
        # setuptools logs to stdout too: our line is the marked one.
        return out / next(line for line in proc.stdout.splitlines() if line.startswith("DIST ")).split()[1]

    sdist = hook("build_sdist", ROOT)
    with tarfile.open(sdist) as tar:
        tar.extractall(out / "src", filter="data")
    return {"sdist": sdist, "wheel": hook("build_wheel", next((out / "src").iterdir()))}


def test_the_wheel_installs_one_top_level_package_named_gitdesk(dists: dict[str, Path]) -> None:
    names = zipfile.ZipFile(dists["wheel"]).namelist()
    assert {n.split("/")[0] for n in names} == {"gitdesk", "gitdesk-" + dists["wheel"].name.split("-")[1] + ".dist-info"}
    # Data the package reads at run time, the license, the typing marker, the entry points.
    for wanted in ("gitdesk/load/schemas/incident.schema.json", "gitdesk/site/assets/gitdesk.css",
                   "gitdesk/site/templates/status.md.j2", "gitdesk/workflow/templates/gitdesk.yml.j2",
                   "gitdesk/py.typed"):
        assert wanted in names, wanted
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(dists["wheel"]).read(entry_points).decode()
    assert "gitdesk = gitdesk.cli:main" in text
    assert "gitdesk = gitdesk.adapters.mkdocs_plugin:GitdeskPlugin" in text


def test_every_package_folder_is_in_the_wheel(dists: dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    for init in (ROOT / "generator").rglob("__init__.py"):
        shipped = "gitdesk/" + init.relative_to(ROOT / "generator").as_posix()
        assert shipped in names, f"{shipped}: add its package to [tool.setuptools] packages in pyproject.toml"


def test_the_sdist_carries_the_tests_and_the_license(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert {"LICENSE", "pyproject.toml", "tests/test_packaging.py", "tests/sla/conftest.py"} <= names
    assert not any("__pycache__" in n for n in names)


def test_the_wheel_alone_runs_the_cli_and_generator_is_not_importable(dists: dict[str, Path], tmp_path: Path) -> None:
    unpacked = tmp_path / "wheel"
    zipfile.ZipFile(dists["wheel"]).extractall(unpacked)
    env = {"PYTHONPATH": f"{unpacked}:{sysconfig.get_paths()['purelib']}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-S", *args], env=env, capture_output=True, text=True, cwd=tmp_path)

    where = run("-c", "import gitdesk; print(gitdesk.__file__)")
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith(str(unpacked))
    missing = run("-c", "import generator")
    assert missing.returncode == 1 and "No module named 'generator'" in missing.stderr
    init = run("-m", "gitdesk", "init", str(tmp_path / "desk"))
    assert init.returncode == 0, init.stderr
    validate = run("-m", "gitdesk", "--repo", str(tmp_path / "desk"), "validate", "--no-history")
    assert validate.returncode == 0, validate.stdout + validate.stderr
