"""AC804 sse-idle-survival: a run that stays silent a long time still streams to its end."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._runs import (
    Waited,
    require_event_stream,
    require_probe,
    stream_run,
    wait_run,
)

if TYPE_CHECKING:
    from agentcheck.live.checks._sse import Event, SSEStream

__all__ = ["SseIdleSurvival"]

#: Silence of the first probe run: longer than langgraph-api's 5 s heartbeat interval.
WINDOW = 6.5
#: The longest idle timeout this check waits out when heartbeats alone cannot prove survival.
CAP = 90.0
#: Without a proxy config: the idle timeout most load balancers default to (nginx, AWS ALB).
ASSUMED_TIMEOUT = 60.0
#: Keep-alive bytes must come at least this much more often than the idle timeout.
MARGIN = 0.8
#: Something crossed during the silence when no gap is longer than this share of it.
SPLIT = 0.8
#: Silence of the blocking runs/wait probe at a replica: two of langgraph-api's 5 s keep-alive
#: intervals, so its newlines split the wait clearly (they came up to 5.4 s apart under load).
WAIT_SILENCE = 10.0


class SseIdleSurvival(LiveCheck):
    """A run whose node is silent longer than the proxy's idle timeout still completes.

    What it checks
    --------------
    The proxy's idle timeout is read from its config (nginx ``proxy_read_timeout``; without a
    proxy the usual 60 s of load balancers is assumed). The probe graph then stays silent for
    6.5 s. If the timeout is shorter than that, the run must simply come through. Otherwise
    the check proves survival without waiting it out: something (langgraph-api's ``:
    heartbeat`` comments) must cross the proxy during the silence, more often than the timeout.
    When nothing crosses, a timeout of at most 90 s is waited out with a probe step silent
    longer than it; a longer one fails, unless no run lasts that long (``run-budget``).

    Why it matters
    --------------
    A node that thinks for a minute (a slow model, a long tool call) sends nothing. A proxy
    that cuts idle connections ends the user's stream in the middle of the answer, and the
    client cannot tell why.

    Behind a proxy whose timeout is known, a blocking ``POST /threads/{id}/runs/wait`` of the
    probe, silent for 10 s, runs at a replica meanwhile. Keep-alive bytes are proven only when
    they split that wait (langgraph-api writes a newline every 5 s; Aegra writes nothing): when
    they do not, such a request silent longer than a timeout of at most 90 s is sent through
    the proxy, and the check fails when streams survive but that request is cut.

    How to fix
    ----------
    Raise ``proxy_read_timeout`` (and ``proxy_send_timeout``) above the longest silent step,
    e.g. ``600s``, or make the server send keep-alive comments more often than the timeout.
    """

    code = "AC804"
    name = "sse-idle-survival"
    summary = "A run silent longer than the proxy's idle timeout still completes through it."

    def run(self, ctx: LiveContext, graph: str) -> str:
        require_probe(ctx)
        timeout = ctx.idle_timeout
        if timeout is None:
            return self._streams(ctx, graph)
        # While the stream probe runs, a blocking runs/wait of the same probe runs at a replica
        # directly: does the server send anything while it waits (langgraph-api sends a newline
        # every 5 s) that would reset the proxy's idle timer?
        waits: list[Waited] = []
        replica = ctx.deployment.urls[0]
        probe = {"emit": 1, "silent": WAIT_SILENCE}
        worker = threading.Thread(
            target=lambda: waits.append(wait_run(ctx, graph, probe, url=replica, read_timeout=60))
        )
        worker.start()
        try:
            note = self._streams(ctx, graph)
        except CheckFailed as exc:
            worker.join()
            blocking = self._blocking(ctx, graph, timeout, waits, failed=True)
            raise CheckFailed(f"{exc}{blocking}") from None
        worker.join()
        return note + self._blocking(ctx, graph, timeout, waits, failed=False)

    def _blocking(
        self, ctx: LiveContext, graph: str, timeout: float, waits: list[Waited], *, failed: bool
    ) -> str:
        """What a blocking ``POST /threads/{id}/runs/wait`` does behind this proxy, as a clause;
        raises CheckFailed when the streams survive but it does not."""
        at_replica = waits[0] if waits else None
        if at_replica is None or not at_replica.completed:
            return ""  # the server itself did not answer runs/wait: not this check's business
        gap = at_replica.longest_silence()
        # Keep-alive bytes are proven only when they split the wait: an answer that came in one
        # piece after a wait shorter than the timeout has no long gap and proves nothing.
        kept_alive = gap < SPLIT * at_replica.seconds
        if kept_alive and gap < MARGIN * timeout:
            return (
                f"; a blocking POST runs/wait gets keep-alive bytes every {gap:.1f} s too, so it "
                "survives the timeout as well"
            )
        if timeout + 2 > CAP:
            nothing = f"nothing for {gap:.1f} s at a time" if kept_alive else "nothing"
            return (
                f"; a blocking POST runs/wait gets {nothing} while it waits (no keep-alive), "
                "so one waiting longer than the timeout would be cut"
            )
        silent = timeout + 2
        through = wait_run(
            ctx, graph, {"emit": 1, "silent": silent}, url=ctx.url, read_timeout=silent + 30
        )
        if through.completed:
            return f"; a blocking POST runs/wait silent {silent:g} s came through too"
        answer = f"HTTP {through.status}" if through.status else (through.error or "no answer")
        clause = (
            f"a blocking POST /threads/{{id}}/runs/wait silent for {silent:g} s was cut "
            f"{ctx.through} after {through.seconds:.1f} s ({answer}): a client waiting for a "
            "run's result (runs.wait, RemoteGraph.invoke) loses it"
        )
        if failed:
            return f"; {clause}"
        raise CheckFailed(
            f"streams survive the proxy's idle timeout of {timeout:g} s (heartbeats), but "
            f"{clause}. Raise proxy_read_timeout above the longest run, or have clients "
            "stream instead of waiting."
        )

    def _streams(self, ctx: LiveContext, graph: str) -> str:
        timeout = ctx.idle_timeout
        assumed = timeout if timeout is not None else ASSUMED_TIMEOUT
        if timeout is not None:
            described = f"the proxy's idle timeout (proxy_read_timeout) is {timeout:g} s"
        elif ctx.deployment.proxy is not None:
            described = (
                f"the idle timeout of {ctx.deployment.proxy.source.name} cannot be read, so the "
                f"usual {ASSUMED_TIMEOUT:g} s is assumed"
            )
        else:
            described = (
                f"no proxy config, so the usual {ASSUMED_TIMEOUT:g} s idle timeout is assumed"
            )
        stream = self._silent_run(ctx, graph, WINDOW)
        if timeout is not None and timeout < WINDOW - 1:
            return f"a {WINDOW:g} s silent step came through {ctx.through}; {described}"

        first, done = _probe_events(stream)
        if first is None or done is None:  # _silent_run made sure of done
            raise CheckFailed(f"the probe's first event did not arrive {ctx.through}")
        silence = done.at - first.at
        longest = max(stream.gaps(first.at, done.at))
        # Bytes crossed during the silence if they split it: a chunk right behind the first
        # event, or right before the last, proves nothing.
        crossed = longest < SPLIT * silence
        if crossed and longest < MARGIN * assumed:
            return (
                f"during a {WINDOW:g} s silent step, bytes (heartbeats) crossed {ctx.through} "
                f"at least every {longest:.1f} s; {described}"
            )
        seen = (
            f"nothing crossed {ctx.through} during a {WINDOW:g} s silent step"
            if not crossed
            else f"keep-alive bytes crossed only every {longest:.1f} s"
        )
        if timeout is not None and timeout + 2 <= CAP:
            silent = timeout + 2
            self._silent_run(ctx, graph, silent, seen=f"{seen}, and ")
            return f"{seen}, but a {silent:g} s silent step came through; {described}"
        if assumed >= ctx.settings.run_budget:
            return (
                f"{seen}, but {described}, longer than the run budget "
                f"({ctx.settings.run_budget:g} s)"
            )
        raise CheckFailed(
            f"{seen} (the server sends no heartbeat, or it is held back), and {described}: a "
            f"step silent for longer is cut, and runs may last {ctx.settings.run_budget:g} s "
            "(run-budget). Make the server send keep-alive comments, or raise the timeout."
        )

    def _silent_run(self, ctx: LiveContext, graph: str, silent: float, seen: str = "") -> SSEStream:
        stream = stream_run(
            ctx, graph, {"emit": 1, "silent": silent}, ["custom"], read_timeout=silent + 30
        )
        require_event_stream(stream, f"the probe run {ctx.through}")
        if _probe_events(stream)[1] is None:
            arrivals = stream.arrivals
            ended = stream.ended or 0.0
            quiet = ended - (arrivals[-1] if arrivals else 0.0)
            after = f", {quiet:.1f} s after its last byte" if quiet >= 0.5 else ""
            timeout = ctx.idle_timeout
            why = (
                f"; the proxy's idle timeout (proxy_read_timeout) is {timeout:g} s, and nothing "
                "the server sent in the silence kept the connection open"
                if timeout is not None
                else ""
            )
            raise CheckFailed(
                f"{seen}the stream was cut {ctx.through} {ended:.1f} s into a run whose probe "
                f"step stays silent for {silent:g} s{after} ({stream.error or 'closed early'})"
                f"{why}. Raise the timeout above the longest silent step."
            )
        return stream


def _probe_events(stream: SSEStream) -> tuple[Event | None, Event | None]:
    """The probe's first emitted event and its final ``done`` event, as they arrived."""
    first = done = None
    for event in stream.events:
        if event.event != "custom":
            continue
        try:
            kind = event.json().get("probe")
        except (ValueError, AttributeError):
            continue
        if kind == "emit" and first is None:
            first = event
        elif kind == "done":
            done = event
    return first, done
