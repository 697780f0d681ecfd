"""The deployment orchestrator: services, replica waves, the proxy, restarts, kept logs.

One :class:`Deployment` runs a :class:`~agentcheck.live.spec.DeploymentSpec` on a backend
(:mod:`agentcheck.live.backends`). The order is the same for every backend:

1. the services (:mod:`._services`): the fake LLM and the egress guard (in this process), a
   throwaway PostgreSQL and Redis (from the backend: local processes, or containers);
2. the replicas: with a database the first replica starts alone (it creates the schema; two
   migrations at once collide on a fresh database), then the others together, as soon as its
   log says the schema is in place (:data:`SCHEMA_READY`, else once it is healthy); a replica
   whose port was taken gets another;
3. the user's nginx in front, its upstreams rewritten to the replicas.

Stopping goes the other way and keeps every log, so a failure can still show them. Checks ask
the deployment what runs (:attr:`Deployment.proxy` with its idle timeout, the URLs, the
capabilities) instead of reading settings or the user's files again.
Another version of the project (another source tree) runs on the same services with
:meth:`Deployment.beside`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from agentcheck.errors import LiveError
from agentcheck.live.backends.base import Backend, Capability, Launch, ReplicaStats, Unsupported
from agentcheck.live.orchestrator._proxy import ProxyInfo, describe
from agentcheck.live.orchestrator._replicas import Replicas
from agentcheck.live.orchestrator._services import SITE_FILE, in_process, launch, start_services
from agentcheck.live.probe import RELEASE_ENV
from agentcheck.live.services import cleanup
from agentcheck.live.services.base import Service
from agentcheck.live.services.inprocess import host_port

if TYPE_CHECKING:
    from agentcheck.live.egress import EgressGuard
    from agentcheck.live.fake_llm import FakeLLM
    from agentcheck.live.services.nginx import Nginx
    from agentcheck.live.spec import DeploymentSpec, Progress

__all__ = ["Deployment"]

logger = logging.getLogger(__name__)

#: Logs kept after stop, per server.
KEPT_LOG = 1024 * 1024
#: What a server kind logs once its database schema is in place, so that the other replicas
#: can start then instead of once the first is healthy (langhost: its Alembic migrations, then
#: the checkpointer's and the store's tables, then this line; loading the graphs comes after).
SCHEMA_READY = {"langhost": re.compile(r"PG pool started")}


def _quietly(action: Callable[[], object]) -> None:
    """Run one cleanup step; log, never raise (``stop`` must finish every step)."""
    try:
        action()
    except Exception:
        logger.exception("agentcheck: cleanup step failed")


class Deployment:
    """A running deployment: services, N replicas on a backend, maybe a proxy in front.

    Lifecycle: :meth:`start` once (blocking until everything is healthy, or raising
    :class:`LiveError` with the failing server's log after stopping what it started), then any
    number of calls, then :meth:`stop` (idempotent, never raises). Use it as a context manager.
    Replica indexes are 0-based. Breaking it on purpose needs the backend's capabilities
    (:meth:`require`); an existing deployment (the ``url`` runtime) has none.
    """

    def __init__(
        self,
        spec: DeploymentSpec,
        backend: Backend,
        *,
        progress: Progress | None = None,
        label: str | None = None,
        host: Deployment | None = None,
    ) -> None:
        if spec.seal_egress and backend.managed:
            from agentcheck.live.egress import SITE

            spec = dataclasses.replace(spec, files={**spec.files, SITE_FILE: SITE})
        self.spec = spec
        self.backend = backend
        #: What this version is called in progress lines and logs (``v1.0.0``), or None.
        self.label = label
        self._host = host  # whose services it borrows (see beside)
        self._beside: list[Deployment] = []
        self._progress = progress
        self._reporting = threading.Lock()
        self._directory: Path | None = None
        self._services: dict[str, Service] = {}
        self._nginx: Nginx | None = None
        self._proxy: ProxyInfo | None = None
        self._env_file: dict[str, str] = {}
        self._kept: dict[str, str] = {}
        self._started = False
        self._replicas = Replicas(
            backend,
            count=backend.fixed_replicas or spec.replicas,
            health=spec.health,
            timeout=spec.startup_timeout,
            launch=self._launch,
            report=self.report,
        )

    def report(self, message: str) -> None:
        """Send one line of progress to whoever asked for it (from any thread: one at a time)."""
        if self._progress is not None:
            with self._reporting:
                self._progress(f"{self.label}: {message}" if self.label else message)

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        if self._started:
            raise LiveError("this deployment was already started")
        self._started = True
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        spec, backend = self.spec, self.backend
        if self._host is not None:
            assert self._host._directory is not None
            self._directory = Path(tempfile.mkdtemp(prefix="version-", dir=self._host._directory))
            self._env_file = dict(self._host._env_file)  # one environment for every version
        elif backend.managed:
            cleanup.sweep()
            self._directory = cleanup.registry().mkdtemp(f"agentcheck-{backend.name}-")
            if os.geteuid() == 0:
                self._directory.chmod(0o711)  # the postgres user must reach its data directory
            from agentcheck.live.derived import env_file_values

            config = spec.config if spec.config.is_absolute() else spec.root / spec.config
            self._env_file = env_file_values(config)
        backend.open(spec, self._directory or Path(os.devnull))
        self._start_services()
        items = self._replicas.items
        if spec.database and len(items) > 1:
            ready = SCHEMA_READY.get(spec.server)
            self._replicas.start_after_schema(items[0], items[1:], ready)
        else:
            self._replicas.start_wave(items)
        if spec.proxy is not None:
            self._start_proxy(spec.proxy)

    def _start_services(self) -> None:
        if self._host is not None:
            self._services = dict(self._host._services)  # borrowed: never stopped here
            return
        if not self.backend.managed:
            return
        assert self._directory is not None
        start_services(self.spec, self.backend, self._directory, self._services, self.report)

    def _start_proxy(self, source: Path) -> None:
        if not self.backend.managed:
            self._proxy = describe(source)
            return
        from agentcheck.live.services.nginx import Nginx

        assert self._directory is not None
        self.report(f"starting nginx with {source}")
        targets = [host_port(r.url) for r in self._replicas.items]
        self._nginx = Nginx(
            source,
            self._directory / "nginx",
            targets,
            project=self.spec.root,
            timeout=self.spec.startup_timeout,
        )
        self._nginx.start()
        rewritten = self._nginx.rewritten
        assert rewritten is not None
        for note in rewritten.notes:
            self.report(f"nginx config: {note}")
        self._proxy = ProxyInfo(
            "nginx", source, self._nginx.url(), rewritten.idle_timeout, tuple(rewritten.notes)
        )
        self.report(f"nginx ready at {self._proxy.url}")

    def stop(self) -> None:
        # Front to back: the versions beside it, the proxy, the replicas, then the services.
        for other in self._beside:
            _quietly(other.stop)
        if self._nginx is not None:
            nginx = self._nginx
            _quietly(nginx.stop)
            self._kept["proxy"] = nginx.log()[-KEPT_LOG:]
        if Capability.KILL in self.backend.capabilities:
            _quietly(lambda: self._replicas.stop_all(cleanup.GRACE))
        for replica in self._replicas.items:
            if replica.started:
                with contextlib.suppress(Exception):
                    self._kept[f"replica-{replica.index}"] = self.backend.log(replica.index)[
                        -KEPT_LOG:
                    ]
        _quietly(self.backend.close)
        owned = self._services if self._host is None else {}
        for kind, service in reversed(owned.items()):
            _quietly(service.stop)
            with contextlib.suppress(Exception):
                self._kept[kind] = service.log()[-KEPT_LOG:]
        if self._directory is not None:
            directory, self._directory = self._directory, None
            _quietly(lambda: cleanup.remove_dir(directory))
            if self._host is None:
                _quietly(lambda: cleanup.registry().release_dir(directory))

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

    # -- the environment -------------------------------------------------------------------------

    def _launch(self, index: int, port: int) -> Launch:
        done = launch(self.spec, self.backend, self._services, self._env_file, index, port)
        if self.label is None or not self.backend.managed:
            return done
        return dataclasses.replace(done, env={**done.env, RELEASE_ENV: self.label})

    # -- another version beside it ---------------------------------------------------------------

    def beside(self, root: Path, config: Path, *, label: str, replicas: int = 1) -> Deployment:
        """Another version of the project (the source tree at ``root``, serving ``config``):
        ``replicas`` on a backend of the same kind, borrowing this deployment's services (the
        same PostgreSQL, Redis, fake LLM, egress guard) and environment, with the same extra
        graphs and no proxy; not started yet (``with deployment.beside(...) as old:``), stopped
        with this one at the latest, its logs kept among this one's."""
        self.require(Capability.VERSIONS, action="another version")
        if self._directory is None:
            raise LiveError("start the deployment before another version beside it")
        spec = dataclasses.replace(
            self.spec, root=root, config=config, replicas=replicas, proxy=None
        )
        other = Deployment(
            spec, self.backend.another(), progress=self._progress, label=label, host=self
        )
        self._beside.append(other)
        return other

    def beside_logs(self) -> Iterator[tuple[str, str]]:
        """``(name, text)`` of each replica of the versions beside it (``v1.0.0 replica 1``)."""
        for other in self._beside:
            for replica in other._replicas.items:
                yield f"{other.label} replica {replica.index + 1}", other.logs(replica.index)

    # -- what runs -------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The runtime's name (``local``, ``url``, ...)."""
        return self.backend.name

    @property
    def capabilities(self) -> frozenset[Capability]:
        return self.backend.capabilities

    @property
    def managed(self) -> bool:
        """agentcheck started these servers (and chose their environment)."""
        return self.backend.managed

    @property
    def urls(self) -> list[str]:
        """Each replica's own base URL, bypassing the proxy."""
        return [r.url for r in self._replicas.items if r.url]

    @property
    def url(self) -> str:
        """The entry point clients should use: the proxy when there is one, else replica 0.

        Through a proxy that serves the agent under a prefix (``location /api/ { proxy_pass
        http://agent/; }``) the URL carries it: ``http://127.0.0.1:PORT/api``.
        """
        return self.proxy_url or self.urls[0]

    @property
    def proxy(self) -> ProxyInfo | None:
        """The proxy in front (started here or described), with its idle timeout."""
        return self._proxy

    @property
    def proxy_url(self) -> str | None:
        return self._proxy.url if self._proxy is not None else None

    @property
    def services(self) -> dict[str, Service]:
        """The services by kind: ``fake-llm``, ``postgres``, ``redis``."""
        return dict(self._services)

    @property
    def fake_llm(self) -> FakeLLM | None:
        """agentcheck's fake LLM the replicas call, when the spec asked for it."""
        from agentcheck.live.fake_llm import FakeLLM

        return in_process(self._services, "fake-llm", FakeLLM)

    @property
    def egress(self) -> EgressGuard | None:
        """The egress guard (what the servers tried to reach outside loopback), when sealed."""
        from agentcheck.live.egress import EgressGuard

        return in_process(self._services, "egress", EgressGuard)

    @property
    def database_url(self) -> str | None:
        """``postgresql://...`` of the throwaway database as agentcheck reaches it, or None."""
        service = self._services.get("postgres")
        return service.url() if service is not None else None

    @property
    def redis_url(self) -> str | None:
        """``redis://...`` of the throwaway Redis as agentcheck reaches it, or None."""
        service = self._services.get("redis")
        return service.url() if service is not None else None

    @property
    def directory(self) -> Path | None:
        """The temporary directory holding everything of this run (None once stopped)."""
        return self._directory

    @property
    def replicas(self) -> int:
        return len(self._replicas.items)

    def pids(self) -> list[int]:
        """Every local process this deployment runs now: replicas, services, proxy."""
        pids = self.backend.pids()
        for other in self._beside:
            pids.extend(other.backend.pids())
        for service in self._services.values() if self._host is None else ():
            pids.extend(service.pids())
        if self._nginx is not None:
            pids.extend(self._nginx.pids())
        return sorted(pids)

    # -- breaking it on purpose ------------------------------------------------------------------

    def require(self, *needed: Capability, action: str = "this") -> None:
        """Raise :class:`Unsupported` ("kill refused: ...") unless the backend can do it."""
        missing = [c for c in needed if c not in self.capabilities]
        if missing:
            raise Unsupported(
                f"{action} refused: the {self.name} runtime cannot "
                + ", ".join(c.value for c in missing)
                + ("" if self.managed else " (it does not touch an existing deployment)")
            )

    def kill(self, index: int, sig: int, *, wait: bool = True) -> None:
        """Send ``sig`` to replica ``index``; with ``wait`` until it is gone (SIGKILL after the
        startup timeout). It stays down until :meth:`restart`."""
        self.require(Capability.KILL, action="kill")
        self._replicas.kill(index, sig, wait=wait)

    def restart(self, index: int) -> None:
        """Bring replica ``index`` back (stopped gracefully first if it runs) on the same port
        and working directory, and wait until healthy."""
        self.require(Capability.RESTART, Capability.SAME_PORT, action="restart")
        self._replicas.restart(index)

    def alive(self, index: int) -> bool:
        return self.backend.alive(self._replicas.get(index).index)

    def stats(self, index: int) -> ReplicaStats:
        self.require(Capability.STATS, action="stats")
        return self.backend.stats(self._replicas.get(index).index)

    def service(self, kind: str) -> Service:
        """The running service ``kind`` (``postgres``, ``redis``, ``fake-llm``)."""
        try:
            return self._services[kind]
        except KeyError:
            raise LiveError(f"this deployment runs no {kind}") from None

    # -- what it said ----------------------------------------------------------------------------

    def logs(self, index: int) -> str:
        """Replica ``index``'s output so far, across restarts (kept after stop)."""
        replica = self._replicas.get(index)
        if self._directory is not None and replica.started:
            return self.backend.log(index)
        return self._kept.get(f"replica-{index}", "")

    def proxy_logs(self) -> str:
        """The proxy's error log (and access log after it), or ``""`` without a proxy."""
        if self._nginx is not None and self._directory is not None:
            return self._nginx.log()
        return self._kept.get("proxy", "")

    def all_logs(self) -> Iterator[tuple[str, str]]:
        """``(name, text)`` of every log: each replica, the proxy, each service."""
        for replica in self._replicas.items:
            yield f"replica-{replica.index}", self.logs(replica.index)
        for name, text in self.beside_logs():
            yield re.sub(r"[^\w.-]+", "-", name), text  # a file name (``origin/main``)
        if self._host is not None:
            return
        yield "proxy", self.proxy_logs()
        for kind, service in self._services.items():
            live = self._directory is not None
            yield kind, service.log() if live else self._kept.get(kind, "")
