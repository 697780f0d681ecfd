"""Sealed egress: the servers agentcheck starts reach only loopback, and say what else they tried.

Two layers, because neither catches everything alone:

1. The environment names a local proxy (``HTTP_PROXY``/``HTTPS_PROXY``, loopback and allowed
   hosts in ``NO_PROXY``; not ``ALL_PROXY``, which costs every httpx client one more transport
   and covers no scheme a model client uses) that forwards nothing: :class:`EgressGuard`
   answers every ``CONNECT host:443`` and every absolute-form request with 403 and records the
   host. Every
   client that honours proxy settings (httpx and so the OpenAI, Anthropic and Ollama SDKs,
   requests, botocore, urllib, google-genai) fails at once, before any DNS query, naming the
   host, in any language and inside a container.
2. A ``sitecustomize`` on the servers' ``PYTHONPATH`` (:data:`SITE`) guards Python's own sockets
   for what ignores proxies (aiohttp without ``trust_env``, raw sockets, asyncio and uvloop
   streams, an AWS metadata lookup): a name or address outside loopback and the allowed hosts
   is refused before DNS, reported to the guard, and logged. It also keeps the settings
   agentcheck owns when the graph's code calls ``load_dotenv(override=True)``, and stands in a
   byte-level encoding for tiktoken's download (OpenAI embeddings count tokens with it).

C extensions with their own network stack (gRPC's core) escape both; the machine has no route
out anyway, they only fail less clearly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

__all__ = ["SITE", "Attempt", "EgressGuard", "describe", "guard_env"]

#: The directory holding the ``sitecustomize`` the servers load (a file to make available).
SITE = Path(__file__).resolve().with_name("site") / "sitecustomize.py"
#: Loopback, always reachable directly.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Attempt:
    """One blocked connection: to ``host:port``, seen by the proxy or by a socket guard."""

    host: str
    port: int
    how: str
    at: float


class _Refuse(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "agentcheck-egress-guard"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        self._refuse(host.strip("[]") or self.path, int(port) if port.isdigit() else 443)

    def _absolute(self) -> None:
        from urllib.parse import urlsplit

        url = urlsplit(self.path)
        default = 443 if url.scheme == "https" else 80
        self._refuse(url.hostname or str(self.headers.get("Host", "?")), url.port or default)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _absolute

    def _refuse(self, host: str, port: int) -> None:
        how = "socket" if self.headers.get("X-Agentcheck-Blocked") else "proxy"
        guard: EgressGuard = self.server.guard  # type: ignore[attr-defined]
        guard.record(Attempt(host.lower(), port, how, time.monotonic()))
        body = (
            f"agentcheck sealed egress: {host}:{port} is outside loopback. Fake it, or allow it "
            "with [tool.agentcheck.live] allow-hosts.\n"
        ).encode()
        self.send_response(403, "Forbidden by agentcheck")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True


class EgressGuard:
    """The proxy that forwards nothing, and the record of what the servers tried to reach."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._server: ThreadingHTTPServer | None = None
        self._attempts: list[Attempt] = []
        self._lock = threading.Lock()

    def start(self) -> Self:
        server = ThreadingHTTPServer((self._host, 0), _Refuse)
        server.daemon_threads = True
        server.guard = self  # type: ignore[attr-defined]
        self._server = server
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the egress guard is not running")
        return int(self._server.server_address[1])

    def record(self, attempt: Attempt) -> None:
        with self._lock:
            self._attempts.append(attempt)

    @property
    def attempts(self) -> list[Attempt]:
        """Every blocked connection so far, oldest first (a copy)."""
        with self._lock:
            return list(self._attempts)


def guard_env(
    proxy: str,
    report: str,
    *,
    site_dir: str,
    allow: Sequence[str],
    direct: Sequence[str] = (),
    owned: Sequence[str] = (),
) -> dict[str, str]:
    """The environment that seals a server: ``proxy`` (``http://host:port`` of the guard as the
    server reaches it), ``report`` (``host:port`` the socket guard reports to), the directory
    of the ``sitecustomize`` as the server sees it, the allowed hosts, hosts reached directly
    (the services) and the names of the settings agentcheck owns."""
    no_proxy = ",".join(dict.fromkeys([*LOOPBACK_HOSTS, *direct, *allow]))
    env = dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"), proxy)
    env.update({name.lower(): proxy for name in env})
    env.update(NO_PROXY=no_proxy, no_proxy=no_proxy)
    env["PYTHONPATH"] = site_dir
    env["AGENTCHECK_EGRESS_REPORT"] = report
    env["AGENTCHECK_ALLOW_HOSTS"] = ",".join([*direct, *allow])
    env["AGENTCHECK_OWNED_ENV"] = ",".join(owned)
    return env


def describe(attempts: Sequence[Attempt]) -> str:
    """One finding for ``attempts``: the hosts tried, and how to fake or allow them."""
    counts: dict[tuple[str, int], int] = {}
    for attempt in attempts:
        counts[(attempt.host, attempt.port)] = counts.get((attempt.host, attempt.port), 0) + 1
    tried = ", ".join(
        f"{host}:{port}" + (f" ({n} times)" if n > 1 else "") for (host, port), n in counts.items()
    )
    hosts = ", ".join(f'"{host}"' for host in dict.fromkeys(h for h, _ in counts))
    return (
        f"the servers tried to reach {tried}, outside loopback: agentcheck seals a live run's "
        "egress, so the call failed at once. Fake that service (agentcheck's fake LLM stands in "
        "for OpenAI and Anthropic, and every provider setting points at it), or allow it: "
        f"[tool.agentcheck.live] allow-hosts = [{hosts}]"
    )
