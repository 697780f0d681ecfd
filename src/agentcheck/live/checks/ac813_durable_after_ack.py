"""AC813 durable-after-ack: what the server acknowledged survives an immediate SIGKILL."""

from __future__ import annotations

import time
import uuid

from agentcheck.live.backends.base import Capability
from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._faults import kill_now, restart_all
from agentcheck.live.checks._recovery import (
    create_thread,
    parse_json,
    probe_steps,
    replica_name,
    state_of,
    thread_status,
)
from agentcheck.live.checks._runs import require_event_stream, require_probe, run_body

__all__ = ["DurableAfterAck"]

#: Events of the acknowledged run.
EMIT = 1


class DurableAfterAck(LiveCheck):
    """What the server acknowledged (a thread created, a run finished) survives a SIGKILL.

    What it checks
    --------------
    The check creates a thread (the server answers 200: acknowledged), then streams a short
    run of agentcheck's probe graph on a second thread to its end (the run finished: its
    result was delivered), and at once, within milliseconds, SIGKILLs the replica that answered
    and the replica that executed the run. It brings them back and reads both threads from
    the replica that answered: the first must exist, the second must hold the run's final
    state and the run must be ``success``.

    Why it matters
    --------------
    A client that got its answer moves on: the user saw the reply, the next turn builds on it.
    A server that keeps state in memory and writes it to disk now and then (``langgraph dev``
    writes every 10 s) loses whatever a crash catches in between, and the conversation is gone
    although every request succeeded.

    How to fix
    ----------
    Serve with a checkpointer that commits before answering: Agent Server or Aegra on
    PostgreSQL, never ``langgraph dev`` or an in-memory saver in production.
    """

    code = "AC813"
    name = "durable-after-ack"
    summary = (
        "What the server acknowledged (thread created, run finished) survives an immediate SIGKILL."
    )
    requires = frozenset({Capability.KILL, Capability.RESTART, Capability.SAME_PORT})

    def run(self, ctx: LiveContext, graph: str) -> str:
        from agentcheck.live.checks._sse import open_stream

        require_probe(ctx)
        urls = ctx.deployment.urls
        url, where = urls[0], replica_name(0, urls)
        created = create_thread(ctx, url)
        finished = str(uuid.uuid4())
        body = run_body(
            graph,
            {"emit": EMIT, "announce": True},
            ["custom"],
            config={"recursion_limit": 100},
        )
        executor = 0
        with open_stream(
            ctx.http(), "POST", f"{url}/threads/{finished}/runs/stream", json=body
        ) as stream:
            require_event_stream(stream, f"a probe run at {where}")
            run = ""
            for event in stream:
                data = parse_json(event.data)
                if event.event == "metadata" and isinstance(data, dict):
                    run = str(data.get("run_id", ""))
                if isinstance(data, dict) and data.get("probe") == "silent":
                    replica = data.get("replica")
                    if isinstance(replica, str) and replica.isdigit():
                        executor = int(replica)
        acked = time.monotonic()
        if stream.error or not any(_probe(e.data) == "done" for e in stream.events):
            raise CheckFailed(
                f"the probe run at {where} did not stream to its end: "
                f"{stream.error or 'no done event'}"
            )
        victims = sorted({0, executor})
        after = kill_now(ctx, victims) - acked
        names = " and ".join(replica_name(i, urls) for i in victims)
        ctx.deployment.report(f"{self.code}: SIGKILL to {names} {after * 1000:.0f} ms after an ack")
        took = restart_all(ctx, victims, "SIGKILL")

        lost = []
        http, status = thread_status(ctx, url, created)
        if http != 200:
            lost.append(f"the thread created before (answered 200) is HTTP {http}: {status}")
        http, values = state_of(ctx, url, finished)
        if http != 200:
            lost.append(f"the thread of the finished run is HTTP {http}")
        elif values.get("step") != probe_steps(EMIT):
            lost.append(
                f"the finished run's thread holds step {values.get('step')} instead of "
                f"{probe_steps(EMIT)} (its final state)"
            )
        if lost:
            raise CheckFailed(
                f"SIGKILL to {names} {after * 1000:.0f} ms after the server acknowledged a "
                f"thread and a finished run {run}; after the restart: " + "; ".join(lost)
            )
        return (
            f"a thread and a finished run's state (step {values.get('step')}) survived SIGKILL "
            f"to {names} {after * 1000:.0f} ms after the acknowledgement; back in {took:.1f} s"
        )


def _probe(data: str) -> object:
    parsed = parse_json(data)
    return parsed.get("probe") if isinstance(parsed, dict) else None
