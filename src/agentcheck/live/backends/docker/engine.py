"""The Docker engine: connecting with a clear error, labelling what a run creates, removing it.

Every container, network and volume the ``docker`` runtime creates carries these labels (Ryuk,
testcontainers' reaper, is not used: ``TESTCONTAINERS_RYUK_DISABLED=true``, and it cannot be
pulled where no registry is reachable):

* ``org.agentcheck.run``: the run's id (the cleanup registry's, also in every local child's env);
* ``org.agentcheck.owner``: ``HOST:PID:STARTED`` of the process that owns the run.

A run removes what carries its id when it stops, at interpreter exit and on SIGTERM/SIGHUP
(the cleanup registry's finalizers); :func:`sweep` removes what runs killed with SIGKILL left:
everything whose owner on this host is gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psutil  # type: ignore[import-untyped]  # no stubs installed

from agentcheck.errors import LiveError

if TYPE_CHECKING:
    from docker import DockerClient

__all__ = ["LABEL_OWNER", "LABEL_RUN", "Run", "connect", "remove_run", "run_labels", "sweep"]

logger = logging.getLogger(__name__)

LABEL_RUN = "org.agentcheck.run"
LABEL_OWNER = "org.agentcheck.owner"


@dataclass(frozen=True)
class Run:
    """Who owns the containers: a run id and the owning process."""

    id: str
    host: str
    pid: int
    started: float

    @classmethod
    def current(cls, run_id: str) -> Run:
        pid = os.getpid()
        return cls(run_id, socket.gethostname(), pid, psutil.Process(pid).create_time())

    @property
    def labels(self) -> dict[str, str]:
        return run_labels(self)

    @classmethod
    def from_labels(cls, labels: dict[str, str]) -> Run | None:
        run_id, owner = labels.get(LABEL_RUN), labels.get(LABEL_OWNER, "")
        try:
            host, pid, started = owner.rsplit(":", 2)
            return cls(run_id, host, int(pid), float(started)) if run_id else None
        except ValueError:
            return None

    def alive(self) -> bool:
        """Whether the owner still runs (a run of another host counts as alive: not ours)."""
        if self.host != socket.gethostname():
            return True
        try:
            created = float(psutil.Process(self.pid).create_time())
        except psutil.Error:
            return False
        return abs(created - self.started) < 0.5


def run_labels(run: Run) -> dict[str, str]:
    """The labels every object of ``run`` carries."""
    return {LABEL_RUN: run.id, LABEL_OWNER: f"{run.host}:{run.pid}:{run.started:.3f}"}


def connect() -> DockerClient:
    """A client of the engine ``DOCKER_HOST`` (or the default socket) names, checked with a
    ping; LiveError saying how to get one when no engine answers."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:
        raise LiveError(
            "the docker runtime needs the docker extra: pip install 'langgraph-agentcheck[docker]'"
        ) from None
    where = os.environ.get("DOCKER_HOST") or "the default socket (/var/run/docker.sock)"
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except DockerException as exc:
        raise LiveError(
            f"no Docker engine answers at {where}: {_reason(exc)}; start Docker (dockerd) or "
            "point DOCKER_HOST at one"
        ) from None
    return client


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("FileNotFoundError", "ConnectionRefusedError", "PermissionError"):
        if marker in text:
            return {"FileNotFoundError": "the socket does not exist",
                    "ConnectionRefusedError": "connection refused",
                    "PermissionError": "permission denied on the socket"}[marker]  # fmt: skip
    return text.splitlines()[0] if text else type(exc).__name__


def _objects(client: DockerClient, filters: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    with contextlib.suppress(Exception):
        for container in client.containers.list(all=True, filters=filters):
            yield "container", container
    with contextlib.suppress(Exception):
        for network in client.networks.list(filters=filters):
            yield "network", network
    with contextlib.suppress(Exception):
        for volume in client.volumes.list(filters=filters):
            yield "volume", volume


def remove_run(client: DockerClient, run_id: str) -> list[str]:
    """Remove every container, then network, then volume labelled with ``run_id``; return
    what was removed. Never raises."""
    removed: list[str] = []
    found = list(_objects(client, {"label": f"{LABEL_RUN}={run_id}"}))
    order = {"container": 0, "network": 1, "volume": 2}
    for kind, obj in sorted(found, key=lambda pair: order[pair[0]]):
        try:
            if kind == "container":
                obj.remove(force=True, v=True)
            else:
                obj.remove()
            removed.append(f"{kind} {getattr(obj, 'name', '') or obj.id}")
        except Exception as exc:
            if "No such" not in str(exc) and "404" not in str(exc):
                logger.warning("agentcheck: could not remove %s %s: %s", kind, obj.id, exc)
    return removed


def sweep(client: DockerClient) -> list[str]:
    """Remove what runs whose owner died (on this host) left behind; return what went."""
    dead: set[str] = set()
    for _kind, obj in _objects(client, {"label": LABEL_RUN}):
        labels = _labels_of(obj)
        run = Run.from_labels(labels)
        if run is not None and not run.alive():
            dead.add(run.id)
    removed: list[str] = []
    for run_id in sorted(dead):
        removed.extend(remove_run(client, run_id))
    return removed


def _labels_of(obj: Any) -> dict[str, str]:
    attrs = getattr(obj, "attrs", {}) or {}
    labels = (attrs.get("Config") or {}).get("Labels") or attrs.get("Labels") or {}
    return dict(labels)
