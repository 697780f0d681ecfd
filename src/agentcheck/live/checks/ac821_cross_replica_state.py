"""AC821 cross-replica-state: a thread made and run on one replica is read and continued on
another."""

from __future__ import annotations

import uuid

from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._recovery import (
    probe_steps,
    replica_name,
    require_replicas,
    state_of,
    wait_for,
)
from agentcheck.live.checks._runs import require_probe

__all__ = ["CrossReplicaState"]

#: Events of each probe run.
EMIT = 2
#: What a second run on the same thread adds: its emit step writes nothing (the events are
#: there already), then silent, hold and done.
CONTINUED = 4


class CrossReplicaState(LiveCheck):
    """A thread made and run on one replica is read and continued on every other.

    What it checks
    --------------
    A run of agentcheck's probe graph on a new thread at replica 1, to its end. Then every
    other replica must show that thread's state as replica 1 left it; replica 2 runs the
    thread once more, and replica 1 must then show the continued state. Skipped with one
    replica.

    Why it matters
    --------------
    Behind a load balancer, consecutive requests of one conversation land on different
    replicas. Replicas that keep threads in memory or in their own files answer "thread not
    found" (or start an empty copy) for every request that lands elsewhere.

    How to fix
    ----------
    Share one checkpointer across replicas: Agent Server or Aegra on one PostgreSQL. Never
    scale ``langgraph dev`` or an in-memory saver past one replica.
    """

    code = "AC821"
    name = "cross-replica-state"
    summary = "A thread made and run on one replica is read and continued on another."

    def run(self, ctx: LiveContext, graph: str) -> str:
        require_probe(ctx)
        urls = require_replicas(ctx)
        first, second = replica_name(0, urls), replica_name(1, urls)
        thread = str(uuid.uuid4())
        http, body = wait_for(ctx, urls[0], thread, graph, input={"emit": EMIT})
        made = probe_steps(EMIT)
        if http != 200:
            raise CheckFailed(f"the probe run at {first} was answered {http}: {str(body)[:200]}")
        problems = []
        for index in range(1, len(urls)):
            got, values = state_of(ctx, urls[index], thread)
            if got != 200 or values.get("step") != made:
                problems.append(
                    f"{replica_name(index, urls)} answers HTTP {got} with {_shown(values)} for it"
                )
        if problems:
            raise CheckFailed(
                f"a thread run to its end at {first} ({made} steps) is not shared: "
                + "; ".join(problems)
            )
        http, body = wait_for(ctx, urls[1], thread, graph, input={"emit": EMIT})
        got, values = state_of(ctx, urls[0], thread)
        if http != 200 or values.get("step") != made + CONTINUED:
            raise CheckFailed(
                f"the thread made at {first} was continued at {second} (answered {http}: "
                f"{str(body)[:160]}), but {first} then shows {_shown(values)} (HTTP {got}), "
                f"not step {made + CONTINUED}"
            )
        return (
            f"a thread run at {first} was read on all {len(urls)} replicas and continued at "
            f"{second}; {first} shows the continuation (step {values.get('step')})"
        )


def _shown(values: dict[str, object]) -> str:
    return f"step {values['step']}" if "step" in values else "no state"
