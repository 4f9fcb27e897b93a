"""Only gitdesk.history.git runs git: a wrapper anywhere else would skip its flags and error handling."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "generator"
#: the one module that runs git
ALLOWED = {PACKAGE / "history" / "git.py"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    found = [f"imports GitPython ({name})" for name in sorted(imported & {"git", "gitdb"})]
    names_git = any(isinstance(n, ast.Constant) and n.value == "git" for n in ast.walk(tree))
    if "subprocess" in imported and names_git:
        found.append("runs the git executable through subprocess")
    return found


def test_only_history_git_runs_git() -> None:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in ALLOWED:
            continue
        if problems := _violations(path):
            offenders[str(path.relative_to(PACKAGE))] = problems
    assert offenders == {}


def test_the_check_catches_a_wrapper(tmp_path: Path) -> None:
    wrapper = tmp_path / "wrapper.py"
    wrapper.write_text('import subprocess\n_GIT = ("git", "-C")\ndef run(*a):\n    return subprocess.run([*_GIT, *a])\n')
    assert _violations(wrapper) == ["runs the git executable through subprocess"]
    gitpython = tmp_path / "gp.py"
    gitpython.write_text("from git import Repo\n")
    assert _violations(gitpython) == ["imports GitPython (git)"]
