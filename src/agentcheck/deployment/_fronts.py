"""The proxies in front of the agent, and what the server behind each sends them.

Servers differ in what decides whether a stream survives a proxy (SERVERS.md, measured):
langgraph-api (Agent Server, ``langgraph dev``) sends ``X-Accel-Buffering: no``, a
``: heartbeat`` comment every 5 s on streams (joins included) and a newline every 5 s while a
blocking ``runs/wait`` or ``join`` waits; Aegra sends neither header nor any keep-alive; a custom
app sends what its code sends (sse-starlette: the header and a ping every 15 s on its streams).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.deployment.model import Server
from agentcheck.parsing import may_hold

if TYPE_CHECKING:
    from agentcheck.deployment._proxy_model import Proxy
    from agentcheck.project import Project

__all__ = ["Behind", "agent_proxies", "server_traits"]

_LANGGRAPH_API = ("agent-server", "langgraph-dev")
_SSE_HEADER = re.compile(r"x-accel-buffering", re.IGNORECASE)
_SSE_STARLETTE = re.compile(r"^\s*(?:from|import)\s+sse_starlette\b", re.MULTILINE)


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
    #: Seconds between the bytes it writes while a blocking request waits for a run
    #: (``runs/wait``, ``join``); None when it writes none (or unknown).
    wait_keepalive: float | None = None


def server_traits(project: Project, server: Server | None) -> Behind:
    """What ``server`` sends; an unknown :class:`Behind` for None."""
    if server is None:
        return Behind(None, "the server", None, None, known=False)
    if server.kind in _LANGGRAPH_API:
        return Behind(server, "langgraph-api", True, 5.0, known=True, wait_keepalive=5.0)
    if server.kind == "aegra":
        return Behind(server, "Aegra", False, None, known=True)
    if server.kind == "custom":
        header, heartbeat = project.memo(
            f"fronts:sse:{server.app_file}", lambda: _sse_traits(project, server.app_file)
        )
        where = f" in {server.app_file}" if server.app_file else ""
        return Behind(
            server, f"the custom server{where}", header, 15.0 if heartbeat else None, True
        )
    return Behind(server, "the server", None, None, known=False)


def _sse_traits(project: Project, app_file: str | None) -> tuple[bool, bool]:
    """Whether the custom app in ``app_file`` (and the served code) sends the
    ``X-Accel-Buffering`` header, and SSE pings (sse-starlette). Asked for every proxy by
    every proxy rule: read once per app."""
    files = [app_file] if app_file else []
    files.extend(sorted(deployment(project).served_files))
    header = heartbeat = False
    for rel in dict.fromkeys(files):
        text = project.text(rel, report=False) or ""
        header = header or (
            may_hold(text, ("x-accel-buffering",)) and bool(_SSE_HEADER.search(text))
        )
        if "sse_starlette" in text and _SSE_STARLETTE.search(text):
            header = heartbeat = True
    return header, heartbeat


def agent_proxies(project: Project) -> Iterator[tuple[Proxy, Behind]]:
    """Production proxies that may forward to the agent, with the server behind each.

    A proxy whose upstream names only workloads that are not the agent (a frontend, Grafana)
    is left out, when the project says which workloads run the agent; so is a Kubernetes
    ingress whose backends are Services the project does not hold while the agent's Services
    are there (Argo CD's own Ingress, another team's app). A proxy whose upstream
    names an agent workload gets that workload's server; any other gets the project's
    production server (explicit before implied).
    """
    dep = deployment(project)
    roles: dict[str, Server | None] = {}
    for workload in dep.workloads:
        roles[workload.name] = workload.server if workload.role == "agent" else None
    # A Kubernetes Service's name reaches the workloads whose pods it selects.
    for service in dep.k8s_services:
        if service.targets:
            roles.setdefault(service.name, roles.get(service.targets[0]))
    any_agent = any(server is not None for server in roles.values())
    servers = sorted(dep.servers, key=lambda s: (not s.production, s.implied))
    default = servers[0] if servers else None
    for proxy in dep.proxies:
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
        manifest = dep.files.get(proxy.where.path)
        in_k8s = manifest is not None and manifest.kind == "kubernetes"
        services_here = any(s.targets for s in dep.k8s_services)
        if any_agent and services_here and in_k8s and proxy.hosts and not known:
            continue  # an ingress for Services that are not this project's
        server = next((roles[h] for h in known if roles[h] is not None), None) or default
        yield proxy, server_traits(project, server)
