"""Helpers for the workflow tests: real Git repos in temp folders with fixed commit dates, a CLI runner."""

from __future__ import annotations

import os
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from gitdesk.workflow import scaffold
from gitdesk.cli import cli


@dataclass
class Desk:
    """A scaffolded gitdesk repo with Git history whose dates the test chooses."""

    root: Path
    clock: int = 0

    def git(self, *args: str) -> str:
        self.clock += 1
        when = f"2026-03-02T09:{self.clock // 60:02d}:{self.clock % 60:02d}+01:00"
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
               "GIT_AUTHOR_NAME": "Ana", "GIT_AUTHOR_EMAIL": "ana@example.org",
               "GIT_COMMITTER_NAME": "Ana", "GIT_COMMITTER_EMAIL": "ana@example.org",
               "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        proc = subprocess.run(["git", "-C", str(self.root), *args], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def run(self, *args: str) -> Result:
        return run_cli("--repo", str(self.root), *args)

    def snapshot(self) -> dict[str, bytes]:
        """Every file's bytes outside .git, to prove a refused command touched nothing."""
        return {str(p.relative_to(self.root)): p.read_bytes() for p in sorted(self.root.rglob("*"))
                if p.is_file() and ".git" not in p.relative_to(self.root).parts[:1]}


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def make_desk(tmp_path: Path) -> Desk:
    root = tmp_path / "desk"
    root.mkdir()
    scaffold.write_new(root, scaffold.init_files(title="Acme ERP — service status"))
    d = Desk(root)
    d.git("init", "-q", "-b", "main")
    d.commit("gitdesk init")
    return d


def incident(ticket_id: str, title: str = "Accounting export fails", **extra: str) -> str:
    lines = [f"id: {ticket_id}", f"title: {title}", "severity: P1", "status: reported"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\nSomething broke.\n"


def tiny_wheel(folder: Path, version: str) -> Path:
    """A minimal but real wheel named gitdesk, for pip to install offline."""
    wheel = folder / f"gitdesk-{version}-py3-none-any.whl"
    info = f"gitdesk-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: gitdesk\nVersion: {version}\n")
        archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        archive.writestr(f"{info}/RECORD", "")
    return wheel
