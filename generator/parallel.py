"""Spreading many small, independent, CPU-bound jobs (parse a file, render a page) over the cores.

Workers are forked: they inherit the jobs, the loaded modules and the data
the jobs close over, so nothing is pickled on the way in and only results
come back. Where fork is not available the jobs run one after the other,
with the same results in the same order.
"""

from __future__ import annotations

import multiprocessing
import os
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
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            slices = pool.map(_run_slice, range(0, len(jobs), size), [size] * len(range(0, len(jobs), size)))
            return [result for part in slices for result in part]
    finally:
        _jobs = ()


def _run_slice(start: int, size: int) -> list[Any]:
    return [job() for job in _jobs[start : start + size]]
