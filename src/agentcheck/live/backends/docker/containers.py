"""Containers on testcontainers: how one is wired to the network, and PostgreSQL and Redis as
services in the shape every service has (:class:`agentcheck.live.services.base.Service`).

Two network modes:

* ``host`` (the default, and the only one on machines whose Docker has no bridge): containers
  share this machine's network; each server listens on a free loopback port it is told.
* ``bridge``: the run's own network; each container listens on its image's usual port, is
  published on a free loopback port for agentcheck, and is reached by the replicas by its
  alias (``postgres:5432``).
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from agentcheck.errors import LiveError
from agentcheck.live.services.base import Service
from agentcheck.live.services.ports import LOOPBACK, free_port

if TYPE_CHECKING:
    from testcontainers.core.container import DockerContainer

__all__ = ["ContainerService", "NetworkMode", "Placement", "new_container"]

NetworkMode = Literal["host", "bridge"]

#: Lines of a container's log a failure shows.
TAIL = 20
#: The database, user and password of the throwaway PostgreSQL (as the local one's).
PG_NAME = "agentcheck"


@dataclass(frozen=True)
class Placement:
    """Where one container sits on the network and which port it serves."""

    mode: NetworkMode
    #: The port agentcheck reaches it on, on loopback (host mode: also where it listens).
    host_port: int
    #: The port it listens on inside (the same as ``host_port`` in host mode).
    inner_port: int
    #: bridge mode: the run's network and this container's alias on it.
    network: str | None = None
    alias: str | None = None
    #: bridge mode: names the containers resolve to an address of this machine.
    extra_hosts: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def on(
        cls, mode: NetworkMode, *, default_port: int, network: str | None = None,
        alias: str | None = None, extra_hosts: Mapping[str, str] | None = None,
        host_port: int | None = None,
    ) -> Placement:  # fmt: skip
        port = host_port or free_port()
        if mode == "host":
            return cls("host", port, port)
        return cls("bridge", port, default_port, network, alias, dict(extra_hosts or {}))

    @property
    def listen_host(self) -> str:
        """The address a server inside should bind."""
        return LOOPBACK if self.mode == "host" else "0.0.0.0"

    def create_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of docker's ``containers.create`` for this placement."""
        if self.mode == "host":
            return {"network_mode": "host"}
        assert self.network is not None
        kwargs: dict[str, Any] = {
            "network": self.network,
            "ports": {f"{self.inner_port}/tcp": (LOOPBACK, self.host_port)},
        }
        if self.extra_hosts:
            kwargs["extra_hosts"] = dict(self.extra_hosts)
        return kwargs


def new_container(
    image: str,
    *,
    name: str,
    labels: Mapping[str, str],
    placement: Placement,
    env: Mapping[str, str],
    command: Sequence[str] | None = None,
) -> DockerContainer:
    """A testcontainers container (not started) with agentcheck's labels and placement."""
    from testcontainers.core.config import testcontainers_config
    from testcontainers.core.container import DockerContainer

    # agentcheck removes what it starts itself (labels, finalizers, the sweep): no Ryuk, which
    # would need a pull of its own image, as TESTCONTAINERS_RYUK_DISABLED=true says.
    testcontainers_config.ryuk_disabled = True
    container = DockerContainer(image, name=name)
    for key, value in env.items():
        container.with_env(key, value)
    if command is not None:
        container.with_command(list(command))
    kwargs = placement.create_kwargs()
    ports = kwargs.pop("ports", {})
    for inner, host in ports.items():
        container.with_bind_ports(inner, host[1])
    if placement.alias:
        container.with_network_aliases(placement.alias)
    container.with_kwargs(labels=dict(labels), **kwargs)
    return container


def tail(text: str, lines: int = TAIL) -> str:
    return "\n".join(text.splitlines()[-lines:])


class ContainerService(Service):
    """A throwaway PostgreSQL or Redis in a container (see the module docstring).

    ``stop()`` stops the container and keeps it, so ``start()`` brings the same data back on
    the same port; :meth:`remove` (the backend's close) removes it and keeps its log.
    """

    def __init__(
        self,
        kind: Literal["postgres", "redis"],
        image: str,
        *,
        name: str,
        labels: Mapping[str, str],
        placement: Placement,
        timeout: float,
    ) -> None:
        self.kind = kind
        self.image = image
        self.placement = placement
        self.port = placement.host_port
        self.timeout = timeout
        self._name = name
        self._labels = dict(labels)
        self._container: DockerContainer | None = None
        self._kept = ""

    # -- where it is -----------------------------------------------------------------------------

    def url(self, host: str | None = None, port: int | None = None) -> str:
        host, port = host or LOOPBACK, port or self.port
        if self.kind == "postgres":
            return f"postgresql://{PG_NAME}:{PG_NAME}@{host}:{port}/{PG_NAME}"
        return f"redis://{host}:{port}/0"

    @property
    def inside(self) -> tuple[str, int]:
        """Host and port at which containers on the run's network reach it."""
        if self.placement.mode == "host":
            return self.address
        assert self.placement.alias is not None
        return (self.placement.alias, self.placement.inner_port)

    # -- lifecycle -------------------------------------------------------------------------------

    def _new(self) -> DockerContainer:
        p = self.placement
        if self.kind == "postgres":
            env = {
                "POSTGRES_USER": PG_NAME,
                "POSTGRES_PASSWORD": PG_NAME,
                "POSTGRES_DB": PG_NAME,
                "POSTGRES_INITDB_ARGS": "--no-sync",
                "PGPORT": str(p.inner_port),
            }
            command = [
                "postgres", "-c", f"listen_addresses={p.listen_host}", "-c", "fsync=off",
                "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            ]  # fmt: skip
        else:
            env = {}
            command = [
                "redis-server", "--port", str(p.inner_port), "--bind", p.listen_host,
                "--save", "", "--appendonly", "no",
            ]  # fmt: skip
        return new_container(
            self.image, name=self._name, labels=self._labels, placement=p, env=env, command=command
        )

    def start(self) -> None:
        from docker.errors import DockerException

        try:
            if self._container is None:
                self._container = self._new()
                self._container.start()
            else:
                self._container.get_wrapped_container().start()
        except DockerException as exc:
            raise LiveError(
                f"cannot start the {self.kind} container ({self.image}): {exc}"
            ) from None
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            if not self.alive():
                raise LiveError(
                    f"the {self.kind} container ({self.image}) exited at once; last lines of "
                    f"its log:\n{tail(self.log())}"
                )
            if self._ready():
                return
            if time.monotonic() >= deadline:
                raise LiveError(
                    f"the {self.kind} container ({self.image}) was not ready within "
                    f"{self.timeout:g} s; last lines of its log:\n{tail(self.log())}"
                )
            time.sleep(0.2)

    def _ready(self) -> bool:
        if self.kind == "redis":
            try:
                with socket.create_connection(self.address, timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False
        assert self._container is not None
        inner = self.placement.inner_port
        try:
            result = self._container.get_wrapped_container().exec_run(
                ["pg_isready", "-q", "-h", LOOPBACK, "-p", str(inner), "-U", PG_NAME]
            )
        except Exception:
            return False
        return result.exit_code == 0 and _accepts(self.address)

    def stop(self) -> None:
        if self._container is None:
            return
        with contextlib.suppress(Exception):
            self._container.get_wrapped_container().stop(timeout=10)

    def alive(self) -> bool:
        if self._container is None:
            return False
        try:
            wrapped = self._container.get_wrapped_container()
            wrapped.reload()
        except Exception:
            return False
        return wrapped.status in ("running", "restarting")

    def log(self) -> str:
        if self._container is None:
            return self._kept
        try:
            raw: bytes = self._container.get_wrapped_container().logs()
        except Exception:
            return self._kept
        return raw.decode("utf-8", "replace")

    def remove(self) -> None:
        """Remove the container for good, keeping its log. Never raises."""
        if self._container is None:
            return
        self._kept = self.log()
        container, self._container = self._container, None
        with contextlib.suppress(Exception):
            container.stop()


def _accepts(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False
