"""How AC851-AC853 move a deployment between two versions of the project on one database.

The working tree is the deployment as started; the last release (:mod:`._release`) runs
beside it, on its services, by :meth:`Deployment.beside
<agentcheck.live.orchestrator.Deployment.beside>`. A deploy stops one version (SIGTERM) and
starts the other; a rolling update runs both, and to know which executes a run the other is
frozen (SIGSTOP) meanwhile. A probe run left in the middle of a step when its version stops
must be finished by the other.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from agentcheck.errors import LiveError
from agentcheck.live.checks._faults import restart_all
from agentcheck.live.checks._recovery import (
    Announced,
    probe_steps,
    start_announced,
    state_of,
    wait_run,
)
from agentcheck.live.checks._release import WORKING_TREE, Release

if TYPE_CHECKING:
    from agentcheck.live.checks._context import LiveContext
    from agentcheck.live.checks._versions import Scenario
    from agentcheck.live.orchestrator import Deployment

__all__ = [
    "end_in_flight",
    "paused",
    "release_beside",
    "start_all",
    "start_in_flight",
    "stop_all",
]

#: The probe's run in flight: it announces a step of this many seconds (after one event).
IN_FLIGHT: Mapping[str, Any] = {"emit": 1, "silent": 4.0, "announce": True}
#: Seconds the run in flight has to end once the other version is up.
IN_FLIGHT_TIMEOUT = 60.0
#: Seconds a paused (SIGSTOP) replica has to stop answering, and a resumed one to answer.
PAUSE_TIMEOUT = 30.0


def stop_all(ctx: LiveContext) -> None:
    """SIGTERM every replica of the working tree (as a deploy does) and wait until gone."""
    for index in range(ctx.deployment.replicas):
        ctx.deployment.kill(index, signal.SIGTERM)


def start_all(ctx: LiveContext, why: str) -> None:
    """Start the working tree's replicas again, on the same ports and database."""
    restart_all(ctx, list(range(ctx.deployment.replicas)), why)


@contextlib.contextmanager
def release_beside(ctx: LiveContext, rel: Release) -> Iterator[Deployment]:
    """The release started beside the working tree, on its database; stopped (SIGTERM) when
    the block ends."""
    old = ctx.deployment.beside(rel.root, rel.config, label=rel.label)
    try:
        old.start()
    except LiveError as exc:
        raise LiveError(f"{rel.named} did not start beside {WORKING_TREE}: {exc}") from None
    try:
        yield old
    finally:
        old.stop()


@contextlib.contextmanager
def paused(deployment: Deployment) -> Iterator[None]:
    """Every replica of ``deployment`` frozen (SIGSTOP) for the block, so that runs are
    executed by the other version only; each is thawed (SIGCONT) and answering afterwards.
    A frozen server holds no run: it is frozen between runs, and the queue's other workers
    take what is posted meanwhile."""
    from agentcheck.live.services import http

    health = deployment.spec.health
    urls = deployment.urls
    try:
        for index, url in enumerate(urls):
            deployment.kill(index, signal.SIGSTOP, wait=False)
            _until(lambda u=url: http.status(u + health, timeout=1.0) is None, f"{url} to freeze")
        yield
    finally:
        for index in range(len(urls)):
            deployment.kill(index, signal.SIGCONT, wait=False)
        for url in urls:
            _until(lambda u=url: http.status(u + health) == 200, f"{url} to answer again")


def _until(done: Any, what: str) -> None:
    deadline = time.monotonic() + PAUSE_TIMEOUT
    while not done():
        if time.monotonic() >= deadline:
            raise LiveError(f"waited {PAUSE_TIMEOUT:g} s for {what}")
        time.sleep(0.1)


def start_in_flight(ctx: LiveContext, url: str) -> Announced:
    """A probe run at ``url`` in the middle of its step (the steps before are committed)."""
    return start_announced(ctx, 0, ctx.probe, IN_FLIGHT, url=url)


def end_in_flight(
    ctx: LiveContext, scene: Scenario, urls: Sequence[str], run: Announced, stopped: str, by: str
) -> None:
    """Wait for the run in flight (stopped by ``stopped``) to end on ``by`` (at ``urls``) and
    judge it: it must end ``success`` with the probe's whole state."""
    waited = wait_run(
        ctx, urls, run.thread, run.run, since=time.monotonic(), timeout=IN_FLIGHT_TIMEOUT
    )
    _, values = state_of(ctx, urls[0], run.thread)
    emit = int(IN_FLIGHT["emit"])
    head = f"run {run.run} of thread {run.thread}, in the middle of a step when {stopped} stopped"
    if waited.status == "success" and values.get("step") == probe_steps(emit):
        scene.in_flight = (
            f"a run in flight when {stopped} stopped was resumed by {by} ({waited.story()})"
        )
        return
    scene.in_flight_ok = False
    scene.in_flight = (
        f"{head}: on {by} it is {waited.status} ({waited.story()}), state step "
        f"{values.get('step')} of {probe_steps(emit)}"
    )
