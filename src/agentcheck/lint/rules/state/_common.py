"""Helpers shared by the state rules (AC3xx): which code a self-hosted server runs, env lookups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcheck import pyindex

if TYPE_CHECKING:
    from agentcheck.deployment.model import Deployment, EnvValue, Server, Where, Workload
    from agentcheck.project import Project

__all__ = [
    "DATABASE_VARS",
    "agent_server_workloads",
    "deployed_servers",
    "env_opaque",
    "files_of",
    "first",
    "self_hosted_files",
    "where_of",
]

#: Agent Server's Postgres connection variable and its accepted alias.
DATABASE_VARS = ("DATABASE_URI", "POSTGRES_URI")


def deployed_servers(dep: Deployment) -> list[Server]:
    """Servers production runs: explicit production ones, else the implied ones."""
    explicit = [s for s in dep.servers if s.production and not s.implied]
    return explicit or [s for s in dep.servers if s.implied]


def files_of(project: Project, dep: Deployment, server: Server) -> list[str]:
    """The Python files a server runs: its app and what it imports, else all served code."""
    if server.app_file:
        return pyindex.local_closure(project, [server.app_file])
    return sorted(dep.served_files)


def self_hosted_files(project: Project, dep: Deployment) -> dict[str, Server]:
    """Files run by custom (FastAPI/uvicorn...) servers, each with the server that runs it.

    Aegra is left out: it replaces a graph's checkpointer and store with its own Postgres ones.
    """
    out: dict[str, Server] = {}
    for server in deployed_servers(dep):
        if server.kind == "custom":
            for rel in files_of(project, dep, server):
                out.setdefault(rel, server)
    return out


def agent_server_workloads(dep: Deployment) -> list[Workload]:
    """Production workloads that run an Agent Server image (explicitly deployed)."""
    return [
        w
        for w in dep.workloads
        if w.production and w.role == "agent" and w.server is not None and w.server.is_agent_server
    ]


def first(env: dict[str, EnvValue], *names: str) -> EnvValue | None:
    """The first of ``names`` that ``env`` sets."""
    for name in names:
        if name in env:
            return env[name]
    return None


def where_of(w: Workload) -> Where:
    """Where env entries of a workload's main container go."""
    c = w.main
    if c is not None and c.env_where is not None:
        return c.env_where
    return c.where if c is not None else w.where


def env_opaque(w: Workload) -> bool:
    """Whether a workload's env comes partly from what agentcheck cannot read: an ``envFrom``
    Secret or ConfigMap not in the project, or an env file that is not there."""
    c = w.main
    if c is None:
        return True
    if any(not e.resolved for e in c.env_from):
        return True
    return any(not ref.exists for ref in c.env_files)
