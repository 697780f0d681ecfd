"""A fake OpenAI: a real ``/v1/chat/completions`` server on loopback, deterministic and offline.

Point a graph's ``ChatOpenAI`` at it through the environment (:attr:`FakeLLM.env` gives
``OPENAI_BASE_URL`` and ``OPENAI_API_KEY``) and the graph runs without a network, with the
latency you choose and the replies you script::

    with FakeLLM(ttft=0.2, tokens_per_second=50) as llm:
        llm.script("Hello!", Fault(429), Reply(tool_calls=[ToolCall("lookup", {"q": "refund"})]))
        ...  # start the server with env=llm.env; each request takes the next scripted outcome
        assert llm.requests[0].body["messages"][-1]["content"] == "hi"

Streaming (``"stream": true``) and plain responses, tool calls, ``stream_options.include_usage``
and ``/v1/models`` follow OpenAI's wire format, so the official client and LangChain accept it.
Knobs: ``ttft`` (seconds before the first token), ``tokens_per_second`` (``None``: as fast as
possible), a script of replies and faults (``Fault(429)``, ``Fault(500)``, ``Fault.hang()``)
consumed one per request, and ``default_reply`` once the script is empty.

It is a ``ThreadingHTTPServer`` in a background thread (one thread per connection), so it can
serve a load test from the same process; ``python -m agentcheck.live.fake_llm`` runs it alone.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any, Self

__all__ = ["FakeLLM", "Fault", "RecordedRequest", "Reply", "ToolCall"]

#: The API key the fake accepts (any key is accepted; this one is what :attr:`FakeLLM.env` sets).
API_KEY = "sk-agentcheck-fake-llm"
DEFAULT_REPLY = "This is a scripted reply from agentcheck's fake LLM."
_TOKEN = re.compile(r"\s*\S+\s*|\s+")


@dataclass(frozen=True)
class ToolCall:
    """One tool call in a scripted reply; ``arguments`` is a mapping or a JSON string."""

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    id: str | None = None

    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(dict(self.arguments), separators=(",", ":"))


@dataclass(frozen=True)
class Reply:
    """A scripted assistant reply: text, tool calls, or both."""

    content: str = ""
    tool_calls: Sequence[ToolCall] = ()


@dataclass(frozen=True)
class Fault:
    """An injected failure: an HTTP error status, or a request that never gets an answer.

    ``Fault(429)`` answers with OpenAI's rate-limit error (``retry_after`` seconds go to the
    ``Retry-After`` header, which the OpenAI client honours); ``Fault(500)`` a server error;
    ``Fault.hang(seconds)`` holds the connection open without a byte for ``seconds`` (``None``:
    until the server stops), so the client's own timeout has to fire.
    """

    status: int = 500
    retry_after: float | None = 0.0
    hang_for: float | None = None
    hangs: bool = False

    @classmethod
    def hang(cls, seconds: float | None = None) -> Fault:
        return cls(status=0, hangs=True, hang_for=seconds)


Outcome = Reply | Fault


@dataclass(frozen=True)
class RecordedRequest:
    """A request the fake received: its path, parsed JSON body and arrival time (monotonic)."""

    path: str
    body: Mapping[str, Any]
    received_at: float


class FakeLLM:
    """An OpenAI-compatible chat-completions server on ``127.0.0.1`` and a free port.

    :param ttft: seconds between the request and the first token.
    :param tokens_per_second: pace of the following tokens; ``None`` sends them at once.
    :param default_reply: the reply once the script is exhausted.
    :param model: the model name reported when the request names none.
    :param port: 0 (the default) picks a free port.
    """

    def __init__(
        self,
        *,
        ttft: float = 0.0,
        tokens_per_second: float | None = None,
        default_reply: str | Reply = DEFAULT_REPLY,
        model: str = "agentcheck-fake",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if ttft < 0:
            raise ValueError(f"ttft must be >= 0, got {ttft}")
        if tokens_per_second is not None and tokens_per_second <= 0:
            raise ValueError(f"tokens_per_second must be > 0, got {tokens_per_second}")
        self.ttft = ttft
        self.tokens_per_second = tokens_per_second
        self.default_reply = (
            default_reply if isinstance(default_reply, Reply) else Reply(default_reply)
        )
        self.model = model
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._script: collections.deque[Outcome] = collections.deque()
        self._requests: list[RecordedRequest] = []
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns at once, ready for requests."""
        if self._server is not None:
            raise RuntimeError("the fake LLM is already running")
        self._stopping.clear()
        server = ThreadingHTTPServer((self._host, self._port), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits for one poll at most
            name=f"fake-llm:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; idempotent. Hanging and streaming requests are cut short."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether it serves now."""
        return self._server is not None

    # -- where it listens ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake LLM is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The OpenAI base URL, ``http://127.0.0.1:PORT/v1``."""
        return f"http://{self._host}:{self.port}/v1"

    @property
    def env(self) -> dict[str, str]:
        """Environment that points the OpenAI client (and ``ChatOpenAI``) here."""
        return {"OPENAI_BASE_URL": self.url, "OPENAI_API_KEY": API_KEY}

    # -- the script and what was received ---------------------------------------------------------

    def script(self, *outcomes: str | Outcome) -> None:
        """Queue outcomes for the next requests, in order (a string is a text reply)."""
        with self._lock:
            self._script.extend(Reply(o) if isinstance(o, str) else o for o in outcomes)

    def fail(self, status: int = 500, *, times: int = 1, retry_after: float | None = 0.0) -> None:
        """Queue ``times`` HTTP error answers (429 is rate limiting, 5xx a server error)."""
        self.script(*(Fault(status, retry_after=retry_after) for _ in range(times)))

    def hang(self, seconds: float | None = None, *, times: int = 1) -> None:
        """Queue ``times`` requests that get no answer for ``seconds`` (``None``: ever)."""
        self.script(*(Fault.hang(seconds) for _ in range(times)))

    @property
    def pending(self) -> int:
        """How many scripted outcomes are still queued."""
        with self._lock:
            return len(self._script)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every chat-completions request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Forget the script and the recorded requests (the latency knobs stay)."""
        with self._lock:
            self._script.clear()
            self._requests.clear()

    # -- used by the handler ---------------------------------------------------------------------

    def _take(self, path: str, body: Mapping[str, Any]) -> Outcome:
        with self._lock:
            self._requests.append(RecordedRequest(path, body, time.monotonic()))
            return self._script.popleft() if self._script else self.default_reply

    def _next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def _sleep(self, seconds: float | None) -> bool:
        """Sleep unless the server stops first; True when it is stopping."""
        if seconds is not None and seconds <= 0:
            return self._stopping.is_set()
        return self._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "agentcheck-fake-llm"

    @property
    def fake(self) -> FakeLLM:
        fake: FakeLLM = self.server.fake  # type: ignore[attr-defined]
        return fake

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a load test would otherwise print one line per request."""

    # -- routing ---------------------------------------------------------------------------------

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            model = {
                "id": self.fake.model,
                "object": "model",
                "created": 0,
                "owned_by": "agentcheck",
            }
            self._json(HTTPStatus.OK, {"object": "list", "data": [model]})
        else:
            self._error(HTTPStatus.NOT_FOUND, f"no route {self.path}", "invalid_request_error")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.split("?")[0].rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._error(HTTPStatus.NOT_FOUND, f"no route {self.path}", "invalid_request_error")
            return
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            message = "the body must be a JSON object with a 'messages' list"
            self._error(HTTPStatus.BAD_REQUEST, message, "invalid_request_error")
            return
        outcome = self.fake._take(self.path, body)
        if isinstance(outcome, Fault):
            self._fault(outcome)
        elif body.get("stream"):
            self._stream(body, outcome)
        else:
            self._complete(body, outcome)

    # -- answers ---------------------------------------------------------------------------------

    def _fault(self, fault: Fault) -> None:
        if fault.hangs:
            self._stopped_while(fault.hang_for)
            self.close_connection = True
            return
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        if fault.status == HTTPStatus.TOO_MANY_REQUESTS:
            self._error(fault.status, "Rate limit reached (injected)", "rate_limit_error", headers)
        else:
            self._error(fault.status, "The server had an error (injected)", "server_error", headers)

    def _complete(self, body: Mapping[str, Any], reply: Reply) -> None:
        tokens = _tokens(reply.content)
        delay = self.fake.ttft + self._pace() * max(0, len(tokens) - 1)
        if self._stopped_while(delay):
            return
        message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id or f"call_{self.fake._next_id()}",
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments_json()},
                }
                for call in reply.tool_calls
            ]
        choice = {
            "index": 0,
            "message": message,
            "logprobs": None,
            "finish_reason": "tool_calls" if reply.tool_calls else "stop",
        }
        self._json(
            HTTPStatus.OK,
            {
                **self._envelope(body, "chat.completion"),
                "choices": [choice],
                "usage": _usage(body, len(tokens)),
            },
        )

    def _stream(self, body: Mapping[str, Any], reply: Reply) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        envelope = self._envelope(body, "chat.completion.chunk")
        tokens = _tokens(reply.content)
        if self._stopped_while(self.fake.ttft):
            return
        try:
            for n, delta in enumerate(self._deltas(tokens, reply.tool_calls)):
                if n and self._stopped_while(self._pace()):
                    return
                self._chunk(envelope, [{"index": 0, "delta": delta, "finish_reason": None}])
            finish = "tool_calls" if reply.tool_calls else "stop"
            self._chunk(envelope, [{"index": 0, "delta": {}, "finish_reason": finish}])
            options = body.get("stream_options")
            if isinstance(options, dict) and options.get("include_usage"):
                usage = _usage(body, len(tokens))
                self._chunk(envelope, [], usage=usage)
            self._write_chunk(b"data: [DONE]\n\n")
            self._write_chunk(b"")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _deltas(self, tokens: list[str], calls: Sequence[ToolCall]) -> Iterator[dict[str, Any]]:
        first: dict[str, Any] = {"role": "assistant"}
        for token in tokens:
            yield {**first, "content": token}
            first = {}
        for index, call in enumerate(calls):
            head = {
                "index": index,
                "id": call.id or f"call_{self.fake._next_id()}",
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            yield {**first, "content": None, "tool_calls": [head]}
            first = {}
            arguments = call.arguments_json()
            for part in _tokens(arguments) or [arguments]:
                yield {"tool_calls": [{"index": index, "function": {"arguments": part}}]}
        if first:  # an empty reply still says who is speaking
            yield {**first, "content": ""}

    # -- wire helpers ----------------------------------------------------------------------------

    def _stopped_while(self, seconds: float | None) -> bool:
        """Wait; if the server stops meanwhile, drop this connection (the answer is cut)."""
        if self.fake._sleep(seconds):
            self.close_connection = True
            return True
        return False

    def _pace(self) -> float:
        tps = self.fake.tokens_per_second
        return 0.0 if tps is None else 1.0 / tps

    def _envelope(self, body: Mapping[str, Any], kind: str) -> dict[str, Any]:
        model = body.get("model")
        return {
            "id": f"chatcmpl-fake-{self.fake._next_id()}",
            "object": kind,
            "created": int(time.time()),
            "model": model if isinstance(model, str) else self.fake.model,
            "system_fingerprint": "agentcheck-fake",
        }

    def _chunk(self, envelope: Mapping[str, Any], choices: list[Any], **extra: Any) -> None:
        payload = json.dumps({**envelope, "choices": choices, **extra}, separators=(",", ":"))
        self._write_chunk(f"data: {payload}\n\n".encode())

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _json(
        self, status: int, payload: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(
        self, status: int, message: str, kind: str, headers: Mapping[str, str] | None = None
    ) -> None:
        error = {"message": message, "type": kind, "param": None, "code": None}
        self._json(status, {"error": error}, headers)


def _tokens(text: str) -> list[str]:
    """Split text into word-sized tokens that join back to exactly ``text``."""
    return _TOKEN.findall(text)


def _usage(body: Mapping[str, Any], completion_tokens: int) -> dict[str, int]:
    prompt = 0
    for message in body.get("messages", []):
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            prompt += len(_tokens(content))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m agentcheck.live.fake_llm``: serve until interrupted, print the base URL."""
    parser = argparse.ArgumentParser(
        prog="python -m agentcheck.live.fake_llm",
        description="An OpenAI-compatible fake chat model on loopback.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--ttft", type=float, default=0.0, help="seconds to the first token")
    parser.add_argument("--tokens-per-second", type=float, default=None, help="token pace")
    parser.add_argument("--reply", default=DEFAULT_REPLY, help="the reply text")
    args = parser.parse_args(argv)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    llm = FakeLLM(
        ttft=args.ttft,
        tokens_per_second=args.tokens_per_second,
        default_reply=args.reply,
        port=args.port,
    )
    with llm:
        print(llm.url, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
