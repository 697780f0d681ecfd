"""The deployment model's smallest parts: positions, the kinds of servers and roles, servers.

Every other model module imports these; this module imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Role", "SaverKind", "Server", "ServerKind", "Where"]

ServerKind = Literal["agent-server", "langgraph-dev", "aegra", "custom", "unknown"]
#: What a checkpointer or store is: the backend behind it.
SaverKind = Literal["memory", "sqlite", "postgres", "redis", "mongodb", "custom", "none", "unknown"]
#: What a workload is: the agent, a supporting service (by its image), a worker built here
#: that starts no server, or something else.
Role = Literal["agent", "database", "cache", "proxy", "observability", "service", "worker", "other"]


@dataclass(frozen=True)
class Where:
    """A position in the project: relative path, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Server:
    """What serves the graphs: Agent Server, ``langgraph dev``, Aegra or a custom app."""

    kind: ServerKind
    where: Where
    #: Why agentcheck thinks so, for messages ("FROM langchain/langgraph-api in Dockerfile").
    reason: str
    image: str | None = None
    dockerfile: str | None = None
    command: tuple[str, ...] | None = None
    #: Names of the workloads that run it.
    workloads: list[str] = field(default_factory=list)
    #: Inferred from the project (langgraph.json with no deployment files, a FastAPI app in
    #: code) rather than read from a deployment file.
    implied: bool = False
    production: bool = True
    #: The Python file with the app a custom server runs (``uvicorn app.main:app``), if found.
    app_file: str | None = None

    @property
    def is_agent_server(self) -> bool:
        return self.kind == "agent-server"

    @property
    def loads_langgraph_json(self) -> bool:
        """Agent Server and ``langgraph dev`` load graphs from langgraph.json (and refuse
        graphs compiled with their own checkpointer)."""
        return self.kind in ("agent-server", "langgraph-dev")

    @property
    def persists_threads(self) -> bool:
        """The server gives every graph a checkpointer of its own."""
        return self.kind in ("agent-server", "langgraph-dev", "aegra")
