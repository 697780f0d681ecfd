"""AC823 concurrent-thread-safety: simultaneous runs on one thread from several replicas obey
the multitask strategy; state is never interleaved."""

from __future__ import annotations

import threading
import time
from typing import Any

from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._recovery import (
    REQUEST,
    create_thread,
    probe_steps,
    replica_name,
    require_replicas,
    state_of,
    wait_run,
)
from agentcheck.live.checks._runs import require_probe

__all__ = ["ConcurrentThreadSafety"]

#: Each run's events (0.3 s apart, then a 1 s step): long enough to overlap.
PROBE = {"emit": 2, "spacing": 0.3, "silent": 1.0}
#: What a second run on the same thread adds (see AC821).
CONTINUED = 4


def _post_at_once(
    urls: list[str], thread: str, graph: str, strategy: str
) -> list[tuple[int | None, Any]]:
    """POST a run on ``thread`` from each of ``urls`` at the same instant (a barrier)."""
    import httpx

    barrier = threading.Barrier(len(urls))
    answers: list[tuple[int | None, Any]] = [(None, "not sent")] * len(urls)
    body = {
        "assistant_id": graph,
        "input": PROBE,
        "multitask_strategy": strategy,
        "config": {"recursion_limit": 100},
    }

    def post(index: int) -> None:
        with httpx.Client(timeout=REQUEST * 2) as client:
            barrier.wait(timeout=REQUEST)
            try:
                response = client.post(f"{urls[index]}/threads/{thread}/runs", json=body)
            except httpx.HTTPError as exc:
                answers[index] = (None, type(exc).__name__)
                return
            try:
                answers[index] = (response.status_code, response.json())
            except ValueError:
                answers[index] = (response.status_code, response.text[:200])

    workers = [threading.Thread(target=post, args=(i,)) for i in range(len(urls))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers


class ConcurrentThreadSafety(LiveCheck):
    """Two runs posted at once on one thread from two replicas obey the multitask strategy.

    What it checks
    --------------
    On a thread made at replica 1, replicas 1 and 2 each receive a run of agentcheck's probe
    graph at the same instant. With ``multitask_strategy: reject`` exactly one must be
    accepted and the other refused (HTTP 409), and the thread's final state must be one run's.
    With ``enqueue`` (on a second thread) both must be accepted and run one after the other:
    the final state must hold both runs' steps, none lost to the other. Skipped with one
    replica.

    Why it matters
    --------------
    A user double-clicks "send", a client retries, two tabs are open: two runs on one thread
    reach two replicas at once. Without one lock across replicas both run on the same
    checkpoint and one overwrites the other's messages, or they interleave.

    How to fix
    ----------
    Use a server whose run queue locks threads in the shared database (Agent Server does), and
    choose the multitask strategy your clients expect (``reject``, ``enqueue``, ``interrupt``,
    ``rollback``).
    """

    code = "AC823"
    name = "concurrent-thread-safety"
    summary = (
        "Simultaneous runs on one thread from several replicas obey the multitask strategy; "
        "state is never interleaved."
    )

    def run(self, ctx: LiveContext, graph: str) -> str:
        require_probe(ctx)
        urls = require_replicas(ctx)[:2]
        both = f"{replica_name(0, urls)} and {replica_name(1, urls)}"
        one = probe_steps(int(PROBE["emit"]))

        thread = create_thread(ctx, urls[0])
        answers = _post_at_once(urls, thread, graph, "reject")
        codes = [http for http, _ in answers]
        said = "; ".join(
            f"{replica_name(i, urls)}: HTTP {http} {str(body)[:120]}"
            for i, (http, body) in enumerate(answers)
        )
        if sorted(codes, key=str) != sorted([200, 409], key=str):
            raise CheckFailed(
                f"two runs posted at once on one thread at {both} with multitask_strategy=reject:"
                f" {said}; exactly one must be accepted and the other refused with 409"
            )
        run = next(body["run_id"] for http, body in answers if http == 200)
        self._settle(ctx, urls, thread, [run], one, "reject")

        thread = create_thread(ctx, urls[0])
        answers = _post_at_once(urls, thread, graph, "enqueue")
        if [http for http, _ in answers] != [200, 200]:
            said = "; ".join(
                f"{replica_name(i, urls)}: HTTP {http} {str(body)[:120]}"
                for i, (http, body) in enumerate(answers)
            )
            raise CheckFailed(
                f"two runs posted at once on one thread at {both} with "
                f"multitask_strategy=enqueue: {said}; both must be accepted"
            )
        runs = [body["run_id"] for _, body in answers]
        self._settle(ctx, urls, thread, runs, one + CONTINUED, "enqueue")
        return (
            f"runs posted at once on one thread at {both}: reject accepted one and refused the "
            f"other (409); enqueue ran both, one after the other (step {one + CONTINUED})"
        )

    def _settle(
        self,
        ctx: LiveContext,
        urls: list[str],
        thread: str,
        runs: list[str],
        steps: int,
        strategy: str,
    ) -> None:
        began = time.monotonic()
        for run in runs:
            waited = wait_run(ctx, urls, thread, run, since=began, timeout=60.0)
            if waited.status != "success":
                raise CheckFailed(
                    f"with multitask_strategy={strategy}, run {run} ended {waited.status} "
                    f"({waited.story()})"
                )
        _, values = state_of(ctx, urls[1], thread)
        if values.get("step") != steps:
            raise CheckFailed(
                f"with multitask_strategy={strategy}, the thread's final state holds step "
                f"{values.get('step')} where the accepted run(s) make {steps}: the runs "
                "overwrote or interleaved each other's state"
            )
