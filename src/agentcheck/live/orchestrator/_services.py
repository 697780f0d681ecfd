"""The services a deployment runs beside its replicas, and each replica's launch from them.

The fake LLM and the egress guard run in this process; PostgreSQL and Redis come from the
backend (local processes, or containers). A replica's :class:`Launch` points it at them as the
backend's network reaches them (:mod:`._env` decides the layers of its environment).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from agentcheck.live.backends.base import Backend, Launch
from agentcheck.live.orchestrator._env import owned_model_env, replica_env, service_env
from agentcheck.live.probe import REPLICA_ENV
from agentcheck.live.services.base import Service
from agentcheck.live.services.inprocess import InProcess
from agentcheck.live.services.ports import LOOPBACK

if TYPE_CHECKING:
    from agentcheck.live.spec import DeploymentSpec

__all__ = ["SITE_FILE", "in_process", "launch", "reach", "start_services"]

#: Where the egress guard's ``sitecustomize`` goes among the spec's files.
SITE_FILE = "agentcheck_site/sitecustomize.py"

_T = TypeVar("_T")


def start_services(
    spec: DeploymentSpec,
    backend: Backend,
    directory: Path,
    services: dict[str, Service],
    report: Callable[[str], None],
) -> None:
    """Start what ``spec`` asks for, recording each in ``services`` before it starts (so a
    failure still stops the ones before it)."""

    def add(service: Service) -> None:
        services[service.kind] = service
        service.start()

    if spec.fake_llm:
        from agentcheck.live.fake_llm import FakeLLM

        add(InProcess("fake-llm", FakeLLM()))
    if spec.seal_egress:
        from agentcheck.live.egress import EgressGuard

        add(InProcess("egress", EgressGuard()))
    wanted = (["postgres"] if spec.database == "postgres" else []) + (
        ["redis"] if spec.redis else []
    )
    for kind in wanted:
        service = backend.service(kind, directory / kind, timeout=spec.startup_timeout)
        report(f"starting {kind}")
        add(service)
        report(f"{kind} ready on {service.address[0]}:{service.address[1]}")


def launch(
    spec: DeploymentSpec,
    backend: Backend,
    services: dict[str, Service],
    env_file: dict[str, str],
    index: int,
    port: int,
) -> Launch:
    """How replica ``index`` starts on ``port``: its environment and template values."""
    database, redis = reach(backend, services, "postgres"), reach(backend, services, "redis")
    values = {
        "host": LOOPBACK,
        "port": str(port),
        "replica": str(index),
        "database_url": database or "",
        "redis_url": redis or "",
    }
    if not backend.managed:
        return Launch(index, port, values=values)
    owned: dict[str, str] = {}
    fake = services.get("fake-llm")
    if fake is not None:
        from agentcheck.live.fake_llm import API_KEY

        owned.update(owned_model_env(fake.url(*backend.reach(fake)), API_KEY))
    guard = services.get("egress")
    if guard is not None:
        from agentcheck.live.egress import guard_env

        guard_host, guard_port = backend.reach(guard)
        direct = [backend.reach(s)[0] for s in services.values()]
        sealed = guard_env(
            f"http://{guard_host}:{guard_port}",
            f"{guard_host}:{guard_port}",
            site_dir="{files}/" + SITE_FILE.rpartition("/")[0],
            allow=spec.allow_hosts,
            direct=direct,
            owned=sorted(owned),
        )
        owned.update(sealed)
    env = replica_env(env_file=env_file, services=service_env(database, redis), owned=owned)
    env[REPLICA_ENV] = str(index)  # the probe says which replica runs it
    return Launch(index, port, env=env, templates=dict(spec.env), values=values)


def reach(backend: Backend, services: dict[str, Service], kind: str) -> str | None:
    """The URL of service ``kind`` as the replicas reach it, or None when it does not run."""
    service = services.get(kind)
    return service.url(*backend.reach(service)) if service is not None else None


def in_process(services: dict[str, Service], kind: str, server_type: type[_T]) -> _T | None:
    """The server object of the in-process service ``kind`` (the fake LLM, the egress guard)."""
    service = services.get(kind)
    server = service.server if isinstance(service, InProcess) else None
    return server if isinstance(server, server_type) else None
