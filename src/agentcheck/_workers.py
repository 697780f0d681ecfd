"""Work on a large repository spread over worker processes (both cores on these machines).

Forked workers inherit the parent's imports, so they start in milliseconds; below a size
threshold (each caller's own) the work stays in-process, where a fork would cost more than it
saves. A process that runs other threads may deadlock a forked child on a lock one of them
held: such callers (a live pytest session, an embedding application) work in-process too, as
does any caller whose workers fail to start.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["deal", "die_with_parent", "jobs", "may_fork", "run_forked"]

T = TypeVar("T")
R = TypeVar("R")


def jobs(requested: int | None = None) -> int:
    """How many worker processes to use: ``requested``, else ``AGENTCHECK_JOBS``, else the
    usable cores."""
    if requested is not None:
        return max(1, requested)
    env = os.environ.get("AGENTCHECK_JOBS", "").strip()
    if env.isdigit():
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def may_fork() -> bool:
    """Whether this process may fork workers safely (Linux, and no other thread running)."""
    return sys.platform == "linux" and threading.active_count() == 1


def deal(sized: Sequence[tuple[int, str]], count: int) -> list[list[str]]:
    """``(size, path)`` pairs dealt into at most ``count`` chunks of similar weight: largest
    first, round-robin, so that big files do not come last."""
    chunks: list[list[str]] = [[] for _ in range(max(1, count))]
    for i, (_, path) in enumerate(sorted(sized, reverse=True)):
        chunks[i % len(chunks)].append(path)
    return [chunk for chunk in chunks if chunk]


#: prctl(2) option: the signal the kernel sends this process when its parent dies.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when ``parent`` dies, whatever ended it (SIGKILL
    included), so that a killed ``agentcheck lint`` leaves no process behind holding the
    caller's output pipe open. Linux only (``prctl(PR_SET_PDEATHSIG)``); a no-op elsewhere.
    """
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def run_forked(work: Callable[[T], list[R]], chunks: Sequence[T], workers: int) -> list[R] | None:
    """``work`` applied to every chunk on ``workers`` forked processes, the results joined in
    chunk order; None when the workers could not run (the caller then works in-process)."""
    import multiprocessing  # only large repositories pay for these imports
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")
    out: list[R] = []
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            futures = [pool.submit(work, chunk) for chunk in chunks]
            for future in futures:
                out.extend(future.result())
    except Exception:
        return None
    return out
