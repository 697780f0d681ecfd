"""The Runtime interface: how the live checks get a running deployment.

A runtime is one small object with the shape of httpx's ``BaseTransport``: it starts N replicas of
the agent server (and the services they need: a throwaway PostgreSQL, Redis, the user's nginx in
front), tells where they listen, breaks them on purpose (kill one replica with SIGTERM or SIGKILL,
restart it on the same port), hands back each replica's log, and always cleans up.

Implementations:

* ``local`` (:class:`agentcheck.live.runtimes.local.LocalRuntime`): server processes on this
  machine, each in its own process group and working directory, on free loopback ports.
* ``url`` (:class:`agentcheck.live.runtimes.url.UrlRuntime`): an existing deployment. Read-only:
  ``start``/``stop`` only check health, every destructive method raises :class:`LiveError`.

Usage (the live pytest plugin holds one runtime per configuration, session-scoped)::

    spec = DeploymentSpec(root=project_dir, config=project_dir / "langgraph.json", replicas=2,
                          env={"OPENAI_BASE_URL": fake_llm.url},
                          extra_graphs={"agentcheck_probe": "/abs/probe.py:graph"})
    with make_runtime("local", spec, progress=print) as rt:
        client = get_client(url=rt.url)          # the proxy if any, else replica 0
        rt.kill(1, signal.SIGKILL)               # only if rt.destructive
        rt.restart(1)                            # same port, back when healthy
        print(rt.logs(1))
"""

from __future__ import annotations

import signal
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Literal, Self

__all__ = [
    "DEFAULT_HEALTH",
    "DeploymentSpec",
    "Progress",
    "Runtime",
    "ServerKind",
]

#: The kinds of server the local runtime can start.
ServerKind = Literal["langgraph-dev", "command"]

#: Health path per server kind when the spec does not name one.
DEFAULT_HEALTH = "/ok"

#: Receives one short line of progress while servers start ("replica 1/2 healthy on :41233").
Progress = Callable[[str], None]


@dataclass(frozen=True)
class DeploymentSpec:
    """What to run: the user's project, how many replicas, which server, which services.

    Everything here is data; the runtime decides ports, temporary directories and processes.

    Templates: ``command`` and the values of ``env`` may name ``{host}`` (always
    ``127.0.0.1``), ``{port}`` (the replica's port), ``{config}`` (the derived config file, see
    below), ``{root}`` (the project directory), ``{database_url}`` (the throwaway PostgreSQL when
    ``database="postgres"``, else ``""``), ``{redis_url}`` (likewise with ``redis=True``),
    ``{replica}`` (0-based index). ``command`` is formatted with ``str.format`` (an unknown
    placeholder is an error; ``{{``/``}}`` for literal braces); in ``env`` only those names are
    replaced and every other brace is kept, so JSON values need no escaping.

    Environment of every server: this process's environment, the venv's ``bin`` first on PATH,
    loopback in ``NO_PROXY``, ``LANGGRAPH_CLI_NO_ANALYTICS=1``, ``LANGGRAPH_NO_VERSION_CHECK=true``,
    ``PYTHONUNBUFFERED=1``, ``LOG_COLOR=false``; ``DATABASE_URL``/``POSTGRES_URI`` and
    ``REDIS_URI`` when those services run; then ``env``. Aegra, for example::

        DeploymentSpec(root, root / "langgraph.json", replicas=2, server="command",
                       command="aegra serve --host {host} --port {port}", health="/health",
                       database="postgres", env={"AEGRA_CONFIG": "{config}", "AUTH_TYPE": "noop"})

    With a database the first replica starts alone (it creates the schema), then the others.

    The derived config: the runtime never touches the user's files. It copies ``config`` into a
    temporary directory with every relative path made absolute (graphs, env, dependencies,
    auth.path, http.app, checkpointer.path, store paths) and ``extra_graphs`` added; that copy is
    what ``langgraph dev --config`` reads and what ``{config}`` names for ``command`` servers.
    """

    #: The project directory (the one holding langgraph.json).
    root: Path
    #: langgraph.json (or aegra.json); relative paths are taken from ``root``.
    config: Path
    #: How many replicas to start (each its own process, port and working directory).
    replicas: int = 1
    #: ``"langgraph-dev"`` (embedded in-memory runtime, no database needed) or ``"command"``.
    server: ServerKind = "langgraph-dev"
    #: For ``server="command"``: the command line template, e.g.
    #: ``"aegra serve --host {host} --port {port}"``. Split with shlex after formatting.
    command: str | None = None
    #: The path answering 200 when a replica is ready (``/ok`` for langgraph dev, ``/health``
    #: for Aegra).
    health: str = DEFAULT_HEALTH
    #: ``None`` or ``"postgres"``: a throwaway PostgreSQL on a free loopback port, fed to the
    #: servers as ``{database_url}`` (and as ``DATABASE_URL`` / ``POSTGRES_URI`` unless ``env``
    #: sets them).
    database: Literal["postgres"] | None = None
    #: Start a throwaway redis-server for ``{redis_url}`` (``REDIS_URI`` unless ``env`` sets it).
    redis: bool = False
    #: Extra environment for every server process, templated like ``command``; e.g. the fake
    #: LLM's ``OPENAI_BASE_URL``. Added on top of this process's environment.
    env: Mapping[str, str] = field(default_factory=dict)
    #: The user's nginx config (a full nginx.conf or a bare ``server {}`` snippet). When set, a
    #: real nginx runs it with upstreams rewritten to the replicas, and ``Runtime.url`` is nginx.
    proxy: Path | None = None
    #: Graph id -> ``"/abs/path/file.py:attr"`` added to the derived config (the probe graph).
    extra_graphs: Mapping[str, str] = field(default_factory=dict)
    #: Seconds each replica (and nginx) has to become healthy before start fails with its log.
    startup_timeout: float = 60.0

    def __post_init__(self) -> None:
        if self.replicas < 1:
            raise ValueError(f"replicas must be at least 1, got {self.replicas}")
        if self.server == "command" and not self.command:
            raise ValueError('server="command" needs a command template')


class Runtime(ABC):
    """A running deployment: N replicas, optionally behind a proxy.

    Subclasses set ``name`` and ``destructive``. Lifecycle: ``start()`` once (blocking until every
    replica, and the proxy, is healthy, or raising :class:`agentcheck.errors.LiveError` with the
    failing server's log tail after cleaning up whatever it started), then any number of calls,
    then ``stop()``, which is idempotent and never raises. Use it as a context manager.

    Replica indexes are 0-based. A destructive method on a runtime with ``destructive = False``
    raises :class:`agentcheck.errors.LiveError` saying it was refused.

    Cleanup: every process and temporary directory is recorded in
    :func:`agentcheck.live.services.cleanup.registry` (atexit and SIGTERM/SIGHUP handlers clean
    up). ``LocalRuntime.start()`` first calls :func:`agentcheck.live.services.cleanup.sweep`,
    which removes what runs killed with SIGKILL left; a live session may call it too.
    ``LocalRuntime`` also offers ``pids()`` (every process it runs, e.g. for memory figures),
    ``directory``, ``workdirs`` (each replica's, holding ``.langgraph_api/``) and ``redis_url``.
    """

    #: ``"local"``, ``"url"``, ...: the value of ``--agentcheck-runtime``.
    name: ClassVar[str]
    #: Whether ``kill`` and ``restart`` are allowed (False for an existing deployment).
    destructive: ClassVar[bool]

    def __init__(self, spec: DeploymentSpec, *, progress: Progress | None = None) -> None:
        self.spec = spec
        self._progress = progress

    def report(self, message: str) -> None:
        """Send one line of progress to whoever asked for it."""
        if self._progress is not None:
            self._progress(message)

    # -- lifecycle -------------------------------------------------------------------------------

    @abstractmethod
    def start(self) -> None:
        """Start everything and wait until healthy; on failure clean up, then raise LiveError."""

    @abstractmethod
    def stop(self) -> None:
        """Stop everything this runtime started and remove its temporary files.

        Idempotent; never raises (cleanup problems are logged, not thrown).
        """

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- where it listens ------------------------------------------------------------------------

    @property
    @abstractmethod
    def urls(self) -> list[str]:
        """Each replica's own base URL (``http://127.0.0.1:PORT``), bypassing the proxy."""

    @property
    def url(self) -> str:
        """The entry point clients should use: the proxy when there is one, else replica 0.

        Through a proxy that serves the agent under a prefix (``location /api/ { proxy_pass
        http://agent/; }``) the URL carries it: ``http://127.0.0.1:PORT/api``.
        """
        return self.proxy_url or self.urls[0]

    @property
    def proxy_url(self) -> str | None:
        """The proxy's base URL, or None without a proxy."""
        return None

    @property
    def database_url(self) -> str | None:
        """``postgresql://...`` of the throwaway database, or None."""
        return None

    @property
    def replicas(self) -> int:
        """How many replicas there are."""
        return len(self.urls)

    # -- breaking it on purpose (destructive) ----------------------------------------------------

    @abstractmethod
    def kill(self, index: int, sig: int = signal.SIGTERM, *, wait: bool = True) -> None:
        """Send ``sig`` to replica ``index`` (its whole process group).

        With ``wait=True`` return once the replica's processes have exited (after a SIGTERM grace
        of ``startup_timeout`` seconds the group gets SIGKILL). With ``wait=False`` return at once;
        ``alive(index)`` tells when it is gone. The replica stays down until ``restart(index)``.
        """

    @abstractmethod
    def restart(self, index: int) -> None:
        """Bring replica ``index`` back on the same port and working directory, wait healthy.

        If it is still running it is stopped gracefully (SIGTERM) first; if it was killed, it is
        simply started again. The working directory is kept, so state the server persisted
        there (``.langgraph_api/``) survives, as it would on a real restart.
        """

    @abstractmethod
    def alive(self, index: int) -> bool:
        """Whether replica ``index``'s server process is still running."""

    # -- what it said ----------------------------------------------------------------------------

    @abstractmethod
    def logs(self, index: int) -> str:
        """Replica ``index``'s combined stdout and stderr so far, across restarts."""

    def proxy_logs(self) -> str:
        """The proxy's error log (and access log after it), or ``""`` without a proxy."""
        return ""
