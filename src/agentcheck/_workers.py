"""Work on a large repository spread over worker processes (both cores on these machines).

Forked workers inherit the parent's imports, so they start in milliseconds; below a size
threshold (each caller's own) the work stays in-process, where a fork would cost more than it
saves. A process that runs other threads may deadlock a forked child on a lock one of them
held: such callers (a live pytest session, an embedding application) work in-process too, as
does any caller whose workers fail to start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Generic, NoReturn, TypeVar

__all__ = [
    "Forked",
    "deal",
    "die_with_parent",
    "jobs",
    "may_fork",
    "run_forked",
    "start_forked",
]

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
    started = start_forked(work, chunks, workers)
    return None if started is None else started.result()


class Forked(Generic[R]):
    """Work running on forked processes (see :func:`start_forked`): :meth:`result` waits for
    it, :meth:`close` abandons it. Each worker sends its results, pickled, down its own pipe;
    the parent holds no thread meanwhile, so it may fork again and keeps working."""

    def __init__(self, workers: list[tuple[int, int, list[int]]], count: int) -> None:
        #: ``(pid, read end, indexes of its chunks)`` per worker.
        self._workers = workers
        self._count = count
        self._done: list[R] | None = None
        self._closed = False

    def result(self) -> list[R] | None:
        """The results in chunk order, or None when a worker failed (the caller then does
        the work in-process). Waits for the workers; later calls return the same answer."""
        if self._closed:
            return self._done
        import pickle

        per_chunk: list[list[R] | None] = [None] * self._count
        ok = True
        for pid, fd, indexes in self._workers:
            data = _read_all(fd)
            _, status = os.waitpid(pid, 0)
            if not ok or status != 0:
                ok = False
                continue
            try:
                lists = pickle.loads(data)
            except Exception:
                ok = False
                continue
            for index, found in zip(indexes, lists, strict=True):
                per_chunk[index] = found
        self._closed = True
        if ok:
            self._done = [item for found in per_chunk for item in found or ()]
        return self._done

    def close(self) -> None:
        """Stop workers whose result nobody collected, and reap them."""
        if self._closed:
            return
        self._closed = True
        for pid, fd, _ in self._workers:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.close(fd)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _read_all(fd: int) -> bytes:
    parts = []
    try:
        while True:
            part = os.read(fd, 1 << 20)
            if not part:
                break
            parts.append(part)
    except OSError:
        return b""
    finally:
        os.close(fd)
    return b"".join(parts)


def start_forked(
    work: Callable[[T], list[R]], chunks: Sequence[T], workers: int
) -> Forked[R] | None:
    """Start ``work`` on every chunk on ``workers`` forked processes (chunk ``i`` on worker
    ``i % workers``) and return at once, so that this process works meanwhile; None when the
    workers could not start (the caller then works in-process)."""
    import pickle  # imported before the fork, once; small trees never fork

    parent = os.getpid()
    started: list[tuple[int, int, list[int]]] = []
    count = min(max(1, workers), len(chunks))
    for w in range(count):
        indexes = list(range(w, len(chunks), count))
        try:
            read, write = os.pipe()
        except OSError:
            Forked(started, len(chunks)).close()
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            Forked(started, len(chunks)).close()
            return None
        if pid == 0:  # the worker: never returns
            _work_and_exit(work, [chunks[i] for i in indexes], read, write, parent, pickle.dumps)
        os.close(write)
        started.append((pid, read, indexes))
    return Forked(started, len(chunks))


def _work_and_exit(
    work: Callable[[T], list[R]],
    mine: list[T],
    read: int,
    write: int,
    parent: int,
    dumps: Callable[[object, int], bytes],
) -> NoReturn:
    code = 1
    try:
        os.close(read)
        die_with_parent(parent)
        data = dumps([work(chunk) for chunk in mine], -1)
        with os.fdopen(write, "wb") as out:
            out.write(data)
        code = 0
    finally:
        os._exit(code)  # no atexit handlers, no flush of the parent's buffers
