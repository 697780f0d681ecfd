"""What the restart and replica checks (AC811-AC824) share.

Probe runs with an exact kill point (the probe announces its ``silent`` step, see
:mod:`agentcheck.live.probe.graph`, and names the replica executing it), the Agent Protocol
reads the checks judge by (run status, thread status, state, history) on any replica, and
waits that are always bounded in time. Every request here has its own short timeout: a replica
that is down is an answer ("no answer"), not a hang.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcheck.live.checks._base import CheckFailed, CheckSkipped
from agentcheck.live.checks._runs import require_event_stream, run_body

if TYPE_CHECKING:
    from agentcheck.live.checks._context import LiveContext
    from agentcheck.live.checks._sse import SSEStream

__all__ = [
    "TERMINAL",
    "Announced",
    "Waited",
    "create_thread",
    "deadline",
    "get_json",
    "parse_json",
    "probe_steps",
    "read_run",
    "replica_name",
    "require_replicas",
    "run_status",
    "start_announced",
    "state_of",
    "thread_status",
    "wait_for",
    "wait_run",
    "wait_thread_idle",
]

#: Run statuses that end a run (Agent Protocol).
TERMINAL = frozenset({"success", "error", "timeout", "interrupted"})
#: Seconds between two polls of a run's status.
POLL = 0.5
#: Seconds one request of a poll may take.
REQUEST = 5.0
#: Seconds a probe run has to reach its announced step.
ANNOUNCE = 30.0
#: Seconds a short probe run (``runs/wait``) may take.
RUN = 30.0


def probe_steps(emit: int) -> int:
    """Supersteps of one probe run of ``emit`` events on a new thread: each event, then
    silent, hold and done (the ``step`` its final state carries)."""
    return max(emit, 1) + 3


def require_replicas(ctx: LiveContext, count: int = 2) -> list[str]:
    """Each replica's URL; skip the check (with the reason) below ``count`` replicas."""
    urls = ctx.deployment.urls
    if len(urls) < count:
        raise CheckSkipped(
            f"needs {count} replicas and the deployment has {len(urls)} (set replicas = {count} "
            f"in [tool.agentcheck.live] or --agentcheck-replicas {count})"
        )
    return urls


def replica_name(index: int, urls: Sequence[str]) -> str:
    """``replica 2 (http://...)``."""
    return f"replica {index + 1} ({urls[index]})"


def get_json(
    ctx: LiveContext,
    method: str,
    url: str,
    body: Mapping[str, Any] | None = None,
    *,
    timeout: float = REQUEST,
) -> tuple[int | None, Any]:
    """``(status, JSON body)`` of one request, ``(None, "ConnectError")`` when nothing answered."""
    import httpx

    try:
        response = ctx.http().request(method, url, json=body, timeout=timeout)
    except httpx.HTTPError as exc:
        return None, type(exc).__name__
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text[:300]


def wait_for(
    ctx: LiveContext, url: str, thread: str, graph: str, **body: Any
) -> tuple[int | None, Any]:
    """``POST /threads/{thread}/runs/wait`` at ``url``: one probe run (``input=...``) or a resume
    (``command=...``) to its end; the thread is made if it does not exist."""
    request = {"assistant_id": graph, "config": {"recursion_limit": 100}, **body}
    if "input" in body:
        request["if_not_exists"] = "create"
    return get_json(ctx, "POST", f"{url}/threads/{thread}/runs/wait", request, timeout=RUN)


def create_thread(ctx: LiveContext, url: str) -> str:
    """A new thread on the replica at ``url``; CheckFailed if it is refused."""
    thread = str(uuid.uuid4())
    status, body = get_json(ctx, "POST", f"{url}/threads", {"thread_id": thread})
    if status != 200:
        raise CheckFailed(f"creating a thread at {url} was answered {status or 'nothing'}: {body}")
    return thread


def run_status(ctx: LiveContext, url: str, thread: str, run: str) -> tuple[int | None, str]:
    """``(HTTP status, run status or what answered)`` of one run read at ``url``."""
    status, body = get_json(ctx, "GET", f"{url}/threads/{thread}/runs/{run}")
    if status == 200 and isinstance(body, dict):
        return status, str(body.get("status"))
    return status, str(body)[:200]


def thread_status(ctx: LiveContext, url: str, thread: str) -> tuple[int | None, str]:
    """``(HTTP status, thread status or what answered)`` (``idle``, ``busy``, ``interrupted``)."""
    status, body = get_json(ctx, "GET", f"{url}/threads/{thread}")
    if status == 200 and isinstance(body, dict):
        return status, str(body.get("status"))
    return status, str(body)[:200]


def state_of(ctx: LiveContext, url: str, thread: str) -> tuple[int | None, dict[str, Any]]:
    """``(HTTP status, the thread's state values)`` read at ``url`` (``{}`` unless 200)."""
    status, body = get_json(ctx, "GET", f"{url}/threads/{thread}/state")
    if status == 200 and isinstance(body, dict) and isinstance(body.get("values"), dict):
        return status, dict(body["values"])
    return status, {}


@dataclass
class Announced:
    """A probe run that reached its announced ``silent`` step (and sleeps there)."""

    thread: str
    run: str
    #: The replica it was created on (0-based).
    created_on: int
    #: The replica executing it, as the probe said (None where the server did not say).
    executor: int | None
    #: ``time.monotonic()`` when the announcement arrived.
    at: float
    #: The state committed before the step (``step``, ``seq``), read right after it.
    committed: dict[str, Any] = field(default_factory=dict)


def start_announced(
    ctx: LiveContext, index: int, graph: str, probe: Mapping[str, Any], *, url: str | None = None
) -> Announced:
    """Start a probe run on replica ``index`` (or the server at ``url``) on a new thread and
    read its stream until the probe announces its ``silent`` step; the run goes on after the
    stream is left.

    ``probe`` must set ``announce`` and a ``silent`` long enough to act in. CheckFailed when the
    run does not get there within :data:`ANNOUNCE` seconds.
    """
    from agentcheck.live.checks._sse import open_stream

    if url is None:
        url, where = ctx.deployment.urls[index], replica_name(index, ctx.deployment.urls)
    else:
        where = url
    thread = create_thread(ctx, url)
    body = run_body(
        graph,
        dict(probe),
        ["custom"],
        on_disconnect="continue",
        stream_resumable=True,
        config={"recursion_limit": 100},
    )
    run, executor, at = "", None, 0.0
    with open_stream(
        ctx.http(), "POST", f"{url}/threads/{thread}/runs/stream", json=body, read_timeout=ANNOUNCE
    ) as stream:
        require_event_stream(stream, f"a probe run at {where}")
        with deadline(stream, ANNOUNCE) as cut:
            for event in stream:
                data = parse_json(event.data)
                if event.event == "metadata" and isinstance(data, dict):
                    run = str(data.get("run_id", ""))
                if isinstance(data, dict) and data.get("probe") == "silent":
                    at = time.monotonic()
                    replica = data.get("replica")
                    executor = int(str(replica)) if str(replica).isdigit() else None
                    break
    if not at or not run:
        said = (
            f"cut after {ANNOUNCE:g} s"
            if cut.is_set()
            else stream.error or f"{len(stream.events)} events and no announcement"
        )
        raise CheckFailed(
            f"the probe run at {where} did not reach its announced step within "
            f"{ANNOUNCE:g} s: {said}"
        )
    _, committed = state_of(ctx, url, thread)
    return Announced(thread, run, index, executor, at, committed)


@contextmanager
def deadline(stream: SSEStream, seconds: float) -> Iterator[threading.Event]:
    """Close ``stream`` after ``seconds`` whatever it is doing (heartbeat comments keep a read
    timeout from firing, so a stream that never ends would otherwise be read forever); the
    event yielded is set when it had to."""
    fired = threading.Event()

    def cut() -> None:
        fired.set()
        with contextlib.suppress(Exception):
            stream.response.close()

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()


def parse_json(data: str) -> Any:
    """The JSON of an event's data, None when it is not JSON."""
    import json

    try:
        return json.loads(data)
    except ValueError:
        return None


@dataclass
class Waited:
    """How a run's status went while it was polled."""

    #: The last status read (or what answered instead: an HTTP status, "ConnectError").
    status: str
    #: Seconds from the reference time to the last read.
    seconds: float
    #: ``(seconds, status)`` each time the status changed.
    timeline: list[tuple[float, str]] = field(default_factory=list)
    #: The HTTP status of the last read (None: nothing answered).
    http: int | None = None
    #: Where it was read last.
    url: str | None = None

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL

    def story(self) -> str:
        """``pending at 0.0 s, running at 0.6 s, success at 24.1 s``."""
        return ", ".join(f"{status} at {at:.1f} s" for at, status in self.timeline)


def read_run(
    ctx: LiveContext, urls: Sequence[str], thread: str, run: str
) -> tuple[str | None, int | None, str]:
    """The run's status at the first of ``urls`` that knows it: ``(url, 200, status)``; else,
    once every replica answered, the last one's answer (``(url, 404, ...)``: no replica knows
    it), or ``(url, None, ...)`` while one of them does not answer (it may be coming back)."""
    answers = []
    for url in urls:
        http, status = run_status(ctx, url, thread, run)
        if http == 200:
            return url, http, status
        answers.append((url, http, status))
    silent = [a for a in answers if a[1] is None]
    return silent[0] if silent else answers[-1]


def wait_run(
    ctx: LiveContext,
    urls: Sequence[str],
    thread: str,
    run: str,
    *,
    since: float,
    timeout: float,
    report_every: float = 30.0,
) -> Waited:
    """Poll the run on ``urls`` (the first that knows it) until it ends or ``since + timeout``.

    A 404 from every replica is an answer (no replica knows the run) and ends the wait; a
    replica that does not answer is waited for. Progress lines say how long it has been
    stuck, every ``report_every`` seconds.
    """
    deadline = since + timeout
    waited = Waited("unknown", 0.0)
    next_note = time.monotonic() + report_every
    while True:
        url, http, status = read_run(ctx, urls, thread, run)
        now = time.monotonic()
        waited.seconds, waited.http, waited.url = now - since, http, url
        shown = status if http in (200, None) else f"HTTP {http}"
        if shown != waited.status:
            waited.status = shown
            waited.timeline.append((waited.seconds, shown))
        if waited.ended or http == 404 or now >= deadline:
            return waited
        if now >= next_note:
            next_note += report_every
            ctx.deployment.report(
                f"run {run[:8]} still {shown} {waited.seconds:.0f} s after the fault "
                f"(waiting up to {timeout:g} s)"
            )
        time.sleep(POLL)


def wait_thread_idle(
    ctx: LiveContext, url: str, thread: str, *, timeout: float = 10.0
) -> tuple[str, float]:
    """Poll the thread until it is no longer ``busy`` (at most ``timeout`` s): its status and
    how long that took."""
    began = time.monotonic()
    while True:
        _, status = thread_status(ctx, url, thread)
        elapsed = time.monotonic() - began
        if status != "busy" or elapsed >= timeout:
            return status, elapsed
        time.sleep(POLL)
