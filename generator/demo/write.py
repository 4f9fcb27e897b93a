"""Replay a :class:`~gitdesk.demo.plan.Plan` into a new Git repo through one ``git fast-import`` stream.

Ids are given in landing order. Most changes land as a pull request: a commit
on a branch started from ``main`` as it stood when the work began, merged with
``--no-ff`` (the merge's committer time is the landed time the SLA clock
reads). Some land as squashes, authored earlier; a few are direct commits.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from gitdesk.demo import vocab
from gitdesk.demo.plan import SEED, Plan, build_plan
from gitdesk.demo.render import render
from gitdesk.history import git
from gitdesk.demo.timeline import Ref, Style
from gitdesk.history.fastimport import FastImport
from gitdesk.load.files import parse_document
from gitdesk.model import Kind

#: the one scratch branch every PR commit is written on (reset to its base each time)
PR_BRANCH = "pr"


@dataclass
class _State:
    """A ticket as the replay has built it so far."""

    kind: Kind
    fields: dict[str, Any]
    body: str


def write_plan(plan: Plan, fast: FastImport) -> int:
    """Replay ``plan`` into a fast-import stream on ``main``; return the number of commits written."""
    setup = fast.commit("main", when=plan.setup_at, author=vocab.MANAGER.ident,
                        message="Set up the service desk: gitdesk.yml, mkdocs.yml, runbooks\n", files=plan.static)
    main_times, main_marks = [plan.setup_at.timestamp()], [setup]
    commits, pr = 1, 0
    changes = sorted(plan.changes, key=lambda c: (c.when, c.seq))
    counters: dict[Kind, int] = {}
    states: dict[int, _State] = {}
    last_landed: dict[int, datetime] = {}
    previous = plan.setup_at
    for change in changes:
        when = max(change.when.replace(microsecond=0), previous + timedelta(seconds=1))
        previous = when
        for edit in change.edits:
            if edit.create and edit.ref.id is None:
                counters[edit.ref.kind] = counters.get(edit.ref.kind, 0) + 1
                edit.ref.id = f"{edit.ref.kind.prefix}-{counters[edit.ref.kind]:04d}"
                edit.ref.year = when.year
        files: dict[str, str] = {}
        lead = change.lead
        for edit in change.edits:
            key = id(edit.ref)
            assert edit.ref.id is not None, f"an edit of a {edit.ref.kind.value} that was never created: {change.message!r}"
            state = states.get(key)
            if state is None:
                state = _runbook_state(plan, edit.ref) if edit.ref.kind is Kind.RUNBOOK else _State(edit.ref.kind, {"id": edit.ref}, "")
                states[key] = state
            state.fields.update(edit.set)
            for name, value in edit.append.items():
                state.fields[name] = [*state.fields.get(name, []), value]
            if edit.body is not None:
                state.body = edit.body
            files[edit.ref.path] = render(state.kind, state.fields, state.body)
            if key in last_landed:
                lead = min(lead, (when - last_landed[key]) * 0.8)
            last_landed[key] = when
        message = str(change.message) + "\n"
        authored = when - lead
        if change.style is Style.MERGE:
            pr += 1
            # the PR branched from main as it stood when the work started
            base = main_marks[max(0, bisect_right(main_times, authored.timestamp()) - 1)]
            branch = fast.commit(PR_BRANCH, when=authored, author=change.author.ident, message=message, files=files, parent=base)
            subject = str(change.message).split(" — ")[0].lower().replace(": ", "-").replace(" ", "-")
            mark = fast.commit("main", when=when, author=change.author.ident, committer=vocab.MERGER, author_when=when,
                               message=f"Merge pull request #{pr} from acme-ops/{subject}\n\n{message}", files=files,
                               merges=[branch])
            commits += 2
        elif change.style is Style.SQUASH:
            pr += 1
            mark = fast.commit("main", when=when, author=change.author.ident, committer=vocab.MERGER, author_when=authored,
                               message=f"{str(change.message)} (#{pr})\n", files=files)
            commits += 1
        else:
            mark = fast.commit("main", when=when, author=change.author.ident, message=message, files=files)
            commits += 1
        main_times.append(when.timestamp())
        main_marks.append(mark)
    return commits


def _runbook_state(plan: Plan, ref: Ref) -> _State:
    """A runbook's state as the first commit left it (runbooks start in the static files)."""
    doc = parse_document(plan.static[ref.path].encode("utf-8"), ref.path)
    return _State(Kind.RUNBOOK, dict(doc.fields), doc.body)


@dataclass(frozen=True)
class DemoResult:
    path: Path
    commits: int
    head: str


def create_demo(directory: Path, *, size: str = "full", seed: int = SEED) -> DemoResult:
    """Create a fresh Git repo at ``directory`` holding the demo story, checked out on main.

    ``directory`` must not exist or be empty (the CLI handles ``--force``).
    """
    plan = build_plan(size, seed)
    directory.mkdir(parents=True, exist_ok=True)
    git.run(directory, "init", "-q", "-b", "main")
    with FastImport(directory) as fast:
        commits = write_plan(plan, fast)
    git.run(directory, "update-ref", "-d", f"refs/heads/{PR_BRANCH}")  # merged PR branches are deleted, as on a forge
    git.run(directory, "-c", "core.autocrlf=false", "reset", "-q", "--hard", "main")
    head = git.run(directory, "rev-parse", "main").decode().strip()
    return DemoResult(directory, commits, head)
