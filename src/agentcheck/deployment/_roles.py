"""Which workload is the agent, and which server it runs: the one place that decides it.

The agent is the workload whose image, command or code serves graphs. In order:

1. Its command starts a server agentcheck knows (``langgraph dev``/``up``, Aegra, uvicorn,
   gunicorn, hypercorn, ``fastapi run``, ``python -m pkg.server``): the agent, unless the app it
   starts is found and its code builds no graph (a frontend's or an auth service's API).
2. Its image is an Agent Server or Aegra image (``langchain/langgraph-api``,
   ``*/langgraph-api*``): the agent.
3. Its image is a well-known third-party service (PostgreSQL, Redis, nginx, Prometheus,
   Grafana, Keycloak, OpenFGA, Qdrant ...): never the agent.
4. It is built from a Dockerfile of the repository (compose ``build``, or an image name a
   compose file or script builds): what that Dockerfile runs decides.
5. It runs an image no file here builds: the agent only when the image is named for this
   project or it is the only such Kubernetes workload of a repository that builds one agent;
   otherwise a service of someone else's.

Every workload gets its role with the reason and the line that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.deployment._classify import image_name, image_role, image_server
from agentcheck.deployment._servers import (
    cmd_reason,
    dockerfile_server,
    implied,
    platform_servers,
    serves,
    start_of,
)
from agentcheck.deployment.model import (
    Container,
    Deployment,
    Role,
    Server,
    Verdict,
    Where,
    Workload,
)

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["decide_roles"]

#: Workloads that run to completion (migrations, batch jobs): never the serving agent, unless
#: their command starts a server.
_ONE_OFF = {"Job", "CronJob"}
_WORDS = re.compile(r"[^a-z0-9]+")
#: Words an image of the agent is often named with.
_AGENT_WORDS = frozenset({"agent", "agents", "langgraph", "graph", "graphs"})


@dataclass
class _Context:
    """What the repository builds, shared by every workload's decision."""

    project: Project
    dep: Deployment
    has_config: bool
    has_aegra: bool
    #: Dockerfile -> the server its image runs.
    servers: dict[str, Server] = field(default_factory=dict)
    #: Image name -> the Dockerfile that builds it (compose ``build`` + ``image``, scripts).
    built: dict[str, str] = field(default_factory=dict)
    #: Words naming this project (pyproject name, graph ids, the repository's directory).
    names: frozenset[str] = frozenset()


def decide_roles(project: Project, dep: Deployment) -> None:
    """Give every workload its role (and server when it is the agent); fill ``dep.servers``."""
    configs = project.langgraph_configs
    ctx = _Context(
        project,
        dep,
        has_config=any(PurePosixPath(c.path).name == "langgraph.json" for c in configs),
        has_aegra=any(PurePosixPath(c.path).name == "aegra.json" for c in configs),
    )
    for rel, info in dep.dockerfiles.items():
        server = dockerfile_server(ctx.project, info)
        if server is not None:
            ctx.servers[rel] = server
    ctx.built = _built_images(project, dep)
    ctx.names = _project_names(project)
    explicit: list[Server] = []
    used: set[str] = set()
    for w in dep.workloads:
        role, server, reason, where = _decide(ctx, w)
        w.role, w.role_reason, w.role_where = role, reason, where
        if server is None:
            continue
        w.server = server
        if server.dockerfile:
            used.add(server.dockerfile)
        if w.name not in server.workloads:
            server.workloads.append(w.name)
        if server not in explicit:
            explicit.append(server)
    # Dockerfiles no manifest references still describe a server (`docker run`).
    for rel, server in ctx.servers.items():
        if rel not in used and server not in explicit and serves(ctx.project, server):
            explicit.append(server)
    explicit.extend(platform_servers(ctx.project, ctx.dep))
    dep.servers = explicit
    _agent_dockerfiles(ctx)
    if not any(s.production for s in explicit):
        dep.servers.extend(implied(project, ctx.has_config, ctx.has_aegra))


def _agent_dockerfiles(ctx: _Context) -> None:
    """Which Dockerfiles build the agent's image (see ``DockerfileInfo.builds_agent``)."""
    users: dict[str, list[Workload]] = {}
    for w in ctx.dep.workloads:
        c = w.main
        if c is not None and c.dockerfile in ctx.dep.dockerfiles:
            users.setdefault(c.dockerfile, []).append(w)
    for rel, info in ctx.dep.dockerfiles.items():
        server = ctx.servers.get(rel)
        if not info.verdict.sure and server is None and not users.get(rel):
            # No service builds it and it starts no server (a builder of wheels, a tool):
            # nothing says it is deployed.
            reason = "no service here builds it and it starts no server"
            info.verdict = Verdict(False, reason, info.base_where, sure=False)
            info.production = False
        if any(w.role == "agent" for w in users.get(rel, ())):
            info.builds_agent = True
        elif server is not None:
            info.builds_agent = serves(ctx.project, server)
        elif users.get(rel):
            info.builds_agent = False


# --------------------------------------------------------------------------- one workload

_Decision = tuple[Role, Server | None, str, Where | None]


def _decide(ctx: _Context, w: Workload) -> _Decision:
    c = w.main
    if c is None:
        return "other", None, "it has no container", w.where
    at = c.command_where or c.where
    started = start_of(ctx.project, c.argv, c.build_context or "")
    if started is not None:
        kind, app_file = started
        server = Server(
            kind=kind,
            where=at,
            reason=cmd_reason(c.argv, f"{at.path} ({w.name})"),
            image=c.image,
            dockerfile=c.dockerfile,
            command=c.argv,
            production=w.production,
            app_file=app_file,
        )
        if not serves(ctx.project, server):
            return "other", None, f"{server.reason} starts an app that builds no graph", at
        return "agent", server, server.reason, at
    image_kind = image_server(c.image)
    if image_kind is not None and c.image_where is not None:
        server = Server(
            kind=image_kind,
            where=c.image_where,
            reason=f"image {c.image} ({w.name} in {c.image_where.path})",
            image=c.image,
            production=w.production,
        )
        return "agent", server, server.reason, c.image_where
    role = image_role(c.image)
    if role is not None and role != "other":
        return role, None, f"image {c.image} is {_article(role)}", c.image_where
    if w.kind in _ONE_OFF:
        return "other", None, f"a {w.kind} runs to completion", w.where
    dockerfile = c.dockerfile or (ctx.built.get(image_name(c.image)) if c.image else None)
    if dockerfile is not None:
        return _from_dockerfile(ctx, w, c, dockerfile)
    if role == "other":
        return "other", None, f"image {c.image} is a generic base image", c.image_where
    return _image_only(ctx, w, c)


def _from_dockerfile(ctx: _Context, w: Workload, c: Container, dockerfile: str) -> _Decision:
    at = c.image_where or c.where
    c.dockerfile = c.dockerfile or dockerfile
    server = ctx.servers.get(dockerfile)
    if server is not None:
        if not serves(ctx.project, server):
            return "other", None, f"{server.reason} starts an app that builds no graph", at
        return "agent", server, f"built from {dockerfile}: {server.reason}", server.where
    if dockerfile in ctx.dep.dockerfiles:
        return "worker", None, f"built from {dockerfile}, which starts no server", at
    if ctx.has_config and not ctx.has_aegra:
        # The Dockerfile is not in the repository: `langgraph build` makes the image.
        server = _built_by_langgraph(w, c, at)
        return "agent", server, server.reason, at
    return "other", None, f"built from {dockerfile}, which is not in the repository", at


def _image_only(ctx: _Context, w: Workload, c: Container) -> _Decision:
    """A workload running an image no file of the repository builds."""
    at = c.image_where or c.where
    shown = c.image or "no image"
    ours = _named_for_project(ctx, c.image)
    alone = w.platform == "kubernetes" and _only_unknown_k8s_image(ctx, w)
    if not (ours or alone):
        return "other", None, f"image {shown} is not built from this repository", at
    why = "is named for this project" if ours else "is the only workload image here"
    production_servers = [
        s for s in ctx.servers.values() if s.production and serves(ctx.project, s)
    ]
    if len({s.kind for s in production_servers}) == 1:
        server = production_servers[0]
        c.dockerfile = c.dockerfile or server.dockerfile
        return "agent", server, f"image {shown} {why}: {server.reason}", at
    if not production_servers and ctx.has_config and not ctx.has_aegra:
        server = _built_by_langgraph(w, c, at)
        return "agent", server, f"image {shown} {why}: {server.reason}", at
    return "other", None, f"image {shown} is not built from this repository", at


def _built_by_langgraph(w: Workload, c: Container, at: Where) -> Server:
    """Agent Server in an image `langgraph build` makes from the repository's langgraph.json."""
    return Server(
        kind="agent-server",
        where=at,
        reason=f"{w.name} runs an image built from langgraph.json (`langgraph build`) "
        "with no custom server command",
        image=c.image,
        production=w.production,
    )


def _only_unknown_k8s_image(ctx: _Context, w: Workload) -> bool:
    """Whether ``w`` is the only long-running Kubernetes workload whose image is neither a
    known service's nor built here."""
    count = 0
    for other in ctx.dep.workloads:
        c = other.main
        if other.platform != "kubernetes" or other.kind in _ONE_OFF or c is None:
            continue
        if image_role(c.image) is not None or image_server(c.image) is not None:
            continue
        count += 1
    return count == 1


def _named_for_project(ctx: _Context, image: str | None) -> bool:
    """Whether the image's own name (not its registry or namespace, often the owner's name)
    names this project or an agent."""
    if not image or "$" in image:
        return False
    words = set(_WORDS.split(image_name(image).rsplit("/", 1)[-1]))
    return bool(words & ctx.names) or bool(words & _AGENT_WORDS)


def _article(role: str) -> str:
    return {
        "database": "a database",
        "cache": "a cache",
        "proxy": "a proxy",
        "observability": "a monitoring service",
        "service": "a third-party service",
        "worker": "a worker",
    }.get(role, f"a {role}")


# --------------------------------------------------------------------------- what is built


def _built_images(project: Project, dep: Deployment) -> dict[str, str]:
    """Image name -> the Dockerfile that builds it: a compose service with both ``build`` and
    ``image``, ``docker build -t NAME`` in a script."""
    from agentcheck.deployment._scripts import build_dockerfile

    built: dict[str, str] = {}
    # Only Dockerfiles for production: a test stack may build its image under the same name.
    for w in dep.workloads:
        c = w.main
        info = dep.dockerfiles.get(c.dockerfile) if c and c.dockerfile else None
        if w.platform == "compose" and c and c.image and info is not None and info.production:
            built.setdefault(image_name(c.image), info.path)
    files = frozenset(project.files)
    for command in dep.script_commands:
        if command.tool not in ("docker", "podman", "nerdctl") or "build" not in command.words[1:3]:
            continue
        dockerfile = build_dockerfile(command, files)
        info = dep.dockerfiles.get(dockerfile) if dockerfile else None
        if dockerfile is None or info is None or not info.production:
            continue  # a test image built under the same name is not what production runs
        for i, word in enumerate(command.words):
            option, eq, inline = word.partition("=")
            if option in ("-t", "--tag"):
                tag = inline if eq else (command.words[i + 1] if i + 1 < len(command.words) else "")
                if tag and "$" not in tag.split(":", 1)[0]:
                    built.setdefault(image_name(tag), dockerfile)
    return built


def _project_names(project: Project) -> frozenset[str]:
    """Words naming this project: its pyproject name and the repository directory's name (the
    graph ids too), for images named after it (``ghcr.io/acme/support-desk:1.2``)."""
    names: set[str] = set()
    pyproject = project.pyproject or {}
    meta = pyproject.get("project")
    if isinstance(meta, dict) and isinstance(meta.get("name"), str):
        names.update(_WORDS.split(meta["name"].lower()))
    names.update(_WORDS.split(project.root.name.lower()))
    for config in project.langgraph_configs:
        graphs = config.data.get("graphs")
        if isinstance(graphs, dict):
            for graph_id in graphs:
                names.update(_WORDS.split(str(graph_id).lower()))
    generic = {"", "app", "api", "server", "service", "web", "src", "main", "the", "my"}
    return frozenset(word for word in names if len(word) > 2 and word not in generic)
