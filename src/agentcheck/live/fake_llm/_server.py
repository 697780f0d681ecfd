"""The fake LLM's server: its knobs, its script, what it received; see the package docstring."""

from __future__ import annotations

import collections
import itertools
import threading
import time
from collections.abc import Mapping
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from agentcheck.live.fake_llm._routes import Handler
from agentcheck.live.fake_llm._script import (
    API_KEY,
    DEFAULT_REPLY,
    GENERATION,
    Fault,
    Outcome,
    RecordedRequest,
    Reply,
)

__all__ = ["FakeLLM"]


class FakeLLM:
    """A fake model provider on ``127.0.0.1`` and a free port (see the package docstring).

    :param ttft: seconds between the request and the first token.
    :param tokens_per_second: pace of the following tokens; ``None`` sends them at once.
    :param error_ratio: the share of unscripted generation requests answered HTTP 500, spread
        evenly and deterministically (0.25: the 4th, 8th, 12th ...).
    :param default_reply: the reply once the script is exhausted.
    :param model: the model name reported when the request names none.
    :param port: 0 (the default) picks a free port.
    """

    def __init__(
        self,
        *,
        ttft: float = 0.0,
        tokens_per_second: float | None = None,
        error_ratio: float = 0.0,
        default_reply: str | Reply = DEFAULT_REPLY,
        model: str = "agentcheck-fake",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if ttft < 0:
            raise ValueError(f"ttft must be >= 0, got {ttft}")
        if tokens_per_second is not None and tokens_per_second <= 0:
            raise ValueError(f"tokens_per_second must be > 0, got {tokens_per_second}")
        if not 0 <= error_ratio <= 1:
            raise ValueError(f"error_ratio must be from 0 to 1, got {error_ratio}")
        self.ttft = ttft
        self.tokens_per_second = tokens_per_second
        self.error_ratio = error_ratio
        #: Unscripted generation requests so far (what ``error_ratio`` counts).
        self._unscripted = 0
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
        server = ThreadingHTTPServer((self._host, self._port), Handler)
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
        return f"{self.base_url}/v1"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: Anthropic's base URL (the client adds ``/v1``)."""
        return f"http://{self._host}:{self.port}"

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
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def calls(self, *apis: str) -> list[RecordedRequest]:
        """The requests of those APIs (default: the ones that generate text)."""
        wanted = set(apis) or GENERATION
        return [r for r in self.requests if r.api in wanted]

    def reset(self) -> None:
        """Forget the script and the recorded requests (the latency knobs stay)."""
        with self._lock:
            self._script.clear()
            self._requests.clear()
            self._unscripted = 0

    # -- used by the handler ---------------------------------------------------------------------

    def take(self, path: str, body: Mapping[str, Any], api: str) -> Outcome | None:
        """Record a request and give it its outcome: the first scripted fault meant for its API
        (``Fault(only=api)``), else the head of the script if it may take it (a fault for any
        API, or a reply for an API that generates text), else the default reply for such an
        API, else None."""
        with self._lock:
            self._requests.append(RecordedRequest(path, body, time.monotonic(), api))
            for index, outcome in enumerate(self._script):
                if isinstance(outcome, Fault) and outcome.only == api:
                    del self._script[index]
                    return outcome
            head = self._script[0] if self._script else None
            if isinstance(head, Fault) and head.only is None:
                return self._script.popleft()
            if api not in GENERATION:
                return None
            if isinstance(head, Reply):
                return self._script.popleft()
            self._unscripted += 1
            n, ratio = self._unscripted, self.error_ratio
            if ratio and int(n * ratio) > int((n - 1) * ratio):
                return Fault(500)
            return self.default_reply

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def sleep(self, seconds: float | None) -> bool:
        """Sleep unless the server stops first; True when it is stopping."""
        if seconds is not None and seconds <= 0:
            return self._stopping.is_set()
        return self._stopping.wait(seconds)
