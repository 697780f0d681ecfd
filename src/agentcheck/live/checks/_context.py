"""The started deployment the live checks share, and what they need to talk to it."""

from __future__ import annotations

import collections
import contextlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from agentcheck.errors import LiveError
from agentcheck.live.probe import GRAPH_ID, GRAPH_SPEC

if TYPE_CHECKING:
    import httpx

    from agentcheck.live.fake_llm import FakeLLM
    from agentcheck.live.runtimes.base import Progress, Runtime
    from agentcheck.live.settings import LiveSettings

__all__ = ["LiveContext", "start_context"]

#: Lines of each log shown with a failure.
TAIL_LINES = 20
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class LiveContext:
    """One deployment (started, or that failed to start) and the clients the checks use.

    Build it with :func:`start_context`; :meth:`close` stops everything it started.
    """

    runtime: Runtime
    settings: LiveSettings
    fake_llm: FakeLLM | None = None
    #: Why the deployment did not start, or None; checks other than AC801 are then skipped.
    startup_error: LiveError | None = None
    #: Seconds the runtime took to start (None when it failed).
    startup_seconds: float | None = None
    #: The graph id the SSE checks run.
    probe: str = GRAPH_ID
    #: What the running check found worth saying without failing (see :meth:`warn`).
    warnings: list[str] = field(default_factory=list)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def warn(self, message: str) -> None:
        """Note something the running check observed that does not fail it."""
        self.warnings.append(message)

    # -- where to send requests ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The entry point: the proxy when there is one, else replica 0."""
        return self.runtime.url

    @property
    def through(self) -> str:
        """Words for where requests go, for messages ("through the proxy at http://...")."""
        if self.runtime.proxy_url is not None:
            return f"through the proxy at {self.runtime.proxy_url}"
        return f"at {self.url} (no proxy)"

    @property
    def graphs(self) -> list[str]:
        """The user's graph ids (the served langgraph.json's, in order)."""
        return self.settings.graphs()

    @cached_property
    def idle_timeout(self) -> float | None:
        """The proxy's effective idle (read) timeout in seconds; None without a proxy config."""
        if self.settings.proxy is None:
            return None
        from agentcheck.deployment.nginx import effective_idle_timeout

        return effective_idle_timeout(self.settings.proxy)

    # -- clients ---------------------------------------------------------------------------------

    def http(self) -> httpx.Client:
        """An httpx client that records when each response chunk arrived (see ``_sse``)."""
        client = self._clients.get("http")
        if client is None:
            import httpx

            from agentcheck.live.checks._sse import TimingTransport

            client = httpx.Client(transport=TimingTransport(), timeout=30.0)
            self._clients["http"] = client
        return client

    def sdk(self, url: str | None = None) -> Any:
        """A ``langgraph_sdk`` sync client for ``url`` (default: the entry point)."""
        url = url or self.url
        key = f"sdk:{url}"
        if key not in self._clients:
            from langgraph_sdk import get_sync_client

            self._clients[key] = get_sync_client(url=url, api_key=None)
        return self._clients[key]

    def has_graph(self, graph: str, url: str | None = None) -> bool:
        """Whether an assistant of ``graph`` is served at ``url``."""
        import httpx

        try:
            return bool(self.sdk(url).assistants.search(graph_id=graph, limit=1))
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:  # langgraph-api: "Graph 'x' not found"
                return False
            raise

    # -- logs ------------------------------------------------------------------------------------

    def log_marks(self) -> dict[str, str]:
        """Each log as it is now, to show only the lines written afterwards."""
        return self._logs()

    def log_tail(self, marks: dict[str, str] | None = None, lines: int = TAIL_LINES) -> str:
        """The last ``lines`` of each log that were not in it at ``marks`` (all without marks).

        A log may be several files one after another (nginx's error log, then its access log),
        so new lines are found by content, not by offset.
        """
        parts = []
        for name, text in self._logs().items():
            seen = collections.Counter((marks or {}).get(name, "").splitlines())
            new = []
            for line in text.splitlines():
                if seen[line] > 0:
                    seen[line] -= 1
                elif line.strip():
                    new.append(_ANSI.sub("", line))
            tail = new[-lines:]
            if tail:
                parts.append(f"--- {name} log (last {len(tail)} lines) ---\n" + "\n".join(tail))
        return "\n".join(parts)

    def _logs(self) -> dict[str, str]:
        logs = {f"replica {i + 1}": self._log(i) for i in range(self._replica_count())}
        logs["proxy"] = self._proxy_log()
        return logs

    def _replica_count(self) -> int:
        try:
            return len(self.runtime.urls)
        except (LiveError, IndexError):
            return 0

    def _log(self, index: int) -> str:
        try:
            return self.runtime.logs(index)
        except (LiveError, IndexError, OSError):
            return ""

    def _proxy_log(self) -> str:
        try:
            return self.runtime.proxy_logs()
        except (LiveError, OSError):
            return ""

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the deployment and the fake LLM, close the clients; never raises."""
        for client in self._clients.values():
            with contextlib.suppress(Exception):  # closing must not hide the real outcome
                client.close()
        self._clients.clear()
        self.runtime.stop()
        if self.fake_llm is not None:
            self.fake_llm.stop()


def start_context(settings: LiveSettings, *, progress: Progress | None = None) -> LiveContext:
    """Start the deployment ``settings`` describe and return its context.

    With the local runtime, a fake LLM starts first and the servers get its ``OPENAI_BASE_URL``
    and ``OPENAI_API_KEY`` (the project's ``[tool.agentcheck.live.env]`` may override them), and
    the probe graph is served next to the user's graphs. A server that does not come up is not
    an exception here: the context records it in ``startup_error`` for AC801 to report.
    Configuration errors (:class:`agentcheck.errors.ConfigError`, ``UsageError``) do raise.
    """
    from agentcheck.live.runtimes import make_runtime

    fake_llm: FakeLLM | None = None
    env: dict[str, str] = {}
    extra_graphs: dict[str, str] = {}
    if settings.runtime == "local":
        from agentcheck.live.fake_llm import FakeLLM

        fake_llm = FakeLLM().start()
        env.update(fake_llm.env)
        extra_graphs[GRAPH_ID] = GRAPH_SPEC
    try:
        spec = settings.spec(env=env, extra_graphs=extra_graphs)
        runtime = make_runtime(settings.runtime, spec, settings.urls, progress=progress)
    except BaseException:
        if fake_llm is not None:
            fake_llm.stop()
        raise
    ctx = LiveContext(runtime, settings, fake_llm)
    began = time.monotonic()
    try:
        runtime.start()
    except LiveError as exc:
        ctx.startup_error = exc
    except BaseException:
        ctx.close()
        raise
    else:
        ctx.startup_seconds = time.monotonic() - began
    return ctx


@contextmanager
def started(settings: LiveSettings, *, progress: Progress | None = None) -> Iterator[LiveContext]:
    """:func:`start_context` as a context manager that always closes."""
    ctx = start_context(settings, progress=progress)
    try:
        yield ctx
    finally:
        ctx.close()
