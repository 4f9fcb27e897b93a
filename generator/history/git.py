"""Git access: the only module in gitdesk that runs git or imports GitPython.

GitPython's :class:`git.Repo` finds the repository (from any subfolder),
reads refs and config without starting a process; its :class:`git.Git`
runner starts the commands gitdesk streams (``git log``, ``git cat-file
--batch``) or runs to the end (notes, ``update-ref``, ``ls-tree``).

GitPython is imported on first use, not with this module: its import runs
``git version``, and that is also how a missing git shows up (as a
:class:`~gitdesk.errors.RepoError`, exit 2, never a traceback).
"""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, Iterable

from gitdesk.errors import RepoError

if TYPE_CHECKING:
    import git

#: on every command: no signature checks (a gpg call per commit, and lines the parsers do not expect), paths raw
FLAGS = ("-c", "log.showSignature=false", "-c", "core.quotepath=off")
#: the desk's configuration file; its folder is the gitdesk root
CONFIG_FILE = "gitdesk.yml"
#: notes that witness when a commit was first seen on the evidence branch
WITNESS_NOTES = "refs/notes/gitdesk-witness"
#: the last commit whose events were notified
NOTIFIED_REF = "refs/gitdesk/notified"
_NO_GIT_HINT = "install git; gitdesk reads SLA evidence from it"
_ZERO = "0" * 40


class RefMoved(RepoError):
    """A compare-and-swap ref update lost: the ref no longer held the expected commit."""


def _gitpython() -> ModuleType:
    try:
        import git
    except ModuleNotFoundError as exc:
        raise RepoError(f"GitPython is missing ({exc})", hint="reinstall gitdesk with its dependencies") from None
    except ImportError:  # GitPython runs `git version` on import and refuses to load without git
        raise RepoError("git is not installed or not on PATH", hint=_NO_GIT_HINT) from None
    return git


# --- running commands -------------------------------------------------------------


class Process:
    """A running git command: ``stdout`` (and ``stdin`` when asked for) are pipes.

    stderr is collected by a thread, so a chatty git never blocks on it.
    """

    def __init__(self, handle: Any) -> None:
        self._handle = handle  # GitPython's AutoInterrupt: it kills the process if dropped unfinished
        self._popen: subprocess.Popen[bytes] = handle.proc
        self._stderr = bytearray()
        self._drain = threading.Thread(target=self._collect, daemon=True)
        self._drain.start()

    def _collect(self) -> None:
        assert self._popen.stderr is not None
        while chunk := self._popen.stderr.read(1 << 14):
            self._stderr += chunk

    @property
    def stdin(self) -> IO[bytes]:
        assert self._popen.stdin is not None
        return self._popen.stdin

    @property
    def stdout(self) -> IO[bytes]:
        assert self._popen.stdout is not None
        return self._popen.stdout

    def kill(self) -> None:
        """Stop the command now (a reader that gave up must not leave git writing)."""
        self._popen.kill()

    def finish(self) -> tuple[int, str]:
        """Wait for the command; return its exit code and what it wrote to stderr."""
        code = self._popen.wait()
        self._drain.join()
        for stream in (self._popen.stdin, self._popen.stdout, self._popen.stderr):
            if stream is not None and not stream.closed:
                stream.close()
        return code, self._stderr.decode("utf-8", "replace").strip()


def _spawn(folder: Path, args: tuple[str, ...], *, stdin: bool, stdout: bool = True) -> Any:
    gp = _gitpython()
    # GitPython runs in ``folder`` and -C enters it again: a relative folder must not be entered twice
    folder = folder.absolute()
    runner = gp.Git(str(folder))
    try:
        # -C as well: GitPython quietly runs in the current folder when it cannot enter ``folder``
        return runner.execute([runner.GIT_PYTHON_GIT_EXECUTABLE, "-C", str(folder), *FLAGS, *args], as_process=True,
                              istream=subprocess.PIPE if stdin else None, with_stdout=stdout)
    except gp.GitCommandNotFound:
        raise RepoError("git is not installed or not on PATH", hint=_NO_GIT_HINT) from None


def start(folder: Path, *args: str, stdin: bool = False, stdout: bool = True) -> Process:
    """Start ``git args`` in ``folder`` with :data:`FLAGS`; its output is streamed, not waited for.

    ``stdin`` opens a pipe to write to; ``stdout=False`` discards the output.
    """
    return Process(_spawn(folder, args, stdin=stdin, stdout=stdout))


def _complete(folder: Path, args: tuple[str, ...], stdin: bytes | None = None) -> tuple[int, bytes, str]:
    handle = _spawn(folder, args, stdin=stdin is not None)
    out, err = handle.proc.communicate(stdin)
    return int(handle.proc.returncode), out, err.decode("utf-8", "replace").strip()


def run(folder: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run ``git args`` in ``folder`` to the end and return its stdout.

    A non-zero exit raises :class:`RepoError` naming the command and git's last line.
    """
    code, out, err = _complete(folder, args, stdin)
    if code != 0:
        lines = err.splitlines()
        raise RepoError(f"git {args[0]} failed: {lines[-1] if lines else f'exit code {code}'}")
    return out


def git_ok(folder: Path, *args: str) -> bool:
    """Whether ``git args`` succeeds in ``folder`` (False when git is not installed)."""
    if not folder.is_dir():
        return False
    try:
        return _complete(folder, args)[0] == 0
    except RepoError:
        return False


# --- the repository ---------------------------------------------------------------


def open_repo(folder: Path) -> git.Repo:
    """The Git repository whose work tree holds ``folder`` (searching upward), as a GitPython Repo.

    Raises :class:`RepoError` when ``folder`` is not in the work tree of a
    (non-bare) repository.
    """
    gp = _gitpython()
    if not folder.is_dir():
        raise RepoError(f"{folder} is not a folder")
    repo: git.Repo | None
    try:
        repo = gp.Repo(folder, search_parent_directories=True)
    except (gp.InvalidGitRepositoryError, gp.NoSuchPathError):
        repo = None
    if repo is None or repo.working_tree_dir is None:
        raise RepoError(f"{folder} is not a Git repository",
                        hint="SLA figures come from Git history: run `git init` and commit the tickets, or pass --repo")
    return repo


def landing_paths(folder: Path) -> list[Path]:
    """What a commit, merge, reset or new witness note changes on disk: HEAD, refs and packed refs.

    A preview watches them, since the timeline and the clocks read commits, not
    only files. Empty when ``folder`` is not in a repository.
    """
    try:
        common = Path(open_repo(folder).common_dir)
    except RepoError:
        return []
    return [path for path in (common / "HEAD", common / "refs", common / "packed-refs") if path.exists()]


def is_git_repo(folder: Path) -> bool:
    """True if ``folder`` is inside a Git work tree (cheap; no history is read)."""
    try:
        open_repo(folder)
    except RepoError:
        return False
    return True


def has_commits(folder: Path) -> bool:
    """True if ``folder`` is in a Git work tree with at least one commit (cheap; no history is read)."""
    try:
        return bool(open_repo(folder).head.is_valid())
    except RepoError:
        return False


def find_root(start: Path) -> Path:
    """The gitdesk root for ``start``: the nearest folder holding gitdesk.yml, searching upward.

    ``start`` itself is returned as given when it holds gitdesk.yml (a desk
    need not be in Git for file checks). Otherwise the search goes up to the
    top of the Git work tree, never above it. Raises :class:`RepoError`
    (exit 2) when there is none.
    """
    if (start / CONFIG_FILE).is_file():
        return start
    hint = "run gitdesk inside a gitdesk repo, pass --repo PATH, or create one with `gitdesk init`"
    try:
        top = Path(str(open_repo(start).working_tree_dir)).resolve()
    except RepoError:
        raise RepoError(f"no {CONFIG_FILE} in {start}, and it is not inside a Git work tree", hint=hint) from None
    for folder in start.resolve().parents:
        if not folder.is_relative_to(top):
            break
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise RepoError(f"no {CONFIG_FILE} in {start} nor in any folder above it up to the Git work tree {top}", hint=hint)


@dataclass(frozen=True)
class Branch:
    """Where the evidence is read: the repository, the desk inside it, and the branch's tip."""

    work_tree: Path
    #: the repository's Git dir (of this worktree): the history cache lives there
    git_dir: Path
    #: the gitdesk root inside the work tree, "" or "sub/dir/"
    prefix: str
    #: the ref actually read (local branch, else its origin copy)
    ref: str
    tip: str


def resolve_ref(repo: git.Repo, name: str) -> str | None:
    """The commit a ref (``refs/...``) points to, read by GitPython without a process; None if absent."""
    gp = _gitpython()
    try:
        return str(gp.SymbolicReference.dereference_recursive(repo, name))
    except (ValueError, OSError):
        return None


def open_branch(folder: Path, branch: str) -> Branch:
    """Check that ``folder``'s repository can give SLA evidence from ``branch``; say where it is.

    Raises :class:`RepoError` for a folder outside Git, a shallow clone, a
    repository without commits, or a branch that exists neither locally nor as
    ``origin/<branch>``.
    """
    repo = open_repo(folder)
    work_tree = Path(str(repo.working_tree_dir)).resolve()
    inside = folder.resolve().relative_to(work_tree).as_posix()
    prefix = "" if inside == "." else inside + "/"
    if (Path(repo.common_dir) / "shallow").is_file():
        raise RepoError(
            "this is a shallow clone: landed times of older commits are missing, so SLA figures would be wrong",
            hint="fetch the whole history: `git fetch --unshallow`, or in GitHub Actions `actions/checkout` with `fetch-depth: 0`",
        )
    if not repo.head.is_valid():
        raise RepoError(f"{folder} has no commits yet", hint="commit the tickets to your main branch first; SLA clocks start at landed commits")
    ref = main_ref(repo, branch)
    if ref is None:
        raise RepoError(
            f"branch {branch!r} does not exist here (neither locally nor as origin/{branch})",
            hint=f"evidence is read from the branch clients see: fetch it (`git fetch origin {branch}`) or set `branch:` in gitdesk.yml",
        )
    return Branch(work_tree, Path(repo.git_dir), prefix, ref[0], ref[1])


def main_ref(repo: git.Repo, branch: str) -> tuple[str, str] | None:
    """The evidence branch's ref and tip: local if present, else its origin copy (as in a CI clone)."""
    for candidate in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        tip = resolve_ref(repo, candidate)
        if tip is not None:
            return candidate, tip
    return None


def config_value(folder: Path, section: str, option: str) -> str | None:
    """A value from the repository's Git config (all levels merged), or None when unset."""
    reader = open_repo(folder).config_reader()
    return str(reader.get(section, option)) if reader.has_option(section, option) else None


# --- refs and notes -----------------------------------------------------------------


def read_ref(folder: Path, name: str) -> str | None:
    """The commit ``name`` (a full ``refs/...`` name) points to, or None if it does not exist."""
    return resolve_ref(open_repo(folder), name)


def update_ref(folder: Path, name: str, commit: str, *, expected: str | None) -> None:
    """Point ``name`` at ``commit`` atomically, if it still points at ``expected`` (None: must not exist).

    Raises :class:`RefMoved` when another run moved it first, so that what the
    ref records (e.g. events already notified) is never done twice.
    """
    if not name.startswith("refs/"):
        raise ValueError(f"{name!r} is not a full ref name")
    try:
        run(folder, "update-ref", "--no-deref", name, commit, expected or _ZERO)
    except RepoError as exc:
        if read_ref(folder, name) != expected:
            raise RefMoved(f"{name} moved: expected {expected or 'no ref'}, found {read_ref(folder, name)}") from exc
        raise


def read_note(folder: Path, commit: str, *, ref: str = WITNESS_NOTES) -> str | None:
    """The note attached to ``commit`` under the notes ref ``ref``, or None if it has none."""
    code, out, err = _complete(folder, ("notes", "--ref", ref, "show", commit))
    if code != 0:
        if "no note found" in err:
            return None
        raise RepoError(f"git notes show {commit} failed: {err}")
    return out.decode("utf-8", "replace")


def write_note(folder: Path, commit: str, text: str, *, ref: str = WITNESS_NOTES) -> None:
    """Attach ``text`` to ``commit`` under ``ref``, replacing an earlier note there."""
    run(folder, "notes", "--ref", ref, "add", "-f", "-F", "-", commit, stdin=text.encode("utf-8"))


@dataclass(frozen=True)
class Revision:
    """One first-parent commit that changed a file, as ``git log --numstat`` tells it."""

    sha: str
    committed_at: datetime
    authored_at: datetime
    author: str
    subject: str
    #: the desk-relative path it changed
    path: str
    added: int
    deleted: int


def file_revisions(folder: Path, branch: str, paths: Iterable[str]) -> list[Revision]:
    """Every first-parent commit of ``branch`` that changed one of ``paths`` (desk-relative), oldest first.

    Front matter and body alike: the history fold keeps versions only where
    fields change, so a revision of the text alone is found here. One ``git log``
    for one ticket: this serves ``gitdesk history``, not the hot path.
    """
    where = open_branch(folder, branch)
    wanted = sorted(set(paths))
    if not wanted:
        return []
    out = run(folder, "log", "--first-parent", "--reverse", "--diff-merges=first-parent", "--numstat", "--no-renames",
              "--format=%x1e%H%x1f%cI%x1f%aI%x1f%an%x1f%s", where.ref, "--", *(where.prefix + p for p in wanted))
    found = []
    for record in out.decode("utf-8", "replace").split("\x1e")[1:]:
        head, _, stats = record.partition("\n")
        sha, committed, authored, author, subject = head.split("\x1f", 4)
        for line in stats.splitlines():
            parts = line.split("\t", 2)
            if len(parts) == 3 and parts[2].startswith(where.prefix):
                added, deleted = (int(n) if n.isdigit() else 0 for n in parts[:2])
                found.append(Revision(sha, datetime.fromisoformat(committed), datetime.fromisoformat(authored), author, subject,
                                      parts[2][len(where.prefix):], added, deleted))
    return found
