"""The ``local`` runtime: the agent's servers as processes on this machine.

Each replica is one server process group (``langgraph dev`` by default, or any ``command``) on a
free loopback port, in its own working directory (see :mod:`.derived`), with its log in a file.
Optional services start first: a throwaway PostgreSQL (``database = "postgres"``), Redis, and
after the replicas the user's nginx in front of them. Everything lives under one temporary
directory recorded in the cleanup registry, so a dead run is swept by the next one.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import signal
import string
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcheck.errors import LiveError, UsageError
from agentcheck.live.runtimes.base import DeploymentSpec, Progress, Runtime
from agentcheck.live.runtimes.derived import derive_config, prepare_workdir
from agentcheck.live.services import cleanup, http
from agentcheck.live.services.ports import LOOPBACK, free_port, is_free, listening_ports
from agentcheck.live.services.processes import Server, child_env, resolve_executable

if TYPE_CHECKING:
    from agentcheck.live.services.nginx import Nginx
    from agentcheck.live.services.postgres import Postgres
    from agentcheck.live.services.redis import Redis

__all__ = ["LocalRuntime"]

logger = logging.getLogger(__name__)

#: Attempts at a replica whose port was taken by someone else between choice and bind.
PORT_ATTEMPTS = 3

#: Seconds between "still waiting" progress lines while a server starts.
PROGRESS_EVERY = 10.0

#: Logs kept after stop (the files go with the temporary directory), per server.
KEPT_LOG = 1024 * 1024

#: Environment every server gets (before the spec's own ``env``).
BASE_ENV = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
    "PYTHONUNBUFFERED": "1",
    "LOG_COLOR": "false",
    "NO_COLOR": "1",
}


def _quietly(action: Callable[[], object]) -> None:
    """Run one cleanup step; log, never raise (``stop`` must finish every step)."""
    try:
        action()
    except Exception:
        logger.exception("agentcheck: cleanup step failed")


class _PortTaken(LiveError):
    """The replica could not have the port it was given."""


@dataclass
class _Replica:
    index: int
    workdir: Path
    config: Path
    port: int = 0
    server: Server | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


#: A ``{name}`` in an env value; only known names are replaced (JSON values keep their braces).
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class _Template(string.Formatter):
    """``str.format`` that names the unknown placeholder and the known ones."""

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        if isinstance(key, int) or key not in kwargs:
            raise UsageError(
                f"unknown placeholder {{{key}}}; known: "
                + ", ".join(f"{{{k}}}" for k in sorted(kwargs))
            )
        return kwargs[key]


class LocalRuntime(Runtime):
    """Replicas as local processes; see the module docstring."""

    name = "local"
    destructive = True

    def __init__(self, spec: DeploymentSpec, *, progress: Progress | None = None) -> None:
        super().__init__(spec, progress=progress)
        self._tmp: Path | None = None
        self._replicas: list[_Replica] = []
        self._postgres: Postgres | None = None
        self._redis: Redis | None = None
        self._nginx: Nginx | None = None
        self._kept: dict[str, str] = {}
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        if self._started:
            raise LiveError("this runtime was already started")
        self._started = True
        cleanup.sweep()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        spec = self.spec
        if not spec.root.is_dir():
            raise LiveError(f"the project directory {spec.root} does not exist")
        reg = cleanup.registry()
        self._tmp = reg.mkdtemp("agentcheck-local-")
        if os.geteuid() == 0:
            self._tmp.chmod(0o711)  # the postgres user must reach its data directory
        if spec.database == "postgres":
            from agentcheck.live.services.postgres import Postgres

            self.report("starting PostgreSQL")
            self._postgres = Postgres(self._tmp / "postgres", timeout=spec.startup_timeout)
            self._postgres.start()
            self.report(f"PostgreSQL ready on {LOOPBACK}:{self._postgres.port}")
        elif spec.database is not None:
            raise UsageError(f'unknown database {spec.database!r}; use "postgres" or none')
        if spec.redis:
            from agentcheck.live.services.redis import Redis

            self.report("starting Redis")
            self._redis = Redis(self._tmp / "redis", timeout=spec.startup_timeout)
            self._redis.start()

        config = spec.config if spec.config.is_absolute() else spec.root / spec.config
        derived = derive_config(config, spec.extra_graphs)
        for index in range(spec.replicas):
            workdir = self._tmp / f"replica-{index}"
            path = prepare_workdir(workdir, spec.root, config.name, derived)
            self._replicas.append(_Replica(index, workdir, path))

        # With a shared database the first replica starts alone: it creates the schema (Aegra
        # runs its migrations at start-up, and two at once collide on a fresh database).
        waves = [self._replicas[:1], self._replicas[1:]] if spec.database else [self._replicas]
        for wave in waves:
            for replica in wave:
                replica.port = free_port()
                self._spawn(replica)
            for replica in wave:
                self._wait_healthy(replica, retry=True)

        if spec.proxy is not None:
            from agentcheck.live.services.nginx import Nginx

            self.report(f"starting nginx with {spec.proxy}")
            self._nginx = Nginx(
                spec.proxy,
                self._tmp / "nginx",
                [(LOOPBACK, r.port) for r in self._replicas],
                project=spec.root,
                timeout=spec.startup_timeout,
            )
            self._nginx.start()
            assert self._nginx.rewritten is not None
            for note in self._nginx.rewritten.notes:
                self.report(f"nginx config: {note}")
            self.report(f"nginx ready at {self._nginx.url}")

    def stop(self) -> None:
        # Front to back: the proxy, the replicas, then the services they use.
        if self._nginx is not None:
            _quietly(partial(self._stop_and_keep, "nginx", self._nginx.stop, self._nginx.log))
        for replica in self._replicas:
            if replica.server is not None:
                key = f"replica-{replica.index}"
                _quietly(partial(self._stop_and_keep, key, replica.server.stop, replica.server.log))
        if self._redis is not None:
            _quietly(self._redis.stop)
        if self._postgres is not None:
            _quietly(self._postgres.stop)
        if self._tmp is not None:
            tmp, self._tmp = self._tmp, None
            _quietly(partial(cleanup.remove_dir, tmp))
            _quietly(partial(cleanup.registry().release_dir, tmp))

    def _stop_and_keep(self, key: str, stop: Callable[[], None], log: Callable[[], str]) -> None:
        stop()
        self._kept[key] = log()[-KEPT_LOG:]

    # -- replicas --------------------------------------------------------------------------------

    def _values(self, replica: _Replica) -> dict[str, Any]:
        return {
            "host": LOOPBACK,
            "port": replica.port,
            "config": str(replica.config),
            "root": str(self.spec.root.resolve()),
            "database_url": self.database_url or "",
            "redis_url": self.redis_url or "",
            "replica": replica.index,
        }

    def _argv(self, replica: _Replica, env: dict[str, str]) -> list[str]:
        spec = self.spec
        if spec.server == "langgraph-dev":
            langgraph = Path(sys.executable).parent / "langgraph"
            head = (
                [str(langgraph)] if langgraph.exists() else [sys.executable, "-m", "langgraph_cli"]
            )
            # --allow-blocking: production Agent Server does not turn blocking calls in async
            # nodes into errors as `langgraph dev` does; AC311 reports those calls in lint.
            return [
                *head, "dev", "--no-browser", "--no-reload", "--allow-blocking",
                "--host", LOOPBACK, "--port", str(replica.port),
                "--n-jobs-per-worker", "10", "--config", str(replica.config),
            ]  # fmt: skip
        if spec.server == "command" and spec.command:
            argv = shlex.split(_Template().format(spec.command, **self._values(replica)))
            if not argv:
                raise UsageError("the server command is empty")
            argv[0] = resolve_executable(argv[0], env)
            return argv
        raise UsageError(f"unknown server {spec.server!r}; use 'langgraph-dev' or 'command'")

    def _env(self, replica: _Replica) -> dict[str, str]:
        extra = dict(BASE_ENV)
        if self.database_url:
            extra["DATABASE_URL"] = extra["POSTGRES_URI"] = self.database_url
        if self.redis_url:
            extra["REDIS_URI"] = self.redis_url
        values = self._values(replica)
        for key, value in self.spec.env.items():
            extra[key] = _PLACEHOLDER.sub(lambda m: str(values.get(m[1], m[0])), value)
        return child_env(extra)

    def _spawn(self, replica: _Replica) -> None:
        env = self._env(replica)
        argv = self._argv(replica, env)
        name = f"replica {replica.index + 1}/{len(self._replicas)}"
        if replica.server is None:
            replica.server = Server(
                name,
                argv,
                cwd=replica.workdir,
                env=env,
                log_path=replica.workdir.parent / f"replica-{replica.index}.log",
            )
        else:
            replica.server.argv, replica.server.env = argv, env
        self.report(f"starting {name} ({self.spec.server}) on {LOOPBACK}:{replica.port}")
        replica.server.start()

    def _wait_healthy(self, replica: _Replica, *, retry: bool) -> None:
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                self._wait_once(replica)
                return
            except _PortTaken:
                if not retry or attempt == PORT_ATTEMPTS:
                    raise
                assert replica.server is not None
                replica.server.kill(signal.SIGKILL, wait=True, timeout=self.spec.startup_timeout)
                replica.port = free_port()
                self._spawn(replica)

    def _wait_once(self, replica: _Replica) -> None:
        server = replica.server
        assert server is not None
        assert server.pid is not None
        pid, port, target = server.pid, replica.port, replica.url + self.spec.health
        began = time.monotonic()
        next_note = began + PROGRESS_EVERY

        def ready() -> bool:
            nonlocal next_note
            if time.monotonic() >= next_note:
                next_note += PROGRESS_EVERY
                waited = time.monotonic() - began
                self.report(f"still waiting for {server.name} ({waited:.0f} s): {server.tail(1)}")
            if server.address_in_use():
                raise _PortTaken(f"{server.name} could not have port {port}:\n{server.tail(5)}")
            ports = listening_ports(pid)
            if ports and port not in ports:
                raise _PortTaken(
                    f"{server.name} listens on {sorted(ports)}, not on the port it was given "
                    f"({port}): another program took it"
                )
            return port in ports and http.status(target) == 200

        try:
            server.wait_ready(ready, timeout=self.spec.startup_timeout, what=f"healthy at {target}")
        except _PortTaken:
            raise
        except LiveError as exc:
            if not server.alive() and server.address_in_use():
                raise _PortTaken(str(exc)) from None
            raise
        self.report(f"{server.name} healthy in {time.monotonic() - began:.1f} s at {replica.url}")

    def _replica(self, index: int) -> _Replica:
        if not 0 <= index < len(self._replicas):
            raise IndexError(f"no replica {index}; there are {len(self._replicas)}")
        return self._replicas[index]

    # -- the Runtime API -------------------------------------------------------------------------

    @property
    def urls(self) -> list[str]:
        return [r.url for r in self._replicas]

    @property
    def proxy_url(self) -> str | None:
        return self._nginx.url if self._nginx is not None else None

    @property
    def database_url(self) -> str | None:
        return self._postgres.url if self._postgres is not None else None

    @property
    def redis_url(self) -> str | None:
        """``redis://...`` of the throwaway Redis, or None."""
        return self._redis.url if self._redis is not None else None

    @property
    def directory(self) -> Path | None:
        """The temporary directory holding everything of this run (None once stopped)."""
        return self._tmp

    def pids(self) -> list[int]:
        """Every process this runtime runs now: replicas, their children, services, proxy."""
        servers = [r.server for r in self._replicas]
        for service in (self._nginx, self._redis, self._postgres):
            if service is not None:
                servers.append(service.server)
        return sorted(p.pid for s in servers if s is not None for p in s.members())

    @property
    def workdirs(self) -> list[Path]:
        """Each replica's working directory (``.langgraph_api/`` of langgraph dev is there)."""
        return [r.workdir for r in self._replicas]

    def kill(self, index: int, sig: int = signal.SIGTERM, *, wait: bool = True) -> None:
        replica = self._replica(index)
        assert replica.server is not None
        self.report(f"sending {signal.Signals(sig).name} to {replica.server.name}")
        replica.server.kill(sig, wait=wait, timeout=self.spec.startup_timeout)

    def restart(self, index: int) -> None:
        replica = self._replica(index)
        server = replica.server
        assert server is not None
        if server.members():
            server.stop(self.spec.startup_timeout)
        deadline = time.monotonic() + self.spec.startup_timeout
        while not is_free(replica.port):
            if time.monotonic() >= deadline:
                raise LiveError(f"port {replica.port} of {server.name} stayed taken")
            time.sleep(0.1)
        self._spawn(replica)
        self._wait_healthy(replica, retry=False)

    def alive(self, index: int) -> bool:
        server = self._replica(index).server
        return server is not None and server.alive()

    def logs(self, index: int) -> str:
        replica = self._replica(index)
        if replica.server is not None and self._tmp is not None:
            return replica.server.log()
        return self._kept.get(f"replica-{index}", "")

    def proxy_logs(self) -> str:
        if self._nginx is not None and self._tmp is not None:
            return self._nginx.log()
        return self._kept.get("nginx", "")
