"""Spreading many small, independent, CPU-bound jobs (parse a file, render a page) over the cores.

Workers are forked: they inherit the jobs, the loaded modules and the data
the jobs close over, so nothing is pickled on the way in and only results
come back. Where fork is not available the jobs run one after the other,
with the same results in the same order.

Workers die with the process that forked them: a build killed with SIGKILL
(a CI timeout, the OOM killer) runs no cleanup, and its workers would
otherwise wait on their queue, or on a full result pipe, forever.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Sequence, TypeVar

R = TypeVar("R")

#: More slices than workers, so a worker that drew cheap jobs takes the next slice instead of idling.
SLICES_PER_WORKER = 8

#: The jobs of the running :func:`run_all`, set just before the workers fork so they inherit them.
_jobs: Sequence[Callable[[], Any]] = ()


def workers() -> int:
    """How many processes are worth running: the cores this process may use, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(cores, 4)


def run_all(jobs: Sequence[Callable[[], R]], *, min_jobs: int) -> list[R]:
    """Call every job and return the results in order; with at least ``min_jobs`` jobs, in forked workers.

    A job's exception is raised here. Jobs must not depend on side effects of
    other jobs: each may run in another process.
    """
    count = workers()
    # Forking while other threads run (`gitdesk serve`'s server and watcher) can copy a held lock
    # into the child and deadlock it; such processes do the work serially instead.
    if (len(jobs) < min_jobs or count < 2 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [job() for job in jobs]
    global _jobs
    size = -(-len(jobs) // (count * SLICES_PER_WORKER))
    _jobs = jobs
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"),
                                 initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            slices = pool.map(_run_slice, range(0, len(jobs), size), [size] * len(range(0, len(jobs), size)))
            return [result for part in slices for result in part]
    finally:
        _jobs = ()


def _run_slice(start: int, size: int) -> list[Any]:
    return [job() for job in _jobs[start : start + size]]


#: prctl(2) option: the signal the kernel sends this process when its parent dies.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Make this (forked) process end when ``parent`` does: at once on Linux, else when it next looks.

    On Linux the kernel sends SIGKILL on the parent's death (``PR_SET_PDEATHSIG``);
    the parent may have died before that was set, so the parent pid is
    checked after. Elsewhere a daemon thread watches the parent pid.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(1.0)
    os._exit(1)
