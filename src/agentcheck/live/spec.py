"""What to run: :class:`DeploymentSpec`, plain data shared by the orchestrator and the backends."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["DEFAULT_HEALTH", "DeploymentSpec", "Progress", "ServerKind"]

#: The kinds of server a backend that starts processes knows how to start.
ServerKind = Literal["langgraph-dev", "langhost", "command"]

#: Health path when the spec does not name one.
DEFAULT_HEALTH = "/ok"

#: Receives one short line of progress while servers start ("replica 1/2 healthy on :41233").
Progress = Callable[[str], None]


@dataclass(frozen=True)
class DeploymentSpec:
    """What to run: the user's project, how many replicas, which server, which services.

    Everything here is data; the orchestrator and its backend decide ports, directories and
    processes, so the same spec runs as local processes or containers.

    Templates: ``command`` and the values of ``env`` may name ``{host}`` (where the replica
    listens), ``{port}`` (its port), ``{replica}`` (0-based index), ``{database_url}`` and
    ``{redis_url}`` (the throwaway services as the replica reaches them, ``""`` without), and
    what the backend knows: ``{config}`` (the derived config file), ``{root}`` (the project
    directory) and ``{files}`` (the directory holding :attr:`files`), each as the replica sees
    it. ``command`` is formatted with ``str.format`` (an unknown placeholder is an error;
    ``{{``/``}}`` for literal braces); in ``env`` only those names are replaced and every other
    brace is kept, so JSON values need no escaping.

    The derived config: the user's files are never touched. The backend serves a copy of
    ``config`` in which every relative path resolves where the project is, plus
    :attr:`extra_graphs`; ``langgraph dev --config`` reads it and ``{config}`` names it.
    """

    #: The project directory (the one holding langgraph.json).
    root: Path
    #: langgraph.json (or aegra.json); relative paths are taken from ``root``.
    config: Path
    #: How many replicas to start (each its own process or container, port and directory).
    replicas: int = 1
    #: ``"langgraph-dev"`` (embedded in-memory runtime, no database needed), ``"langhost"``
    #: (the stock Agent Server API on PostgreSQL + Redis: needs ``database="postgres"`` and
    #: ``redis``) or ``"command"``.
    server: ServerKind = "langgraph-dev"
    #: For ``server="command"``: the command line template, e.g.
    #: ``"aegra serve --host {host} --port {port}"``. Split with shlex after formatting.
    command: str | None = None
    #: The path answering 200 when a replica is ready (``/ok`` for langgraph dev, ``/health``
    #: for Aegra).
    health: str = DEFAULT_HEALTH
    #: ``None`` or ``"postgres"``: a throwaway PostgreSQL, fed to the servers as
    #: ``{database_url}`` (and as ``DATABASE_URL`` / ``DATABASE_URI`` / ``POSTGRES_URI``).
    database: Literal["postgres"] | None = None
    #: Start a throwaway Redis for ``{redis_url}`` (``REDIS_URI`` / ``REDIS_URL``).
    redis: bool = False
    #: Extra environment for every server, templated like ``command``; it wins over everything
    #: agentcheck sets (the project's own ``[tool.agentcheck.live.env]``).
    env: Mapping[str, str] = field(default_factory=dict)
    #: The user's nginx config (a full nginx.conf or a bare ``server {}`` snippet). When set, a
    #: real nginx runs it with upstreams rewritten to the replicas, and the entry URL is nginx.
    proxy: Path | None = None
    #: Graph id -> ``"path/file.py:attr"`` added to the derived config (the probe graph). A
    #: relative path names a file of :attr:`files`.
    extra_graphs: Mapping[str, str] = field(default_factory=dict)
    #: Files to make available to the servers: relative path (under ``{files}``) -> the file on
    #: this machine. The backend copies or mounts them; nothing points into site-packages.
    files: Mapping[str, Path] = field(default_factory=dict)
    #: Seconds each replica (and each service) has to become ready before start fails.
    startup_timeout: float = 60.0
    #: Start agentcheck's fake LLM and point every model provider setting at it.
    fake_llm: bool = False
    #: Let the servers reach only loopback (and :attr:`allow_hosts`); see
    #: :mod:`agentcheck.live.egress`.
    seal_egress: bool = False
    #: Hosts the servers may reach although egress is sealed (``api.example.com``,
    #: ``*.internal``).
    allow_hosts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.replicas < 1:
            raise ValueError(f"replicas must be at least 1, got {self.replicas}")
        if self.server == "command" and not self.command:
            raise ValueError('server="command" needs a command template')
        if self.server == "langhost" and (self.database != "postgres" or not self.redis):
            raise ValueError('server="langhost" needs database="postgres" and redis=True')
