"""Assembling the :class:`~agentcheck.deployment.model.Deployment` from the project's files."""

from __future__ import annotations

from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.deployment._classify import (
    command_server,
    image_name,
    image_role,
    image_server,
)
from agentcheck.deployment._compose import read_compose
from agentcheck.deployment._docker import parse_dockerfile
from agentcheck.deployment._envfiles import production_env_values
from agentcheck.deployment._guard import guarded
from agentcheck.deployment._gunicorn import gunicorn_runs
from agentcheck.deployment._helm import helm_charts, helm_images, templated_manifests
from agentcheck.deployment._k8s import K8sModel, read_k8s
from agentcheck.deployment._platforms import read_start_commands
from agentcheck.deployment._scripts import read_scripts
from agentcheck.deployment.model import (
    Container,
    Deployment,
    DockerfileInfo,
    EnvSetting,
    EnvValue,
    Exposure,
    Replicas,
    Server,
    ServerKind,
    Where,
    Workload,
)
from agentcheck.deployment.proxies import find_proxies

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["build"]

#: Workloads that run to completion (migrations, batch jobs): never the serving agent, unless
#: their command starts a server.
_ONE_OFF = {"Job", "CronJob"}


def build(project: Project) -> Deployment:
    dep = Deployment()
    dep.helm_charts = helm_charts(project)
    templated_manifests(project, dep.helm_charts)
    dep.helm_images = helm_images(project)
    for rel in project.dockerfiles:
        info = guarded(project, rel, "a Dockerfile", partial(parse_dockerfile, project, rel), None)
        if info is not None:
            dep.dockerfiles[rel] = info
    manifests = next((rel for rel, _ in project.k8s_objects), None)
    k8s = guarded(project, manifests, "manifests", partial(read_k8s, project), K8sModel())
    compose = next(iter(project.compose_files), None)
    no_services: list[Workload] = []
    services = guarded(
        project,
        compose,
        "compose files",
        partial(read_compose, project, dep.settings),
        no_services,
    )
    dep.workloads = [*k8s.workloads, *services]
    dep.settings.extend(k8s.settings)
    for info in dep.dockerfiles.values():
        dep.settings.extend(info.settings)
    dep.settings.extend(_langgraph_settings(project))
    dep.production_env = production_env_values(project)
    dep.start_commands = read_start_commands(project)
    dep.script_commands = read_scripts(project)
    dep.autoscalers = k8s.autoscalers
    dep.disruption_budgets = k8s.pdbs
    dep.exposed = list(k8s.exposed)
    dep.k8s_services = k8s.services
    dep.limit_range_defaults = k8s.limit_range_defaults
    _servers(project, dep)
    dep.gunicorn = gunicorn_runs(project, dep)
    dep.replicas = _replicas(dep)
    dep.env, dep.env_opaque = _env(dep)
    _compose_exposure(dep)
    from agentcheck.deployment._graphs import read_graphs

    config = next((c.path for c in project.langgraph_configs), None)
    guarded(project, config, "the graphs", partial(read_graphs, project, dep), None)
    dep._proxy_reader = partial(find_proxies, project)
    return dep


def _langgraph_settings(project: Project) -> list[EnvSetting]:
    """The ``env`` object of each langgraph.json / aegra.json (what the deployed server sets)."""
    out = []
    for config in project.langgraph_configs:
        env = config.data.get("env")
        if not isinstance(env, dict) or config.doc is None:
            continue
        for key, value in env.items():
            line, col = config.doc.loc("env", key)
            text = None if value is None or isinstance(value, dict | list) else str(value)
            if isinstance(value, bool):
                text = "true" if value else "false"
            out.append(
                EnvSetting(
                    str(key),
                    text,
                    Where(config.path, line, col),
                    f"the `env` object of {config.path}",
                    "langgraph-env",
                    True,
                )
            )
    return out


# --------------------------------------------------------------------------- servers


def _dockerfile_server(info: DockerfileInfo) -> tuple[ServerKind, str, Where] | None:
    """The server a Dockerfile's image runs, with the reason and the line that says so."""
    from_cmd = command_server(info.argv or None)
    cmd_where = info.entrypoint_where or info.cmd_where or info.base_where
    base_kind = image_server(info.base_image)
    if base_kind == "agent-server":
        assert info.base_where is not None
        if from_cmd is not None and from_cmd[0] != "agent-server":
            assert cmd_where is not None
            return from_cmd[0], _cmd_reason(info.argv, info.path), cmd_where
        return (
            "agent-server",
            f"{info.path} builds FROM {info.base_image}",
            info.base_where,
        )
    if from_cmd is not None and cmd_where is not None:
        return from_cmd[0], _cmd_reason(info.argv, info.path), cmd_where
    if base_kind is not None and info.base_where is not None:
        return base_kind, f"{info.path} builds FROM {info.base_image}", info.base_where
    return None


def _cmd_reason(argv: tuple[str, ...], where: str) -> str:
    shown = " ".join(argv)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"`{shown}` in {where}"


def _servers(project: Project, dep: Deployment) -> None:
    has_config = any(
        PurePosixPath(c.path).name == "langgraph.json" for c in project.langgraph_configs
    )
    has_aegra = any(PurePosixPath(c.path).name == "aegra.json" for c in project.langgraph_configs)
    by_dockerfile: dict[str, Server] = {}
    for rel, info in dep.dockerfiles.items():
        found = _dockerfile_server(info)
        if found is not None:
            kind, reason, where = found
            by_dockerfile[rel] = Server(
                kind=kind,
                where=where,
                reason=reason,
                image=info.base_image,
                dockerfile=rel,
                command=info.argv or None,
                production=info.production,
            )
            started = command_server(info.argv or None)
            if started is not None and started[1]:
                by_dockerfile[rel].app_file = _app_file(project, started[1], None)
    # The image a compose service builds, by image name, for k8s manifests that deploy it.
    built_images: dict[str, str] = {}
    for w in dep.workloads:
        c = w.main
        if w.platform == "compose" and c and c.image and c.dockerfile:
            built_images[image_name(c.image)] = c.dockerfile
    production_servers = [s for s in by_dockerfile.values() if s.production]
    sole = production_servers[0] if len(production_servers) == 1 else None
    if sole is None and len({s.kind for s in production_servers}) == 1:
        sole = production_servers[0]
    used: set[str] = set()
    explicit: list[Server] = []

    for w in dep.workloads:
        c = w.main
        if c is None:
            continue
        server: Server | None = None
        started = command_server(c.argv or None)
        role = image_role(c.image)
        if started is not None:
            kind, app = started
            where = c.command_where or c.where
            server = Server(
                kind=kind,
                where=where,
                reason=_cmd_reason(c.argv, f"{where.path} ({w.name})"),
                image=c.image,
                dockerfile=c.dockerfile,
                command=c.argv,
                production=w.production,
            )
            if app:
                server.app_file = _app_file(project, app, c)
        elif image_server(c.image) is not None:
            assert c.image_where is not None
            server = Server(
                kind=image_server(c.image) or "unknown",
                where=c.image_where,
                reason=f"image {c.image} ({w.name} in {c.image_where.path})",
                image=c.image,
                production=w.production,
            )
        elif role is None and w.kind not in _ONE_OFF:
            dockerfile = c.dockerfile
            if dockerfile is None and c.image:
                dockerfile = built_images.get(image_name(c.image))
            shared = by_dockerfile.get(dockerfile) if dockerfile else None
            if shared is None and dockerfile is None and c.image is not None:
                shared = sole
            if shared is not None:
                server = shared
                used.add(shared.dockerfile or "")
                c.dockerfile = c.dockerfile or shared.dockerfile
            elif (
                has_config
                and not has_aegra
                and (
                    (dockerfile is not None and dockerfile not in dep.dockerfiles)
                    or (dockerfile is None and not by_dockerfile)
                )
            ):
                # No Dockerfile in the repo for this image: `langgraph build` makes it.
                where = c.image_where or c.where
                server = Server(
                    kind="agent-server",
                    where=where,
                    reason=f"{w.name} runs an image built from langgraph.json "
                    "(`langgraph build`) with no custom server command",
                    image=c.image,
                    production=w.production,
                )
        if server is None:
            w.role = role or ("worker" if c.dockerfile else "other")
            continue
        w.role = "agent"
        w.server = server
        if w.name not in server.workloads:
            server.workloads.append(w.name)
        if server not in explicit:
            explicit.append(server)
    # Dockerfiles no manifest references still describe a server (`docker run`).
    for rel, server in by_dockerfile.items():
        if rel not in used and server not in explicit:
            explicit.append(server)
    explicit.extend(_platform_servers(project, dep))
    dep.servers = explicit
    if not any(s.production for s in explicit):
        dep.servers.extend(_implied(project, has_config, has_aegra))


def _platform_servers(project: Project, dep: Deployment) -> list[Server]:
    """``web: uvicorn app:app`` in a Procfile, a railway/fly/render/nixpacks start command."""
    out = []
    for command in dep.start_commands:
        started = command_server(command.argv)
        if started is None or command.process == "release":
            continue
        server = Server(
            kind=started[0],
            where=command.where,
            reason=_cmd_reason(command.argv, f"{command.where.path} ({command.process})"),
            command=command.argv,
            production=command.production,
        )
        if started[1]:
            server.app_file = _app_file(project, started[1], None)
        out.append(server)
    return out


def _app_file(project: Project, app: str, c: Container | None) -> str | None:
    from agentcheck import pyindex

    module = app.split(":", 1)[0]
    if module.endswith(".py"):
        base = (c.build_context or "") if c is not None else ""
        rel = f"{base}/{module}" if base else module
        return rel if rel in project.files else None
    return pyindex.module_path(project, module)


def _implied(project: Project, has_config: bool, has_aegra: bool) -> list[Server]:
    """Servers inferred when no production file names one."""
    configs = project.langgraph_configs
    if has_aegra or (has_config and _depends_on(project, "aegra-api")):
        cfg = next(c for c in configs)
        return [
            Server(
                kind="aegra",
                where=Where(cfg.path, 1),
                reason=f"{cfg.path} with Aegra in the project",
                implied=True,
            )
        ]
    if has_config:
        cfg = next(c for c in configs if PurePosixPath(c.path).name == "langgraph.json")
        return [
            Server(
                kind="agent-server",
                where=Where(cfg.path, 1),
                reason=f"{cfg.path} with no Dockerfile or manifest: `langgraph build` / "
                "`langgraph up` serve it with Agent Server",
                implied=True,
            )
        ]
    from agentcheck.deployment._graphs import find_asgi_apps

    return [
        Server(
            kind="custom",
            where=where,
            reason=f"a FastAPI/Starlette app in {where.path}",
            implied=True,
            app_file=where.path,
        )
        for where in find_asgi_apps(project)
    ]


def _depends_on(project: Project, dist: str) -> bool:
    pyproject = project.pyproject or {}
    deps = (
        pyproject.get("project", {}).get("dependencies", [])
        if isinstance(pyproject.get("project"), dict)
        else []
    )
    names = [str(d).split(";")[0] for d in deps if isinstance(d, str)]
    for rel in project.by_name("requirements.txt"):
        names.extend((project.text(rel, report=False) or "").splitlines())
    return any(n.strip().lower().replace("_", "-").startswith(dist) for n in names)


# --------------------------------------------------------------------------- replicas and env


def _replicas(dep: Deployment) -> Replicas:
    best = Replicas(1, None, "default")
    for w in dep.workloads:
        if not (w.production and w.role == "agent"):
            continue
        if w.replicas is not None and w.replicas > best.count:
            source = "replicas" if w.platform == "kubernetes" else "compose replicas"
            best = Replicas(w.replicas, w.replicas_where, f"{w.kind} {w.name} {source}", w.name)
        for a in dep.autoscalers:
            if not a.production or a.max_replicas is None:
                continue
            targets = a.target is not None and a.target[1] == w.name
            if targets and a.max_replicas > best.count:
                where = a.max_where or a.where
                best = Replicas(a.max_replicas, where, f"{a.kind} {a.name} max replicas", w.name)
    return best


def _env(dep: Deployment) -> tuple[dict[str, EnvValue], bool]:
    merged: dict[str, EnvValue] = {}
    opaque = False
    for w in dep.workloads:
        if w.production and w.role == "agent":
            merged.update(dep.env_of(w))
            if w.main and any(not e.resolved for e in w.main.env_from):
                opaque = True
    return merged, opaque


def _compose_exposure(dep: Deployment) -> None:
    for w in dep.workloads:
        if w.platform != "compose":
            continue
        for c in w.containers:
            for port in c.ports:
                if port.on_all_interfaces:
                    dep.exposed.append(
                        Exposure(
                            kind="published-port",
                            where=port.where,
                            workload=w.name,
                            detail=f"port {port.published}:{port.container} of {w.name}",
                        )
                    )
