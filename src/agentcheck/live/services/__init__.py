"""The services a deployment needs (PostgreSQL, Redis, nginx, the fake LLM, the egress guard),
the processes that run them, and cleanup. Every service has the shape of :class:`.base.Service`.
"""

from __future__ import annotations

from pathlib import Path

from agentcheck.errors import UsageError
from agentcheck.live.services.base import Service

__all__ = ["Service", "local_service"]


def local_service(kind: str, directory: Path, *, timeout: float) -> Service:
    """A throwaway ``"postgres"`` or ``"redis"`` as a local process on loopback (not started)."""
    if kind == "postgres":
        from agentcheck.live.services.postgres import Postgres

        return Postgres(directory, timeout=timeout)
    if kind == "redis":
        from agentcheck.live.services.redis import Redis

        return Redis(directory, timeout=timeout)
    raise UsageError(f'unknown service {kind!r}; use "postgres" or "redis"')
