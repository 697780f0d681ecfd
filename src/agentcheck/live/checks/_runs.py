"""Starting runs for the checks: one request that creates the thread and streams the run."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcheck.live.checks._base import CheckFailed, CheckSkipped

if TYPE_CHECKING:
    from agentcheck.live.checks._context import LiveContext
    from agentcheck.live.checks._sse import SSEStream

__all__ = [
    "Waited",
    "describe_response",
    "ranges",
    "require_event_stream",
    "require_probe",
    "run_body",
    "stream_run",
    "wait_run",
]


def run_body(
    graph: str, run_input: Mapping[str, Any], stream_mode: Sequence[str], **extra: Any
) -> dict[str, Any]:
    """The body of ``POST /threads/{id}/runs/stream`` for a thread that does not exist yet.

    ``if_not_exists: create`` makes the thread on whichever replica takes the request, so one
    request is enough even behind a proxy that spreads requests over replicas that share nothing.
    """
    return {
        "assistant_id": graph,
        "input": dict(run_input),
        "stream_mode": list(stream_mode),
        "if_not_exists": "create",
        **extra,
    }


def stream_run(
    ctx: LiveContext,
    graph: str,
    run_input: Mapping[str, Any],
    stream_mode: Sequence[str],
    *,
    url: str | None = None,
    read_timeout: float = 30.0,
) -> SSEStream:
    """Stream one run of ``graph`` on a new thread, reading it to its end."""
    from agentcheck.live.checks._sse import read_stream

    base = url or ctx.url
    return read_stream(
        ctx.http(),
        "POST",
        f"{base}/threads/{ctx.new_thread()}/runs/stream",
        json=run_body(graph, run_input, stream_mode, metadata=ctx.tag),
        read_timeout=read_timeout,
    )


@dataclass
class Waited:
    """What a blocking ``POST /threads/{id}/runs/wait`` gave: status (None: cut before any
    answer), seconds to the end, when each chunk arrived, and the transport error if any."""

    status: int | None = None
    seconds: float = 0.0
    arrivals: list[float] = field(default_factory=list)
    error: str | None = None
    body: str = ""

    @property
    def completed(self) -> bool:
        return self.status == 200 and self.error is None and '"step"' in self.body

    def longest_silence(self) -> float:
        """The longest time without a byte, from the request to the end."""
        marks = [0.0, *self.arrivals, self.seconds]
        return max(b - a for a, b in itertools.pairwise(marks))


def wait_run(
    ctx: LiveContext,
    graph: str,
    run_input: Mapping[str, Any],
    *,
    url: str,
    read_timeout: float,
) -> Waited:
    """One blocking run of ``graph`` on a new thread, with the arrival time of every byte (a
    server may send keep-alive whitespace while it waits). Its own client: it may run while
    another request of the check is open."""
    import httpx

    from agentcheck.live.checks._sse import TimingTransport

    body = run_body(graph, run_input, ["values"], metadata=ctx.tag)
    body.pop("stream_mode")
    waited = Waited()
    began = time.monotonic()
    timeout = httpx.Timeout(10.0, read=read_timeout)
    try:
        with (
            httpx.Client(transport=TimingTransport(), timeout=timeout) as client,
            client.stream("POST", f"{url}/threads/{ctx.new_thread()}/runs/wait", json=body) as r,
        ):
            waited.status = r.status_code
            waited.body = r.read().decode("utf-8", "replace")
            arrivals = r.extensions.get("agentcheck.arrivals", [])
            waited.arrivals = [float(t) - began for t in arrivals]
    except httpx.HTTPError as exc:
        waited.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    waited.seconds = time.monotonic() - began
    return waited


def describe_response(stream: SSEStream) -> str:
    """``HTTP 404: {"detail": ...}`` for a response that is not an event stream."""
    try:
        body = stream.response.text.strip()
    except Exception:  # a body we cannot decode is not worth a crash
        body = ""
    body = body if len(body) <= 300 else body[:300] + "..."
    return f"HTTP {stream.status} ({stream.content_type or 'no content-type'}): {body}"


def require_event_stream(stream: SSEStream, what: str) -> None:
    """Fail unless the response is a 200 event stream."""
    if stream.status != 200 or "text/event-stream" not in stream.content_type:
        raise CheckFailed(f"{what} was answered {describe_response(stream)}")


def require_probe(ctx: LiveContext) -> None:
    """Skip unless the deployment serves agentcheck's probe graph."""
    if ctx.deployment.managed or ctx.has_graph(ctx.probe):
        return
    raise CheckSkipped(
        f"this deployment does not serve agentcheck's probe graph; to run this check against "
        f'it, add "{ctx.probe}": "agentcheck.live.probe.graph:graph" to the graphs of its '
        f"langgraph.json (agentcheck must be installed in the image)"
    )


def ranges(numbers: Iterable[int]) -> str:
    """``[1, 2, 3, 7, 9, 10]`` -> ``"1-3, 7, 9-10"``."""
    out: list[str] = []
    run: list[int] = []
    for n in sorted(set(numbers)):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [n]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(out)
