"""The wire under every API the fake LLM speaks: JSON answers, server-sent events, pacing."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol

from agentcheck.live.fake_llm._script import Fault, Outcome

__all__ = ["Fake", "Wire"]


class Fake(Protocol):
    """What an answer needs of the :class:`~agentcheck.live.fake_llm.FakeLLM` serving it."""

    ttft: float
    tokens_per_second: float | None
    model: str

    def take(self, path: str, body: Mapping[str, Any], api: str) -> Outcome | None: ...

    def next_id(self) -> int: ...

    def sleep(self, seconds: float | None) -> bool: ...


class Wire(BaseHTTPRequestHandler):
    """One connection of the fake: the helpers every API's answers are written with."""

    protocol_version = "HTTP/1.1"
    server_version = "agentcheck-fake-llm"

    @property
    def fake(self) -> Fake:
        fake: Fake = self.server.fake  # type: ignore[attr-defined]
        return fake

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a load test would otherwise print one line per request."""

    # -- time ------------------------------------------------------------------------------------

    def stopped_while(self, seconds: float | None) -> bool:
        """Wait; if the server stops meanwhile, drop this connection (the answer is cut)."""
        if self.fake.sleep(seconds):
            self.close_connection = True
            return True
        return False

    def pace(self) -> float:
        """Seconds between two tokens."""
        tps = self.fake.tokens_per_second
        return 0.0 if tps is None else 1.0 / tps

    def now(self) -> int:
        return int(time.time())

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{self.fake.next_id()}"

    # -- answers ---------------------------------------------------------------------------------

    def json(
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

    def fault(self, fault: Fault, error: Any) -> None:
        """Answer ``fault``; ``error(status, message, kind)`` is the API's error body."""
        if fault.hangs:
            self.stopped_while(fault.hang_for)
            self.close_connection = True
            return
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        if fault.status == HTTPStatus.TOO_MANY_REQUESTS:
            body = error(fault.status, "Rate limit reached (injected)", "rate_limit")
        else:
            body = error(fault.status, "The server had an error (injected)", "server")
        self.json(fault.status, body, headers)

    def start_events(self) -> None:
        """Headers of a server-sent event stream (chunked)."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def event(self, data: Mapping[str, Any] | str, name: str | None = None) -> None:
        """One server-sent event (``event:`` line when ``name`` is given)."""
        payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
        head = f"event: {name}\n" if name else ""
        self.chunk(f"{head}data: {payload}\n\n".encode())

    def chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_events(self) -> None:
        self.chunk(b"")
