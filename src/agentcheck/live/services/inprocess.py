"""Servers that run in this process (the fake LLM, the egress guard) in the shape of a service."""

from __future__ import annotations

from typing import Protocol

from agentcheck.live.services.base import Service
from agentcheck.live.services.ports import LOOPBACK

__all__ = ["InProcess", "host_port"]


class _Threaded(Protocol):
    @property
    def port(self) -> int: ...

    @property
    def running(self) -> bool: ...

    def start(self) -> object: ...

    def stop(self) -> None: ...


class InProcess(Service):
    """A server in a thread of this process; it dies with this process."""

    def __init__(self, kind: str, server: _Threaded) -> None:
        self.kind = kind
        self.server = server

    @property
    def address(self) -> tuple[str, int]:
        return (LOOPBACK, self.server.port)

    def url(self, host: str | None = None, port: int | None = None) -> str:
        return f"http://{host or LOOPBACK}:{port or self.server.port}"

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    def alive(self) -> bool:
        return self.server.running


def host_port(url: str) -> tuple[str, int]:
    """``http://127.0.0.1:8000/x`` -> ``("127.0.0.1", 8000)``."""
    host, _, port = url.split("://", 1)[1].split("/", 1)[0].partition(":")
    return host, int(port)
