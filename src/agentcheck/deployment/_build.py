"""Assembling the :class:`~agentcheck.deployment.model.Deployment` from the project's files."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from agentcheck.deployment._compose import read_compose
from agentcheck.deployment._docker import parse_dockerfile
from agentcheck.deployment._envfiles import is_example, production_env_values
from agentcheck.deployment._guard import guarded
from agentcheck.deployment._gunicorn import gunicorn_runs
from agentcheck.deployment._helm import (
    helm_charts,
    helm_images,
    templated_manifests,
    unread_charts,
)
from agentcheck.deployment._helm_values import HelmModel, read_helm
from agentcheck.deployment._k8s import K8sModel, read_k8s
from agentcheck.deployment._platforms import read_start_commands
from agentcheck.deployment._production import file_verdict
from agentcheck.deployment._roles import decide_roles
from agentcheck.deployment._scripts import read_scripts
from agentcheck.deployment._stacks import fold_compose
from agentcheck.deployment.model import (
    Deployment,
    EnvSetting,
    EnvValue,
    Exposure,
    FileVerdict,
    Replicas,
    Verdict,
    Where,
    Workload,
)
from agentcheck.deployment.proxies import find_proxies

if TYPE_CHECKING:
    from agentcheck.deployment._proxy_model import Proxy
    from agentcheck.project import Project

__all__ = ["build"]

#: Workloads that run to completion (migrations, batch jobs): never the serving agent, unless
#: their command starts a server.
_ONE_OFF = {"Job", "CronJob"}


def build(project: Project) -> Deployment:
    """Read every deployment file once and decide production, roles and servers.

    Each step is guarded: one that raises on a value nobody foresaw loses its own part of the
    model (an AC100 warning says so), never the whole of it.
    """
    dep = Deployment()
    first_file = next(iter(project.files), None)

    def step(rel: str | None, what: str, run: Callable[[], None]) -> None:
        guarded(project, rel if rel is not None else first_file, what, run, None)

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
    chart = next((f"{c}/Chart.yaml" if c else "Chart.yaml" for c in dep.helm_charts), None)
    helm = guarded(
        project, chart, "Helm charts", partial(read_helm, project, dep.helm_charts), HelmModel()
    )
    unread_charts(project, helm.unread)
    dep.workloads = [*k8s.workloads, *helm.workloads, *services]
    dep.settings.extend(k8s.settings)
    dep.settings.extend(helm.settings)
    for info in dep.dockerfiles.values():
        dep.settings.extend(info.settings)
    dep.autoscalers = [*k8s.autoscalers, *helm.autoscalers]
    dep.disruption_budgets = [*k8s.pdbs, *helm.pdbs]
    dep.exposed = list(k8s.exposed)
    dep.k8s_services = k8s.services
    dep.limit_range_defaults = k8s.limit_range_defaults
    step(None, "other files", partial(_other_files, project, dep))
    step(compose, "compose overlays", partial(fold_compose, project, dep))
    step(None, "what builds each Dockerfile", partial(_built_by, dep))
    step(None, "the agent's workloads", partial(decide_roles, project, dep))
    step(None, "production files", partial(_file_verdicts, project, dep))
    for rel, verdict in helm.files.items():
        dep.files.setdefault(rel, verdict)
    step(None, "gunicorn", partial(_gunicorn, project, dep))
    dep.replicas = _replicas(dep)
    dep.env, dep.env_opaque = _env(dep)
    _compose_exposure(dep)
    from agentcheck.deployment._served import read_graphs

    config = next((c.path for c in project.langgraph_configs), None)
    guarded(project, config, "the graphs", partial(read_graphs, project, dep), None)
    step(None, "checkpointers set at run time", lambda: _assign_savers(project, dep))
    dep._proxy_reader = partial(_proxies, project, helm.proxies)
    return dep


def _proxies(project: Project, helm: list[Proxy]) -> list[Proxy]:
    """The proxies the project's files configure, then the Ingresses its Helm releases
    render."""
    return [*find_proxies(project), *helm]


def _other_files(project: Project, dep: Deployment) -> None:
    """langgraph.json's env, production env files, platform files, scripts."""
    dep.settings.extend(_langgraph_settings(project))
    dep.production_env = production_env_values(project)
    dep.start_commands = read_start_commands(project)
    dep.script_commands = read_scripts(project)


def _gunicorn(project: Project, dep: Deployment) -> None:
    dep.gunicorn = gunicorn_runs(project, dep)


def _assign_savers(project: Project, dep: Deployment) -> None:
    dep.assigned_checkpointers = _assigned_checkpointers(project, dep)


_ASSIGNED_SAVER = re.compile(r"^[ \t]*[\w.\[\]]+\.checkpointer[ \t]*=[^=]", re.MULTILINE)


def _assigned_checkpointers(project: Project, dep: Deployment) -> list[Where]:
    """``agent.checkpointer = saver`` in served code (a text search: assignments only)."""
    out = []
    for rel in sorted(dep.served_files):
        text = project.text(rel, report=False) or ""
        if ".checkpointer" not in text:
            continue
        for match in _ASSIGNED_SAVER.finditer(text):
            out.append(Where(rel, text.count("\n", 0, match.start()) + 1))
    return out


def _built_by(dep: Deployment) -> None:
    """A Dockerfile is what the compose services that build it are: production when one of
    them is (for sure), not production when none of them is."""
    users: dict[str, list[Workload]] = {}
    for w in dep.workloads:
        for c in w.containers:
            if c.dockerfile in dep.dockerfiles:
                users.setdefault(c.dockerfile, []).append(w)
    for rel, workloads in users.items():
        info = dep.dockerfiles[rel]
        if info.verdict.sure and not info.verdict.production:
            continue  # named for tests or development: what it is, whoever builds it
        sure = [w for w in workloads if w.production and w.verdict.sure]
        if sure:
            w = sure[0]
            verdict = Verdict(True, f"service {w.name} of {w.where.path} builds it", w.where)
        elif not any(w.production for w in workloads):
            w = workloads[0]
            verdict = Verdict(
                False, f"only services that are not production build it ({w.name})", w.where
            )
        else:
            continue
        info.verdict, info.production = verdict, verdict.production


def _file_verdicts(project: Project, dep: Deployment) -> None:
    """Every deployment file read, with whether it describes production and why."""
    files = dep.files
    for kind, rels in (
        ("compose", project.compose_files),
        ("kubernetes", dict.fromkeys(rel for rel, _ in project.k8s_objects)),
        ("dockerfile", dep.dockerfiles),
        ("platform", dict.fromkeys(c.where.path for c in dep.start_commands)),
        ("env", [rel for rel in project.env_files if not is_example(rel)]),
    ):
        for rel in rels:
            verdict = file_verdict(project, rel, kind)
            if kind == "dockerfile":
                verdict = dep.dockerfiles[rel].verdict
            files.setdefault(rel, FileVerdict(rel, kind, verdict))


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
