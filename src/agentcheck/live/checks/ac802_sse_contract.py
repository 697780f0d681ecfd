"""AC802 sse-contract: a run of the graph streams as the Agent Protocol says it does."""

from __future__ import annotations

import json

from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._runs import require_event_stream, stream_run

__all__ = ["SseContract"]

#: Stream modes requested, and the event each one arrives as.
STREAM_MODES = {"values": "values", "updates": "updates", "messages-tuple": "messages"}


class SseContract(LiveCheck):
    """A run of the graph streams as server-sent events that a client can rely on.

    What it checks
    --------------
    One run of the graph (input: ``input`` of ``[tool.agentcheck.live]``, by default one user
    message), streamed with ``values``, ``updates`` and ``messages-tuple`` on a new thread:
    the answer is ``text/event-stream``; every event has a name and JSON data; ``metadata``
    with the run id comes first; ``values`` and ``updates`` arrive, and ``messages`` too
    whenever the graph called the (fake) model; no ``error`` event; the stream ends by closing
    cleanly rather than breaking off.

    Why it matters
    --------------
    Every client (``langgraph_sdk``, ``useStream``, a chat UI) parses exactly this contract.
    An error event or a stream that breaks off is what a user sees as a hung or failed answer.

    How to fix
    ----------
    The message names the broken rule; the server's log tail shows the graph's own error.
    """

    code = "AC802"
    name = "sse-contract"
    summary = "A run streams valid server-sent events: metadata first, every mode, a clean end."
    per_graph = True

    def run(self, ctx: LiveContext, graph: str) -> str:
        asked = len(ctx.fake_llm.calls()) if ctx.fake_llm is not None else 0
        stream = stream_run(ctx, graph, ctx.settings.input, list(STREAM_MODES))
        require_event_stream(stream, f"the run of {graph!r} {ctx.through}")
        called_model = ctx.fake_llm is not None and len(ctx.fake_llm.calls()) > asked

        problems: list[str] = []
        events = stream.events
        if not events:
            problems.append("no event at all")
        elif events[0].event != "metadata":
            problems.append(f"the first event is {events[0].event or 'unnamed'!r}, not 'metadata'")
        else:
            meta = _json(events[0].data)
            if not isinstance(meta, dict) or not meta.get("run_id"):
                problems.append(f"the metadata event carries no run_id: {events[0].data[:200]}")
        unnamed = [n for n, e in enumerate(events, 1) if not e.event]
        if unnamed:
            problems.append(f"event(s) {unnamed[:5]} have no `event:` field")
        not_json = [
            f"#{n} {e.event}" for n, e in enumerate(events, 1) if _json(e.data) is _NOT_JSON
        ]
        if not_json:
            problems.append(f"data that is not JSON in event(s) {', '.join(not_json[:5])}")
        for event in events:
            if event.event == "error":
                problems.append(f"an error event: {event.data[:300]}")
        names = {e.event for e in events}
        wanted = ["values", "updates"] + (["messages"] if called_model else [])
        missing = [name for name in wanted if name not in names]
        if missing:
            problems.append(
                "no "
                + ", ".join(f"{name!r}" for name in missing)
                + f" event although requested (got: {', '.join(sorted(names)) or 'nothing'})"
            )
        if stream.error is not None:
            problems.append(
                f"the stream broke off after {len(events)} event(s) and "
                f"{stream.ended or 0:.2f} s: {stream.error}"
            )
        if problems:
            detail = "".join(f"\n  - {p}" for p in problems)
            raise CheckFailed(f"the stream of a run of {graph!r} {ctx.through}:{detail}")
        model = ", the model was called" if called_model else ""
        return (
            f"{len(events)} events in {stream.ended or 0:.2f} s "
            f"({', '.join(sorted(names))}){model}, closed cleanly"
        )


_NOT_JSON = object()


def _json(data: str) -> object:
    try:
        return json.loads(data)
    except ValueError:
        return _NOT_JSON
