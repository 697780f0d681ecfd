"""The deployment model: what runs in production, read once per lint run and shared by rules.

:func:`deployment` builds a :class:`Deployment` from a :class:`~agentcheck.project.Project`:
the servers that serve the graphs, the workloads (Kubernetes objects and compose services) with
their env, probes, resources and ports, how many replicas production runs, what is exposed, and
for every served graph what checkpointer or store it is compiled with. Rules read this model and
never re-parse deployment files. Every value carries the position (:class:`Where`) of the line a
fix must change.

Nothing here raises on bad input: what does not parse is reported as AC100 by the project, a
value that cannot be interpreted is reported at its position or left out (or marked
``unknown``), and each build step is guarded (:mod:`agentcheck.deployment._guard`).

Decisions the rules rely on:

- Agent Server is an image ``FROM langchain/langgraph-api`` or one ``langgraph build`` makes: an
  image the manifests deploy, built from a project with a langgraph.json and no Dockerfile (or
  no custom start command). A langgraph.json with no deployment file at all is an *implied*
  Agent Server (``langgraph build`` / ``langgraph up``). Aegra (``aegra serve``, an
  ``aegra.json``, or ``aegra-api`` in the dependencies) and custom apps (uvicorn, gunicorn,
  hypercorn, ``fastapi run``; or a module-level ``FastAPI()`` when nothing else says) are not.
- Which files describe production is decided once, per file, with the reason
  (:mod:`agentcheck.deployment._production`); compose overlays, ``extends``, ``include`` and
  profiles per service (:mod:`agentcheck.deployment._stacks`); which workload is the agent,
  with the reason (:mod:`agentcheck.deployment._roles`).
- Helm charts feed the same workloads (:mod:`agentcheck.deployment._helm_values`): each
  release's values through the chart's templates, every field at the values line that sets it;
  roles and production are decided for them as for any manifest.
- Proxies come from :mod:`agentcheck.deployment.proxies` on first access of
  :attr:`Deployment.proxies`, then the Ingresses Helm releases enable
  (:mod:`agentcheck.deployment._helm_ingress`), at the values lines that configure them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentcheck.deployment._base import Role, SaverKind, Server, ServerKind, Where
from agentcheck.deployment._file_model import (
    UNSURE_PRODUCTION,
    BuildCopy,
    EnvSetting,
    FileVerdict,
    GunicornRun,
    GunicornSetting,
    HelmImage,
    ScriptCommand,
    SettingKind,
    StartCommand,
    Verdict,
)
from agentcheck.deployment._graph_model import (
    NO_SAVER,
    CheckpointerInfo,
    CompileSite,
    GraphInfo,
    SaverUse,
)
from agentcheck.deployment._workload_model import (
    Autoscaler,
    Container,
    DisruptionBudget,
    EnvFileRef,
    EnvFrom,
    EnvValue,
    Exposure,
    K8sService,
    Port,
    Probe,
    Replicas,
    Workload,
)

__all__ = [
    "NO_SAVER",
    "Autoscaler",
    "BuildCopy",
    "CheckpointerInfo",
    "CompileSite",
    "Container",
    "Deployment",
    "DisruptionBudget",
    "DockerfileInfo",
    "EnvFileRef",
    "EnvFrom",
    "EnvSetting",
    "EnvValue",
    "Exposure",
    "FileVerdict",
    "GraphInfo",
    "GunicornRun",
    "GunicornSetting",
    "HelmImage",
    "K8sService",
    "Port",
    "Probe",
    "Replicas",
    "Role",
    "SaverKind",
    "SaverUse",
    "ScriptCommand",
    "Server",
    "ServerKind",
    "SettingKind",
    "StartCommand",
    "Verdict",
    "Where",
    "Workload",
]

# --------------------------------------------------------------------------- images and servers


@dataclass
class DockerfileInfo:
    """A parsed Dockerfile: its final stage's base, env and start command."""

    path: str
    production: bool
    #: Why it counts as production or not.
    verdict: Verdict = UNSURE_PRODUCTION
    #: Whether its image runs the agent: True when an agent workload runs it or it starts a
    #: server of graphs, False when only other workloads run it (a proxy's, a frontend's
    #: image) or the app it starts builds no graph, None when nothing says.
    builds_agent: bool | None = None
    #: Base image of the final stage after following ``FROM <stage>`` chains.
    base_image: str | None = None
    base_where: Where | None = None
    env: dict[str, EnvValue] = field(default_factory=dict)
    cmd: tuple[str, ...] | None = None
    cmd_where: Where | None = None
    entrypoint: tuple[str, ...] | None = None
    entrypoint_where: Where | None = None
    healthcheck: Where | None = None
    #: Every ``FROM`` image (all stages) with its position.
    froms: list[tuple[str, Where]] = field(default_factory=list)
    #: The ``FROM`` lines the final stage descends from (``FROM base AS runtime`` after
    #: ``FROM python:3.12 AS base``): what the deployed image is built on.
    lineage: list[tuple[str, Where]] = field(default_factory=list)
    #: Names given to build stages (``FROM python:3.11 AS build``), lower-cased.
    stages: frozenset[str] = frozenset()
    #: The final stage's name, when it has one; the other named stages, as read (a build
    #: may pick one with ``--target``: a Dockerfile whose last stage runs the tests).
    final_stage: str | None = None
    named_stages: dict[str, DockerfileInfo] = field(default_factory=dict)
    #: ``ARG`` names declared in any stage, with where (the first declaration).
    args: dict[str, Where] = field(default_factory=dict)
    #: ``ARG`` names the final stage's ``ENV`` copies (``ENV KEY=$KEY``): their build-time
    #: value is stored in the image, readable by anyone who can pull it.
    baked_args: dict[str, Where] = field(default_factory=dict)
    #: ``COPY``/``ADD`` instructions that copy from the build context (any stage).
    copies: list[BuildCopy] = field(default_factory=list)
    #: Every ``ENV`` and ``ARG`` default of every stage.
    settings: list[EnvSetting] = field(default_factory=list)

    @property
    def argv(self) -> tuple[str, ...]:
        return (self.entrypoint or ()) + (self.cmd or ())


# --------------------------------------------------------------------------- the whole


@dataclass
class Deployment:
    """The project's production deployment, as far as its files say."""

    servers: list[Server] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    autoscalers: list[Autoscaler] = field(default_factory=list)
    disruption_budgets: list[DisruptionBudget] = field(default_factory=list)
    #: The largest replica count production may run (1 when nothing says more).
    replicas: Replicas = field(default_factory=lambda: Replicas(1, None, "default"))
    #: Production env of the agent workloads, merged (Dockerfile ENV, env files, then manifests).
    env: dict[str, EnvValue] = field(default_factory=dict)
    #: Some agent env comes from sources whose keys are unknown (an ``envFrom`` Secret not in
    #: the project): a rule that needs a variable to be *absent* should stay silent.
    env_opaque: bool = False
    dockerfiles: dict[str, DockerfileInfo] = field(default_factory=dict)
    #: Every binding of the production env files (``.env.production``, ``prod.env``).
    production_env: list[EnvValue] = field(default_factory=list)
    #: Start commands of platform files (Procfile, railway, fly, render, nixpacks, App Engine).
    start_commands: list[StartCommand] = field(default_factory=list)
    #: Every way production starts gunicorn (commands, ``GUNICORN_CMD_ARGS``, config files).
    gunicorn: list[GunicornRun] = field(default_factory=list)
    #: docker/compose/kubectl/helm commands of scripts, Makefiles and CI files.
    script_commands: list[ScriptCommand] = field(default_factory=list)
    #: Every variable any deployment file writes, with its position (see :class:`EnvSetting`).
    settings: list[EnvSetting] = field(default_factory=list)
    graphs: list[GraphInfo] = field(default_factory=list)
    #: Every compile site in served code (also those no langgraph.json names).
    compiles: list[CompileSite] = field(default_factory=list)
    #: Every checkpointer/store constructed in served code.
    savers: list[SaverUse] = field(default_factory=list)
    #: ``langgraph.json`` ``checkpointer.path`` / ``store.path`` factories, resolved.
    config_savers: list[tuple[Where, CheckpointerInfo]] = field(default_factory=list)
    #: Python files the servers run (graph modules, apps, their local imports).
    served_files: frozenset[str] = frozenset()
    #: ``<graph>.checkpointer = ...`` in served code: graphs given a checkpointer at run time
    #: (an app's lifespan opens a saver and sets it on each compiled graph).
    assigned_checkpointers: list[Where] = field(default_factory=list)
    #: ``<x>.setup()`` / ``<x>.asetup()`` calls anywhere in the project's Python (migrations
    #: and start-up scripts count), which create a saver's tables.
    setup_calls: list[Where] = field(default_factory=list)
    #: Ingresses, LoadBalancer/NodePort Services, published ports of agent services.
    exposed: list[Exposure] = field(default_factory=list)
    #: Every deployment file read, with whether it describes production and why.
    files: dict[str, FileVerdict] = field(default_factory=dict)
    #: Every Kubernetes Service, with the workloads it selects.
    k8s_services: list[K8sService] = field(default_factory=list)
    #: Namespace (``""`` when unnamed) -> container resources its LimitRanges default
    #: (``"limits.cpu"``, ``"requests.memory"`` ...).
    limit_range_defaults: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Helm charts found (their directory); their templates are not read.
    helm_charts: list[str] = field(default_factory=list)
    #: Images the charts' values files pin.
    helm_images: list[HelmImage] = field(default_factory=list)

    #: Reads the proxies on first access of :attr:`proxies` (set by the builder).
    _proxy_reader: Callable[[], list[Any]] | None = field(default=None, repr=False, compare=False)
    _proxies: list[Any] | None = field(default=None, repr=False, compare=False)

    # ----------------------------------------------------------------- convenience

    @property
    def proxies(self) -> list[Any]:
        """Proxies in front of the servers (nginx, ingress, ALB, ...): the
        :class:`agentcheck.deployment.proxies.Proxy` list of ``find_proxies(project)``, read on
        first access (rules that do not need proxies never parse nginx)."""
        if self._proxies is None:
            reader, self._proxy_reader = self._proxy_reader, None
            self._proxies = list(reader()) if reader is not None else []
        return self._proxies

    def env_of(self, workload: Workload) -> dict[str, EnvValue]:
        """A workload's main container env over its Dockerfile's ``ENV`` (what the process
        sees, as far as the project's files say)."""
        c = workload.main
        if c is None:
            return {}
        env: dict[str, EnvValue] = {}
        dockerfile = c.dockerfile or (workload.server.dockerfile if workload.server else None)
        info = self.dockerfiles.get(dockerfile) if dockerfile else None
        if info is not None:
            env.update(info.env)
        env.update(c.env)
        return env

    @property
    def agent_workloads(self) -> list[Workload]:
        return [w for w in self.workloads if w.role == "agent"]

    @property
    def production_workloads(self) -> list[Workload]:
        return [w for w in self.workloads if w.production]

    def servers_of(self, *kinds: ServerKind) -> list[Server]:
        return [s for s in self.servers if s.kind in kinds]

    @property
    def agent_server(self) -> Server | None:
        """The first (explicit before implied) Agent Server, if any."""
        found = sorted(self.servers_of("agent-server"), key=lambda s: s.implied)
        return found[0] if found else None

    @property
    def self_hosted(self) -> list[Server]:
        """Servers that are not Agent Server or ``langgraph dev``: Aegra and custom apps."""
        return [s for s in self.servers if s.kind in ("aegra", "custom")]

    def workload(self, name: str) -> Workload | None:
        return next((w for w in self.workloads if w.name == name), None)
