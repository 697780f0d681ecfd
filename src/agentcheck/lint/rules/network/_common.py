"""What the AC4xx rules share: the proxies in front of the agent and the server behind them.

Servers differ in what decides whether a stream survives a proxy (SERVERS.md, measured):
langgraph-api (Agent Server, ``langgraph dev``) sends ``X-Accel-Buffering: no`` and a
``: heartbeat`` comment every 5 s, and drains runs for ``BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS``
(180 s) on SIGTERM; Aegra sends neither header nor heartbeats; a custom app sends what its code
sends (sse-starlette: the header and a ping every 15 s).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentcheck.deployment import Deployment, Server, deployment
from agentcheck.deployment.proxies import Proxy, dig, find_proxies

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = [
    "FLOOR",
    "Behind",
    "agent_proxies",
    "seconds",
    "server_traits",
]

#: The seed's floor for proxy and client timeouts: LLM calls take 10-60 s.
FLOOR = 60.0
#: langgraph-api's default ``BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS``.
AGENT_SERVER_GRACE = 180.0
_LANGGRAPH_API = ("agent-server", "langgraph-dev")
_SSE_HEADER = re.compile(r"x-accel-buffering", re.IGNORECASE)
_SSE_STARLETTE = re.compile(r"^\s*(?:from|import)\s+sse_starlette\b", re.MULTILINE)


def seconds(value: float) -> str:
    """``60 s``, ``1.5 s``: how messages write a duration."""
    return f"{value:g} s"


@dataclass(frozen=True)
class Behind:
    """The server a proxy forwards to, and what it does that matters to the proxy."""

    server: Server | None
    #: ``langgraph-api``, ``Aegra``, ``the custom server in app/main.py``.
    label: str
    #: Sends ``X-Accel-Buffering: no`` with its streams; None when unknown.
    no_buffering_header: bool | None
    #: Seconds between SSE heartbeat comments; None when it sends none (or unknown).
    heartbeat: float | None
    #: Whether :attr:`heartbeat` is known (False: no server found).
    known: bool


def server_traits(project: Project, server: Server | None) -> Behind:
    """What ``server`` sends; an unknown :class:`Behind` for None."""
    if server is None:
        return Behind(None, "the server", None, None, known=False)
    if server.kind in _LANGGRAPH_API:
        return Behind(server, "langgraph-api", True, 5.0, known=True)
    if server.kind == "aegra":
        return Behind(server, "Aegra", False, None, known=True)
    if server.kind == "custom":
        files = [server.app_file] if server.app_file else []
        files.extend(sorted(deployment(project).served_files))
        header = heartbeat = False
        for rel in dict.fromkeys(files):
            text = project.text(rel, report=False) or ""
            header = header or bool(_SSE_HEADER.search(text))
            if _SSE_STARLETTE.search(text):
                header = heartbeat = True
        where = f" in {server.app_file}" if server.app_file else ""
        return Behind(
            server, f"the custom server{where}", header, 15.0 if heartbeat else None, True
        )
    return Behind(server, "the server", None, None, known=False)


def agent_proxies(project: Project) -> Iterator[tuple[Proxy, Behind]]:
    """Production proxies that may forward to the agent, with the server behind each.

    A proxy whose upstream names only workloads that are not the agent (a frontend, Grafana)
    is left out, when the project says which workloads run the agent. A proxy whose upstream
    names an agent workload gets that workload's server; any other gets the project's
    production server (explicit before implied).
    """
    dep = deployment(project)
    roles: dict[str, Server | None] = {}
    for workload in dep.workloads:
        roles[workload.name] = workload.server if workload.role == "agent" else None
    for alias, target in _service_aliases(project, dep).items():
        roles.setdefault(alias, roles.get(target))
    any_agent = any(server is not None for server in roles.values())
    servers = sorted(dep.servers, key=lambda s: (not s.production, s.implied))
    default = servers[0] if servers else None
    for proxy in find_proxies(project):
        if not proxy.production:
            continue
        known = [h for h in proxy.hosts if h in roles]
        if (
            any_agent
            and known
            and len(known) == len(proxy.hosts)
            and all(roles[h] is None for h in known)
        ):
            continue  # forwards only to workloads that are not the agent
        server = next((roles[h] for h in known if roles[h] is not None), None) or default
        yield proxy, server_traits(project, server)


def _service_aliases(project: Project, dep: Deployment) -> dict[str, str]:
    """Kubernetes Service name -> the name of a workload whose pods it selects."""
    out: dict[str, str] = {}
    for _rel, doc in project.k8s_objects:
        data = doc.data
        if data.get("kind") != "Service":
            continue
        name = dig(data, "metadata", "name")
        selector = dig(data, "spec", "selector")
        if not isinstance(name, str) or not isinstance(selector, dict) or not selector:
            continue
        wanted = {str(k): str(v) for k, v in selector.items()}
        for workload in dep.workloads:
            labels = workload.pod_labels
            if labels and all(labels.get(k) == v for k, v in wanted.items()):
                out[name] = workload.name
                break
    return out
