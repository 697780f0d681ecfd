"""A throwaway redis-server on a free loopback port, persisting nothing."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from agentcheck.errors import LiveError
from agentcheck.live.services.base import Service
from agentcheck.live.services.ports import LOOPBACK, free_port
from agentcheck.live.services.processes import Server, child_env

__all__ = ["Redis"]


def _pong(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Redis(Service):
    """One redis-server in ``directory`` (which the caller removes); it keeps no data across a
    restart (nothing is saved), like a cache."""

    kind = "redis"

    def __init__(self, directory: Path, *, timeout: float = 30.0) -> None:
        self.directory = directory
        self.timeout = timeout
        self.port = 0
        self._server: Server | None = None

    def url(self, host: str | None = None, port: int | None = None) -> str:
        """``redis://HOST:PORT/0``."""
        return f"redis://{host or LOOPBACK}:{port or self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers PING (again after stop: the same port)."""
        if self._server is not None:
            self._server.start()
            self._server.wait_ready(
                lambda: _pong(self.port), timeout=self.timeout, what="ready (PING)"
            )
            return
        binary = shutil.which("redis-server")
        if binary is None:
            raise LiveError("redis = true needs redis-server; install the redis-server package")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        argv = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            LOOPBACK,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
            "--daemonize",
            "no",
        ]
        self._server = Server(
            "redis-server",
            argv,
            cwd=self.directory,
            env=child_env(),
            log_path=self.directory / "redis.log",
        )
        self._server.start()
        self._server.wait_ready(lambda: _pong(self.port), timeout=self.timeout, what="ready (PING)")

    @property
    def server(self) -> Server | None:
        """The server process, once started."""
        return self._server

    def stop(self) -> None:
        """Stop it; never raises."""
        if self._server is not None:
            self._server.stop()

    def alive(self) -> bool:
        return self._server is not None and self._server.alive()

    def log(self) -> str:
        """The server's log."""
        return self._server.log() if self._server else ""

    def pids(self) -> list[int]:
        return [p.pid for p in self._server.members()] if self._server else []
