"""AC814 hitl-restart: an interrupted thread resumes after a restart and on another replica."""

from __future__ import annotations

import signal
import uuid

from agentcheck.live.backends.base import Capability
from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._faults import restart
from agentcheck.live.checks._recovery import (
    probe_steps,
    replica_name,
    state_of,
    thread_status,
    wait_for,
)
from agentcheck.live.checks._runs import require_probe

__all__ = ["HitlRestart"]

#: Events of the probe run before its interrupt.
EMIT = 1


class HitlRestart(LiveCheck):
    """An interrupted thread resumes with ``Command(resume=...)`` after a restart and on another
    replica.

    What it checks
    --------------
    agentcheck's probe graph stops at an ``interrupt()`` on replica 1, on two threads. The
    check stops replica 1 (SIGTERM, as a deploy does); with two or more replicas it resumes the
    first thread on replica 2 while replica 1 is down; then it starts replica 1 again and
    resumes the other thread there. Each resume must run the graph to its end with the resume
    value in its state.

    Why it matters
    --------------
    Human-in-the-loop threads wait for hours or days: for an approval, a reviewer, a customer.
    Every deploy in between restarts the servers, and the next request lands on whichever
    replica the load balancer picks. A thread that cannot be resumed there strands the
    conversation at its most important step.

    How to fix
    ----------
    Keep checkpoints in a database every replica shares (Agent Server or Aegra on PostgreSQL),
    not in memory or a per-replica file.
    """

    code = "AC814"
    name = "hitl-restart"
    summary = (
        "An interrupted thread resumes with Command(resume=...) after a restart and on another "
        "replica."
    )
    requires = frozenset({Capability.KILL, Capability.RESTART, Capability.SAME_PORT})

    def run(self, ctx: LiveContext, graph: str) -> str:
        require_probe(ctx)
        urls = ctx.deployment.urls
        first = replica_name(0, urls)
        threads = [str(uuid.uuid4()) for _ in range(2 if len(urls) > 1 else 1)]
        for thread in threads:
            http, body = wait_for(
                ctx, urls[0], thread, graph, input={"emit": EMIT, "interrupt": True}
            )
            _, status = thread_status(ctx, urls[0], thread)
            if http != 200 or status != "interrupted":
                raise CheckFailed(
                    f"the probe run at {first} did not stop at its interrupt: runs/wait "
                    f"answered {http or 'nothing'} ({str(body)[:200]}), the thread is {status}"
                )
        done: list[str] = []
        problems: list[str] = []
        ctx.deployment.kill(0, signal.SIGTERM)
        if len(threads) > 1:
            problems += self._resume(ctx, 1, threads[1], graph, f"while {first} is stopped")
            if not problems:
                done.append(f"on {replica_name(1, urls)} while {first} was stopped")
        took = restart(ctx, 0, "SIGTERM")
        found = self._resume(ctx, 0, threads[0], graph, "after its restart")
        problems += found
        if not found:
            done.append(f"on {first} after its restart ({took:.1f} s)")
        if problems:
            raise CheckFailed(
                f"threads interrupted on {first} did not resume: " + "; ".join(problems)
            )
        return "interrupted threads resumed with Command(resume=...) " + " and ".join(done)

    def _resume(
        self, ctx: LiveContext, index: int, thread: str, graph: str, when: str
    ) -> list[str]:
        urls = ctx.deployment.urls
        where = replica_name(index, urls)
        value = f"agentcheck-{uuid.uuid4().hex[:8]}"
        http, body = wait_for(ctx, urls[index], thread, graph, command={"resume": value})
        _, values = state_of(ctx, urls[index], thread)
        if (
            http == 200
            and values.get("resumed") == value
            and values.get("step") == probe_steps(EMIT)
        ):
            return []
        said = f"HTTP {http}" if http else f"no answer ({body})"
        return [
            f"resuming on {where} {when} was answered {said}: {str(body)[:200]}; the thread's "
            f"state there: step {values.get('step')}, resumed {values.get('resumed')!r} "
            f"(expected step {probe_steps(EMIT)}, resumed {value!r})"
        ]
