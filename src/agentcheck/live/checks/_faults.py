"""Breaking replicas on purpose and bringing them back, for the restart and replica checks.

A replica a check killed is restarted at once (as an orchestrator restarts a crashed pod), in
the background when the check has something to watch meanwhile; one that does not come back
makes the check say it cannot decide.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from agentcheck.errors import LiveError
from agentcheck.live.checks._base import CheckFailed

if TYPE_CHECKING:
    from agentcheck.live.checks._context import LiveContext

__all__ = ["kill_now", "restart", "restart_all", "restart_behind"]


def restart(ctx: LiveContext, index: int, why: str) -> float:
    """Bring replica ``index`` back (the check broke it); the seconds it took.

    CheckFailed saying the check cannot decide when it does not come back.
    """
    began = time.monotonic()
    try:
        ctx.deployment.restart(index)
    except LiveError as exc:
        raise CheckFailed(
            f"cannot decide: replica {index + 1} did not come back after {why}: {exc}"
        ) from None
    return time.monotonic() - began


def restart_all(ctx: LiveContext, indexes: Sequence[int], why: str) -> float:
    """:func:`restart` each of ``indexes`` at the same time; the seconds the slowest took."""
    results: dict[int, float | CheckFailed] = {}

    def one(index: int) -> None:
        try:
            results[index] = restart(ctx, index, why)
        except CheckFailed as exc:
            results[index] = exc

    workers = [threading.Thread(target=one, args=(i,), daemon=True) for i in indexes]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for value in results.values():
        if isinstance(value, CheckFailed):
            raise value
    return max((v for v in results.values() if isinstance(v, float)), default=0.0)


def kill_now(ctx: LiveContext, indexes: Sequence[int], *, timeout: float = 30.0) -> float:
    """SIGKILL every replica of ``indexes`` at once (no wait between them), then wait until
    they are gone (at most ``timeout`` seconds); ``time.monotonic()`` when the last signal
    was sent."""
    for index in indexes:
        ctx.deployment.kill(index, signal.SIGKILL, wait=False)
    sent = time.monotonic()
    ends = sent + timeout
    while any(ctx.deployment.alive(i) for i in indexes) and time.monotonic() < ends:
        time.sleep(0.05)
    return sent


def restart_behind(ctx: LiveContext, index: int, why: str) -> Callable[[], float]:
    """Start :func:`restart` of replica ``index`` in a thread (the check goes on meanwhile);
    the function returned waits for it and gives the seconds it took, or raises its
    CheckFailed."""
    out: list[float | CheckFailed] = []

    def work() -> None:
        try:
            out.append(restart(ctx, index, why))
        except CheckFailed as exc:
            out.append(exc)

    worker = threading.Thread(target=work, name=f"agentcheck-restart-{index}", daemon=True)
    worker.start()

    def join() -> float:
        worker.join()
        if isinstance(out[0], CheckFailed):
            raise out[0]
        return out[0]

    return join
