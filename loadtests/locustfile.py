"""agentcheck's locustfile: what an agent's users do, against a LangGraph Agent Server API.

Run it with plain Locust against any deployment that speaks the Agent Server API (``langgraph
dev``, Agent Server, langhost, Aegra)::

    locust -f locustfile.py --host http://127.0.0.1:2024
    locust -f locustfile.py --headless -u 20 -r 5 -t 30s --host http://127.0.0.1:8080 \\
        --agent-replicas http://127.0.0.1:2024,http://127.0.0.1:2025

``agentcheck load`` runs this same file (the package ships it as ``agentcheck.load.locustfile``;
``agentcheck load --locustfile`` prints where it is). It needs only Locust.

Each user holds one conversation after another, without pause (each step is a Locust task):

1. ``POST /threads``: a new thread;
2. ``POST /threads/{id}/runs/stream``: a run streamed with ``stream_mode`` ``messages-tuple``
   (the model's tokens as they come) and ``updates`` (each node's output), read to its end;
3. the same again on that thread with a follow-up message, on the next replica when
   ``--agent-replicas`` names several (a thread must continue wherever the next request lands);
4. ``GET /threads/{id}/state``, on that replica too.

With ``stream=True`` Locust times only the response headers, so a streamed run also fires
events of its own (request type ``SSE``), each timed from sending the request: ``time to first
event`` (the run's ``metadata``: it started, so the rest is queueing), ``time to first token``
(the first event carrying model output) and ``full stream`` (to the last byte). A stream that
ends in an ``error`` event, breaks off, or stays silent past ``--agent-read-timeout`` counts as
a failed request. Options (each also read from the environment variable named in its help):
the assistant (default: the first one the server lists, other than agentcheck's probe), the
run input as JSON, the stream modes, and the replica URLs.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

import gevent  # type: ignore[import-untyped]
import locust.stats
from locust import HttpUser, constant, events, task
from locust.argument_parser import LocustArgumentParser

# Locust flushes its CSV history every 5 s; every second lets a watcher (agentcheck load's
# progress line) follow the run as it goes.
locust.stats.CSV_STATS_FLUSH_INTERVAL_SEC = 1

#: The assistant agentcheck serves next to the user's graphs, never the one load runs.
PROBE = "agentcheck_probe"
#: The request type of the events this file fires for streams.
SSE = "SSE"
FIRST_EVENT = "time to first event"
FIRST_TOKEN = "time to first token"
FULL_STREAM = "full stream"
DEFAULT_INPUT = {
    "messages": [{"role": "user", "content": "Hello from agentcheck: please answer briefly."}]
}
FOLLOW_UP = {"messages": [{"role": "user", "content": "Thanks. One more thing, briefly?"}]}
_OPTIONS = {
    # option: (environment variable, default, help)
    "agent_graph": ("AGENTCHECK_LOAD_GRAPH", "", "assistant or graph id to run"),
    "agent_input": ("AGENTCHECK_LOAD_INPUT", "", "run input, JSON (default: one user message)"),
    "agent_stream_mode": ("AGENTCHECK_LOAD_STREAM_MODE", "messages-tuple,updates", "modes"),
    "agent_replicas": ("AGENTCHECK_LOAD_REPLICAS", "", "replica base URLs, comma-separated"),
    "agent_read_timeout": ("AGENTCHECK_LOAD_READ_TIMEOUT", "60", "seconds of silence allowed"),
}


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]
def _options(parser: LocustArgumentParser, **kwargs: Any) -> None:
    for dest, (env, default, text) in _OPTIONS.items():
        parser.add_argument(
            "--" + dest.replace("_", "-"),
            default=os.environ.get(env, default),
            help=f"{text} (env {env})",
        )


@events.init.add_listener  # type: ignore[untyped-decorator]
def _fresh_clock(**kwargs: Any) -> None:
    """Bring gevent's clock up to date before Locust sets its ``--run-time`` timer.

    gevent's loop caches the time and updates it only when it runs, which it has not since
    Locust imported it: the timer, set right after this event, would count from then, so a
    start-up slowed by a busy machine (2 s at load 13 here) ended the load that much early.
    """
    gevent.get_hub().loop.update_now()


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _last_csv_turn(environment: Any, **kwargs: Any) -> None:
    """Give Locust's CSV writer one more turn before it closes its files.

    It writes them every ``CSV_STATS_INTERVAL_SEC`` and not again at the end, so the streams
    that ended while the load stopped (``--stop-timeout`` lets them finish) would be missing
    from the CSV files although Locust's own summary counts them: with a short load, every run.
    """
    options = environment.parsed_options
    if options is not None and getattr(options, "csv_prefix", None):
        gevent.sleep(locust.stats.CSV_STATS_INTERVAL_SEC + 0.5)


def _option(user: HttpUser, dest: str) -> str:
    parsed = user.environment.parsed_options
    value = getattr(parsed, dest, None) if parsed is not None else None
    env, default, _ = _OPTIONS[dest]
    return str(value if value is not None else os.environ.get(env, default))


def sse_events(chunks: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    """``(event, data)`` of each server-sent event in ``chunks``, as they arrive.

    Lines end in CRLF, LF or CR (a CR at a chunk's end waits for the next chunk); comments
    (heartbeats) are skipped; an event without ``event:`` is a ``message``; an event the stream
    ends in the middle of is dropped, as the SSE specification says.
    """
    buffer, name = "", ""
    data: list[str] = []
    for chunk in itertools.chain(chunks, [None]):
        if chunk is not None:
            buffer += chunk.decode("utf-8", "replace")
        elif buffer.endswith("\r"):
            buffer += "\n"  # the stream's last CR ends its line: nothing follows it
        while True:
            cut = min((i for i in (buffer.find("\r"), buffer.find("\n")) if i >= 0), default=-1)
            if cut < 0 or (buffer[cut] == "\r" and cut == len(buffer) - 1):
                break  # no whole line yet, or a CR that may be half of a CRLF
            line, skip = buffer[:cut], 2 if buffer.startswith("\r\n", cut) else 1
            buffer = buffer[cut + skip :]
            if not line:
                if data or name:
                    yield name or "message", "\n".join(data)
                name, data = "", []
            elif not line.startswith(":"):
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "event":
                    name = value
                elif field == "data":
                    data.append(value)


def has_output(event: str, data: str) -> bool:
    """Whether an SSE event carries model output (a token or a tool call chunk)."""
    if not event.startswith("messages") or event == "messages/metadata":
        return False
    try:
        payload = json.loads(data)
    except ValueError:
        return False
    chunk = payload[0] if isinstance(payload, list) and payload else payload
    if isinstance(chunk, list) and chunk:  # messages/partial: a list of messages
        chunk = chunk[-1]
    if not isinstance(chunk, dict):
        return False
    return bool(chunk.get("content") or chunk.get("tool_call_chunks") or chunk.get("tool_calls"))


class AgentUser(HttpUser):
    """One conversation after another: create a thread, stream, continue, read the state.

    Each step is one task, so when the load stops a user finishes the step it is in (Locust's
    ``--stop-timeout``) instead of a whole conversation.
    """

    wait_time = constant(0)
    #: Conversations started in this process: which replica each starts on.
    _conversations = itertools.count()
    _assistant: str | None = None

    def on_start(self) -> None:
        self.replicas = [u.strip().rstrip("/") for u in _option(self, "agent_replicas").split(",")]
        self.replicas = [u for u in self.replicas if u] or [str(self.host or "").rstrip("/")]
        given = _option(self, "agent_input")
        self.input = json.loads(given) if given else DEFAULT_INPUT
        self.follow_up = self.input if given else FOLLOW_UP
        self.stream_mode = [m for m in _option(self, "agent_stream_mode").split(",") if m]
        self.read_timeout = float(_option(self, "agent_read_timeout"))
        self.thread: str | None = None
        self.stage = 0

    def assistant(self, base: str) -> str | None:
        """The assistant to run: ``--agent-graph``, else the first one the server lists."""
        chosen = _option(self, "agent_graph") or AgentUser._assistant
        if chosen:
            return chosen
        with self.client.post(
            f"{base}/assistants/search", json={"limit": 100}, name="list assistants",
            catch_response=True,
        ) as response:  # fmt: skip
            found = response.json() if response.ok else []
            ids = [a.get("graph_id") for a in found if isinstance(a, dict)]
            ids = [i for i in ids if isinstance(i, str) and i != PROBE]
            if not ids:
                response.failure("the server lists no assistant to run (give --agent-graph)")
                return None
        AgentUser._assistant = ids[0]
        return ids[0]

    @task
    def step(self) -> None:
        """The next step of this user's conversation."""
        if self.thread is None:
            self.start_conversation()
        elif self.stage == 1:
            self.stream(self.home, self.input, "stream run")
        elif self.stage == 2:
            self.stream(self.other, self.follow_up, "continue thread")
        else:
            self.client.get(f"{self.other}/threads/{self.thread}/state", name="read state")
            self.thread = None
            return
        self.stage += 1

    def start_conversation(self) -> None:
        n = next(AgentUser._conversations)
        self.home = self.replicas[n % len(self.replicas)]
        self.other = self.replicas[(n + 1) % len(self.replicas)]
        self.graph = self.assistant(self.home)
        if self.graph is None:
            time.sleep(1)  # nothing to run: do not spin
            return
        with self.client.post(
            f"{self.home}/threads", json={}, name="create thread", catch_response=True
        ) as response:
            body = response.json() if response.ok else {}
            self.thread = body.get("thread_id") if isinstance(body, dict) else None
            if not self.thread:
                response.failure(f"HTTP {response.status_code}: no thread_id")
                return
        self.stage = 0

    def stream(self, base: str, run_input: Any, name: str) -> None:
        """Stream one run on the thread to its end, firing the SSE events.

        A stream the load's end cuts short (after ``--stop-timeout``) is not a failure of the
        server: its time so far goes into the distributions, as the least it took.
        """
        body = {"assistant_id": self.graph, "input": run_input, "stream_mode": self.stream_mode}
        began = time.perf_counter()
        opened: float | None = None
        first: float | None = None
        with self.client.post(
            f"{base}/threads/{self.thread}/runs/stream", json=body, name=name, stream=True,
            catch_response=True, timeout=(10, self.read_timeout),
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return
            try:
                seen = 0
                for event, data in sse_events(response.iter_content(chunk_size=None)):
                    seen += 1
                    opened = opened or time.perf_counter()
                    if event == "error":
                        response.failure(f"error event: {data[:200]}")
                        return
                    if first is None and has_output(event, data):
                        first = time.perf_counter()
            except gevent.GreenletExit:  # stopped by the end of the load
                response.success()
                now = time.perf_counter()
                self.timings(began, opened or now, first or now, now)
                raise
            except Exception as exc:  # requests' read timeouts and cut connections
                response.failure(f"the stream broke off: {type(exc).__name__}: {exc}")
                return
            if not seen:
                response.failure("the stream ended without an event")
                return
            response.success()
        self.timings(began, opened, first, time.perf_counter())

    def timings(
        self, began: float, opened: float | None, first: float | None, ended: float
    ) -> None:
        for name, at in ((FIRST_EVENT, opened), (FIRST_TOKEN, first), (FULL_STREAM, ended)):
            if at is not None:
                self.environment.events.request.fire(
                    request_type=SSE, name=name, response_time=(at - began) * 1000,
                    response_length=0, exception=None, context={},
                )  # fmt: skip
