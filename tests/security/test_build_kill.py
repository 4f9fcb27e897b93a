"""Finding 8: a build killed with SIGKILL left forked workers alive and a stray `.site.new-*` folder.

Real processes: a real `gitdesk build` (and a bare :func:`gitdesk.parallel.run_all`)
is killed with SIGKILL, then /proc says which of its workers still run.
Waits are bounded polls for an event, never assertions about durations.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gitdesk import parallel
from tests.security.build_kit import NOW, leftovers, run, sample

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or parallel.workers() < 2,
                                reason="needs Linux /proc and at least two cores (run_all forks no workers otherwise)")

#: A parent that runs sleeping jobs in forked workers, each job first writing its pid into a folder.
PARENT = textwrap.dedent("""\
    import os, sys, time
    from pathlib import Path
    from gitdesk import parallel

    folder = Path(sys.argv[1])

    def job():
        (folder / str(os.getpid())).touch()
        time.sleep(600)

    parallel.run_all([job] * 8, min_jobs=1)
""")


def alive(pid: int) -> bool:
    """Whether ``pid`` is a process that still runs (a zombie has ended; it only waits to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def children(pid: int) -> set[int]:
    """The pids whose parent is ``pid``, from /proc (what `ps --ppid` shows)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def wait_for(condition, *, limit: float = 60.0) -> bool:
    """Poll ``condition`` until it holds or ``limit`` seconds pass; whether it held."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def kill_and_collect(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def test_workers_die_with_a_parent_killed_by_sigkill(tmp_path: Path) -> None:
    started = tmp_path / "started"
    started.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", PARENT, str(started)])
    try:
        assert wait_for(lambda: len(list(started.iterdir())) >= 2), "the workers never started their jobs"
        workers = {int(p.name) for p in started.iterdir()}
        assert workers and proc.pid not in workers
    finally:
        kill_and_collect(proc)
    assert wait_for(lambda: not any(alive(pid) for pid in workers), limit=30), \
        f"workers still running after their parent was killed: {sorted(p for p in workers if alive(p))}"


def big_desk(root: Path, count: int) -> Path:
    """The sample desk plus ``count`` small resolved incidents, committed: enough to render pages in forked workers."""
    root.mkdir()
    sample.git_repo(root)
    folder = root / "tickets/incidents/2025"
    folder.mkdir(parents=True)
    for n in range(1000, 1000 + count):
        (folder / f"INC-{n:04d}.md").write_text(
            f"---\nid: INC-{n:04d}\ntitle: Export failure {n}\nseverity: P3\nstatus: resolved\nclient: acme\n"
            f"components: [accounting]\nreported_at: '2025-06-01T10:00:00+00:00'\nupdate: Fixed.\n---\nBody {n}.\n",
            encoding="utf-8")
    sample._git(root, "add", "-A")
    sample._git(root, "commit", "-q", "-m", "many incidents", when=sample.NOW.replace(day=20))
    return root


def test_a_killed_build_leaves_no_worker_and_the_next_build_removes_its_folder(tmp_path: Path) -> None:
    repo = big_desk(tmp_path / "desk", 700)
    proc = subprocess.Popen([sys.executable, "-m", "gitdesk", "--repo", str(repo), "build", "--client", "acme", "--now", NOW],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Forked workers run gitdesk's own code; git, which the build also starts, is not one.
        def workers() -> set[int]:
            return {pid for pid in children(proc.pid) if b"gitdesk" in _cmdline(pid)}

        # Kill it while it renders pages in workers into its fresh output folder.
        seen: set[int] = set()

        def rendering() -> bool:
            current = workers()
            if current and leftovers(repo):
                seen.update(current)
                return True
            return proc.poll() is not None

        assert wait_for(rendering, limit=240)
        assert seen, "the build forked no worker while writing its site (it finished first)"
    finally:
        kill_and_collect(proc)
    assert wait_for(lambda: not any(alive(pid) for pid in seen), limit=30), \
        f"workers still running after the build was killed: {sorted(p for p in seen if alive(p))}"
    stray = leftovers(repo)
    assert stray and all(name.startswith(".site.new-") for name in stray)

    # A folder of a build still running (this test's process) and one named the old way are not provably stale.
    running = repo / f".site.new-{os.getpid()}@{socket.gethostname()}-abcd1234"
    unnamed = repo / ".site.new-xyz98765"
    running.mkdir()
    unnamed.mkdir()
    result = run(repo, "build", "--client", "acme", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert leftovers(repo) == sorted([running.name, unnamed.name])


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
