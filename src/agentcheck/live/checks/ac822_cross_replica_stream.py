"""AC822 cross-replica-stream: joining on replica B a run executing on replica A streams to its
end."""

from __future__ import annotations

import time
from typing import ClassVar

from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._recovery import (
    deadline,
    parse_json,
    replica_name,
    require_replicas,
    start_announced,
)
from agentcheck.live.checks._runs import require_event_stream, require_probe

__all__ = ["CrossReplicaStream"]


class CrossReplicaStream(LiveCheck):
    """Joining on one replica a run that another executes streams it to its end.

    What it checks
    --------------
    A run of agentcheck's probe graph announces its 3 s silent step and which replica executes
    it. The check joins the run (``GET /threads/{id}/runs/{run}/stream``) on another replica:
    the join must deliver the probe's last event and then end, within 10 s of the run's end.
    A join that answers an error, or delivers nothing and hangs, fails. Skipped with one
    replica.

    Why it matters
    --------------
    Clients rejoin runs: ``useStream`` after a page reload, ``join_stream`` after a dropped
    connection. Behind a load balancer the rejoin lands on any replica; one that cannot stream
    another replica's run leaves the user with a spinner forever.

    How to fix
    ----------
    Use a server that publishes run events through a shared broker (Agent Server uses Redis),
    or route joins to the replica running the run (sticky sessions are a weak substitute).
    """

    code = "AC822"
    name = "cross-replica-stream"
    summary = "Joining on replica B a run executing on replica A streams to its end."

    #: Seconds the probe's announced step lasts, and the seconds the join may take past it.
    silent: ClassVar[float] = 3.0
    slack: ClassVar[float] = 10.0

    def run(self, ctx: LiveContext, graph: str) -> str:
        from agentcheck.live.checks._sse import open_stream

        require_probe(ctx)
        urls = require_replicas(ctx)
        started = start_announced(
            ctx, 0, graph, {"emit": 1, "silent": self.silent, "announce": True}
        )
        runner = started.executor if started.executor is not None else 0
        joiner = (runner + 1) % len(urls)
        where = replica_name(joiner, urls)
        did = f"joining at {where} run {started.run} executing at {replica_name(runner, urls)}"
        url = f"{urls[joiner]}/threads/{started.thread}/runs/{started.run}/stream"
        limit = self.silent + self.slack
        done_at: float | None = None
        with open_stream(ctx.http(), "GET", url, read_timeout=limit) as stream:
            require_event_stream(stream, did)
            with deadline(stream, limit) as cut:
                for event in stream:
                    data = parse_json(event.data)
                    if isinstance(data, dict) and data.get("probe") == "done":
                        done_at = event.at
        joined = time.monotonic() - started.at
        kinds = sorted({e.event for e in stream.events})
        if done_at is None:
            how = (
                f"still open, cut by agentcheck after {limit:g} s"
                if cut.is_set()
                else f"{stream.error or 'the stream ended'} after {stream.ended or 0:.1f} s"
            )
            errors = [e.data for e in stream.events if e.event == "error"]
            said = f"; its error event: {' '.join(errors[0].split())[:200]}" if errors else ""
            raise CheckFailed(
                f"{did}: the probe's last event never arrived ({len(stream.events)} events: "
                f"{', '.join(kinds) or 'none'}; {how}; {joined:.1f} s after the run's "
                f"{self.silent:g} s step began){said}"
            )
        if stream.error or cut.is_set():
            why = f"still open after {limit:g} s" if cut.is_set() else stream.error
            raise CheckFailed(
                f"{did}: the last event arrived after {done_at:.1f} s, then the stream did not "
                f"end: {why}"
            )
        return (
            f"{did}: {len(stream.events)} event(s), the last after {done_at:.1f} s, then the "
            "stream ended"
        )
