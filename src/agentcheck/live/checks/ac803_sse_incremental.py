"""AC803 sse-incremental: events reach the client while the run is still going."""

from __future__ import annotations

from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._runs import require_event_stream, require_probe, stream_run

__all__ = ["SseIncremental"]

#: How long the probe stays silent between its first and its last event (seconds), at most.
SILENCE = 2.0


class SseIncremental(LiveCheck):
    """Events reach the client as they happen, not when the run ends.

    What it checks
    --------------
    The probe graph emits one event, stays silent for two seconds (less behind a proxy whose
    idle timeout is shorter, so that AC804's problem does not mask this one), then emits its
    last event. Through the proxy as configured, the first event must arrive well before the
    last: at least half the silence earlier.

    Why it matters
    --------------
    A buffered stream is no stream: the user stares at nothing until the whole answer lands.
    nginx holds events back when compression (``gzip`` on ``text/event-stream``) meets
    buffering (``proxy_buffering on`` with ``proxy_ignore_headers X-Accel-Buffering``, or a
    server that does not send ``X-Accel-Buffering: no``).

    How to fix
    ----------
    In the location that proxies the agent: ``proxy_buffering off;``, no ``gzip`` for
    ``text/event-stream``, and do not ignore ``X-Accel-Buffering``.
    """

    code = "AC803"
    name = "sse-incremental"
    summary = "The first event arrives long before the run ends: nothing buffers the stream."

    def run(self, ctx: LiveContext, graph: str) -> str:
        require_probe(ctx)
        silence = SILENCE
        if ctx.idle_timeout is not None:
            silence = min(silence, ctx.idle_timeout / 2)
        probe_input = {"emit": 1, "silent": silence}
        stream = stream_run(ctx, graph, probe_input, ["custom"], read_timeout=silence + 30)
        require_event_stream(stream, f"the probe run {ctx.through}")
        probe_events = [e for e in stream.events if e.event == "custom"]
        first = probe_events[0] if probe_events else None
        last = probe_events[-1] if len(probe_events) > 1 else None
        if first is None or last is None:
            got = ", ".join(e.event for e in stream.events) or "nothing"
            cut = f"; the stream broke off: {stream.error}" if stream.error else ""
            raise CheckFailed(
                f"the probe's two events did not both arrive {ctx.through} (got: {got}){cut}"
            )
        lead = last.at - first.at
        if lead < silence / 2:
            hints = []
            encoding = stream.response.headers.get("content-encoding")
            if encoding:
                hints.append(
                    f"the stream was compressed (Content-Encoding: {encoding}); compression "
                    "holds events back until its buffer fills: keep text/event-stream out of "
                    "gzip_types"
                )
            if ctx.deployment.proxy_url is not None:
                hints.append(
                    "set proxy_buffering off and do not ignore X-Accel-Buffering in the "
                    "location that proxies the agent"
                )
            hint = "; ".join(hints)
            raise CheckFailed(
                f"first event after {first.at:.2f} s of a {last.at:.2f} s run {ctx.through}: "
                f"the stream was buffered (the probe sent it {silence:.2f} s before its last "
                f"event, which arrived {lead:.2f} s after it)" + (f". {hint}" if hint else "")
            )
        return (
            f"first event after {first.at:.2f} s of a {last.at:.2f} s run, "
            f"{lead:.2f} s before the last one"
        )
