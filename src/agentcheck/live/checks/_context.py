"""The started deployment the live checks share, and what they need to talk to it."""

from __future__ import annotations

import collections
import contextlib
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from agentcheck.errors import LiveError
from agentcheck.live.probe import GRAPH_ID

if TYPE_CHECKING:
    import httpx

    from agentcheck.live.fake_llm import FakeLLM
    from agentcheck.live.orchestrator import Deployment
    from agentcheck.live.settings import LiveSettings
    from agentcheck.live.spec import Progress

__all__ = ["LiveContext", "start_context"]

_T = TypeVar("_T")

#: Lines of each log shown with a failure.
TAIL_LINES = 20
#: Seconds the logs of a failure may take to settle (the last request's line to be written).
SETTLE = 2.0
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: How langgraph-api names the graph that failed to load.
_GRAPH_FAILED = re.compile(r"Failed to load graph '([^']+)'")


@dataclass
class LiveContext:
    """One deployment (started, or that failed to start) and the clients the checks use.

    Build it with :func:`start_context`; :meth:`close` stops everything it started.
    """

    deployment: Deployment
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
    #: This session's mark on what it writes: runs (and the threads they create) carry
    #: ``metadata.agentcheck`` = this.
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    #: The threads the checks created, deleted at :meth:`close` on a deployment agentcheck did
    #: not start.
    threads: list[str] = field(default_factory=list)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _once: dict[str, tuple[bool, Any]] = field(default_factory=dict, repr=False)
    _results: Path | None = field(default=None, repr=False)

    @property
    def tag(self) -> dict[str, str]:
        """The metadata every run a check starts carries."""
        return {"agentcheck": self.session}

    def new_thread(self) -> str:
        """A new thread id, recorded (so that it can be deleted afterwards)."""
        thread = str(uuid.uuid4())
        self.threads.append(thread)
        return thread

    def cleanup_writes(self) -> int:
        """Delete the threads (and so the runs) the checks created; how many went. Only on a
        deployment agentcheck did not start: a thrown-away one needs no tidying."""
        if self.deployment.managed or not self.threads:
            return 0
        import httpx

        deleted = 0
        with httpx.Client(timeout=10.0) as client:
            for thread in self.threads:
                try:
                    answer = client.delete(f"{self.url}/threads/{thread}")
                except httpx.HTTPError:
                    continue
                deleted += answer.status_code in (200, 202, 204, 404)
        self.threads.clear()
        return deleted

    def keep_logs(self) -> Path | None:
        """Copy every log of this run into its folder under ``results`` (once a failure wants
        them kept; written again when the run ends, complete); the folder, or None. Masked like
        everything agentcheck prints: CI uploads such folders as artifacts."""
        from agentcheck.secrets import mask_text

        if self.settings.results is None:
            return None
        try:
            if self._results is None:
                stamp = time.strftime("%Y%m%d-%H%M%S")
                self._results = self.settings.results / f"{stamp}-{self.session[:8]}"
                self._results.mkdir(parents=True, exist_ok=True)
                ignore = self.settings.results.parent / ".gitignore"
                if self.settings.results.parent.name == ".agentcheck" and not ignore.exists():
                    ignore.write_text("# agentcheck's results: not for git\n*\n", encoding="utf-8")
            for name, text in self.deployment.all_logs():
                if text:
                    (self._results / f"{name}.log").write_text(mask_text(text), encoding="utf-8")
            if self.startup_error is not None:
                (self._results / "startup-error.txt").write_text(
                    mask_text(f"{self.startup_error}\n"), encoding="utf-8"
                )
        except OSError:
            return None
        return self._results

    def blamed_graph(self) -> str | None:
        """The graph the server named when it failed to start, if it named one."""
        found = _GRAPH_FAILED.search(str(self.startup_error or ""))
        return found[1] if found else None

    def warn(self, message: str) -> None:
        """Note something the running check observed that does not fail it."""
        self.warnings.append(message)

    def once(self, key: str, build: Callable[[], _T]) -> _T:
        """What ``build()`` returns (or raises) the first time ``key`` is asked for in this
        context, returned (or raised) again after: work one check does once for all its items
        (AC851 drives every graph's threads across the versions in one go)."""
        if key not in self._once:
            try:
                self._once[key] = (True, build())
            except Exception as exc:
                self._once[key] = (False, exc)
        done, value = self._once[key]
        if not done:
            raise value
        return value  # type: ignore[no-any-return]

    # -- where to send requests ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The entry point: the proxy when there is one, else replica 0."""
        return self.deployment.url

    @property
    def through(self) -> str:
        """Words for where requests go, for messages ("through the proxy at http://...")."""
        if self.deployment.proxy_url is not None:
            return f"through the proxy at {self.deployment.proxy_url}"
        return f"at {self.url} (no proxy)"

    @property
    def graphs(self) -> list[str]:
        """The user's graph ids (the served langgraph.json's, in order)."""
        return self.settings.graphs()

    @property
    def idle_timeout(self) -> float | None:
        """The proxy's effective idle (read) timeout in seconds, as the deployment runs it;
        None without a proxy or when it cannot be known."""
        proxy = self.deployment.proxy
        return proxy.idle_timeout if proxy is not None else None

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
        so new lines are found by content, not by offset. Servers write a request's log line
        after its last byte went out, so the logs are read once they stop growing (at most
        :data:`SETTLE` seconds).
        """
        parts = []
        for name, text in self._settled_logs().items():
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

    def _settled_logs(self) -> dict[str, str]:
        logs = self._logs()
        deadline = time.monotonic() + SETTLE
        while time.monotonic() < deadline:
            time.sleep(0.1)
            again = self._logs()
            if again == logs:
                break
            logs = again
        return logs

    def _logs(self) -> dict[str, str]:
        logs = {f"replica {i + 1}": self._log(i) for i in range(self._replica_count())}
        logs.update(self.deployment.beside_logs())
        logs["proxy"] = self._proxy_log()
        return logs

    def _replica_count(self) -> int:
        return len(self.deployment.urls)

    def _log(self, index: int) -> str:
        try:
            return self.deployment.logs(index)
        except (LiveError, IndexError, OSError):
            return ""

    def _proxy_log(self) -> str:
        try:
            return self.deployment.proxy_logs()
        except (LiveError, OSError):
            return ""

    # -- lifecycle -------------------------------------------------------------------------------

    def close_clients(self) -> None:
        """Close the clients the checks opened (the deployment keeps running); never raises."""
        for client in self._clients.values():
            with contextlib.suppress(Exception):  # closing must not hide the real outcome
                client.close()
        self._clients.clear()

    def close(self) -> None:
        """Delete what the checks wrote on an existing deployment, close the clients, stop
        what was started; never raises."""
        with contextlib.suppress(Exception):
            self.cleanup_writes()
        self.close_clients()
        self.deployment.stop()
        if self._results is not None:
            self.keep_logs()  # complete now


def start_context(settings: LiveSettings, *, progress: Progress | None = None) -> LiveContext:
    """Start the deployment ``settings`` describe and return its context.

    When agentcheck starts the servers (a managed runtime such as ``local``), they get the probe
    graph next to the user's graphs, the fake LLM for every model provider and sealed egress
    (see :meth:`LiveSettings.spec`). A server that does not come up is not an exception here:
    the context records it in ``startup_error`` for AC801 to report. Configuration errors
    (:class:`agentcheck.errors.ConfigError`, ``UsageError``) do raise.
    """
    from agentcheck.live.orchestrator import Deployment

    backend = settings.backend()
    deployment = Deployment(settings.spec(managed=backend.managed), backend, progress=progress)
    ctx = LiveContext(deployment, settings)
    began = time.monotonic()
    try:
        deployment.start()
    except LiveError as exc:
        ctx.startup_error = exc
        guard = deployment.egress
        if guard is not None and guard.attempts:
            from agentcheck.live.egress import describe

            ctx.startup_error = LiveError(f"{exc}\n{describe(guard.attempts)}")
        ctx.keep_logs()
    except BaseException:
        ctx.close()
        raise
    else:
        ctx.startup_seconds = time.monotonic() - began
    ctx.fake_llm = deployment.fake_llm
    return ctx


@contextmanager
def started(settings: LiveSettings, *, progress: Progress | None = None) -> Iterator[LiveContext]:
    """:func:`start_context` as a context manager that always closes."""
    ctx = start_context(settings, progress=progress)
    try:
        yield ctx
    finally:
        ctx.close()
