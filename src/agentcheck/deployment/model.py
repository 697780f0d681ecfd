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
from typing import Any, Literal

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

# --------------------------------------------------------------------------- environment


@dataclass(frozen=True)
class EnvValue:
    """One environment variable as production sets it.

    ``value`` is the literal value, or None when it comes from elsewhere at deploy time (a
    Kubernetes ``secretKeyRef``/``configMapKeyRef``/``fieldRef``, a compose ``${VAR}``
    interpolation, a bare compose ``- NAME`` passed through from the host).
    """

    name: str
    value: str | None
    where: Where
    #: From a secret store: k8s ``secretKeyRef``/``envFrom.secretRef``, compose ``secrets``.
    from_secret: bool = False
    #: ``"k8s"``, ``"k8s-secret"``, ``"k8s-configmap"``, ``"compose"``, ``"env-file"``,
    #: ``"dockerfile"``, ``"langgraph.json"``.
    source: str = ""
    #: The value is (or contains) a compose ``${VAR}`` interpolation or ``$(VAR)`` reference.
    interpolated: bool = False
    #: For values from a secret or ConfigMap: ``"secret/<name>/<key>"``, ``"configmap/..."``.
    ref: str | None = None


@dataclass(frozen=True)
class EnvFrom:
    """A Kubernetes ``envFrom`` source: every key of a Secret or ConfigMap."""

    kind: Literal["secret", "configmap"]
    name: str
    where: Where
    #: Whether the Secret/ConfigMap manifest was found in the project (its keys are in env).
    resolved: bool = False


@dataclass(frozen=True)
class EnvFileRef:
    """An env file a workload or langgraph.json reads (compose ``env_file``, ``"env": ".env"``)."""

    #: As written (``.env.production``).
    ref: str
    #: Relative to the project root.
    path: str
    where: Where
    exists: bool
    required: bool = True


# --------------------------------------------------------------------------- containers


@dataclass(frozen=True)
class Probe:
    """A health check: k8s readiness/liveness/startup probe or compose ``healthcheck``."""

    kind: Literal["readiness", "liveness", "startup", "healthcheck"]
    where: Where
    #: ``httpGet.path``, or the URL path found in an exec/compose test command.
    http_path: str | None = None
    port: int | str | None = None
    command: tuple[str, ...] | None = None
    #: Compose ``healthcheck: {disable: true}`` or ``test: ["NONE"]``.
    disabled: bool = False
    raw: Any = None
    #: Where what it requests is written (``httpGet.path``, ``exec.command``, compose
    #: ``test``); None when it is not (then :attr:`where`).
    value_where: Where | None = None


@dataclass(frozen=True)
class Port:
    """A container port, and where it is published (compose ``ports``, k8s ``hostPort``)."""

    where: Where
    container: int | None = None
    #: The host port when published, else None.
    published: int | str | None = None
    #: The host address it is bound to: None for all interfaces.
    host_ip: str | None = None
    protocol: str = "tcp"
    #: The last container port of a range (``"8000-8010:8000-8010"``), else None.
    container_end: int | None = None
    #: Where the host port itself is written (k8s ``hostPort``), when not at :attr:`where`.
    host_where: Where | None = None

    def serves(self, port: int) -> bool:
        """Whether this entry covers container port ``port``."""
        if self.container is None:
            return False
        return self.container <= port <= (self.container_end or self.container)

    @property
    def on_all_interfaces(self) -> bool:
        """Published and not bound to loopback only."""
        return self.published is not None and not _is_loopback(self.host_ip)


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    h = host.strip("[]")
    return h == "localhost" or h == "::1" or h.startswith("127.")


@dataclass
class Container:
    """One container: a k8s container spec or a compose service's single container."""

    name: str
    where: Where
    image: str | None = None
    image_where: Where | None = None
    command: tuple[str, ...] | None = None
    args: tuple[str, ...] | None = None
    command_where: Where | None = None
    env: dict[str, EnvValue] = field(default_factory=dict)
    #: Where new env entries would go (the ``env:``/``environment:`` key, else the container).
    env_where: Where | None = None
    env_from: list[EnvFrom] = field(default_factory=list)
    env_files: list[EnvFileRef] = field(default_factory=list)
    probes: dict[str, Probe] = field(default_factory=dict)
    #: k8s ``resources`` (or compose ``deploy.resources``) as written, None when absent.
    resources: dict[str, Any] | None = None
    resources_where: Where | None = None
    ports: list[Port] = field(default_factory=list)
    #: The Dockerfile this container's image is built from, when known.
    dockerfile: str | None = None
    #: Compose ``build`` context relative to the root (None for k8s).
    build_context: str | None = None
    init: bool = False

    @property
    def argv(self) -> tuple[str, ...]:
        """Command and args joined, as the container runs them (empty when neither is set)."""
        return (self.command or ()) + (self.args or ())


@dataclass
class Workload:
    """A k8s workload (Deployment, StatefulSet, ...) or a compose service."""

    platform: Literal["kubernetes", "compose"]
    #: k8s kind (``Deployment``) or ``"service"`` for compose.
    kind: str
    name: str
    where: Where
    production: bool
    containers: list[Container] = field(default_factory=list)
    init_containers: list[Container] = field(default_factory=list)
    namespace: str | None = None
    #: Declared replicas: k8s ``spec.replicas`` / compose ``deploy.replicas`` or ``scale``.
    #: None when not written (k8s and compose default to 1).
    replicas: int | None = None
    replicas_where: Where | None = None
    #: k8s ``terminationGracePeriodSeconds`` / compose ``stop_grace_period`` in seconds.
    grace_period: float | None = None
    grace_where: Where | None = None
    labels: dict[str, str] = field(default_factory=dict)
    #: The pod template's labels (k8s), which Services and PDBs select.
    pod_labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    role: Role = "other"
    #: Why it has that role (``runs `uvicorn app.main:app```, ``image prom/prometheus``), and
    #: the line that says so.
    role_reason: str = ""
    role_where: Where | None = None
    #: Why it counts as production or not (see :class:`Verdict`); :attr:`production` is its
    #: ``production``.
    verdict: Verdict = UNSURE_PRODUCTION
    #: The server this workload runs, when it runs the agent.
    server: Server | None = None
    #: Compose files merged into this service, in order (``-f base -f overlay``).
    overlays: tuple[str, ...] = ()
    #: Compose file's other services this one depends on (compose only).
    depends_on: tuple[str, ...] = ()
    #: Runs in the host's network namespace (compose ``network_mode: host``, k8s
    #: ``hostNetwork: true``): every port it listens on is reachable where the host is.
    host_network: Where | None = None
    #: Codes and rule names its ``agentcheck.io/ignore`` annotation lists (k8s).
    ignores: frozenset[str] = frozenset()
    #: k8s: where the ``spec:`` key and the pod spec's key are written (where settings of
    #: the workload or of its pods would be added).
    spec_where: Where | None = None
    pod_spec_where: Where | None = None
    #: The raw document (k8s object or compose service mapping) for rare needs.
    raw: Any = None

    @property
    def effective_replicas(self) -> int:
        return self.replicas if self.replicas is not None else 1

    @property
    def production_sure(self) -> bool:
        """Production, and something beyond agentcheck's defaults says so."""
        return self.production and self.verdict.sure

    @property
    def main(self) -> Container | None:
        """The first (main) container."""
        return self.containers[0] if self.containers else None


@dataclass(frozen=True)
class Autoscaler:
    """An HPA, KEDA ScaledObject, Knative or Cloud Run scaling setting."""

    kind: str
    name: str
    where: Where
    #: The workload it scales (kind, name), when it names one.
    target: tuple[str, str] | None
    min_replicas: int | None = None
    min_where: Where | None = None
    max_replicas: int | None = None
    max_where: Where | None = None
    production: bool = True
    #: The minimum is not written: it is the platform default (KEDA and Knative: 0).
    min_is_default: bool = False


@dataclass(frozen=True)
class DisruptionBudget:
    """A k8s PodDisruptionBudget."""

    name: str
    where: Where
    selector: dict[str, str] = field(default_factory=dict)
    production: bool = True


@dataclass(frozen=True)
class Replicas:
    """How many replicas production may run at most, and what says so."""

    count: int
    where: Where | None
    #: ``"k8s replicas"``, ``"HPA maxReplicas"``, ``"compose deploy.replicas"`` ...
    source: str
    workload: str | None = None


@dataclass(frozen=True)
class Exposure:
    """Something that makes a workload reachable from outside."""

    kind: Literal["ingress", "loadbalancer", "nodeport", "route", "published-port"]
    where: Where
    #: The workload it reaches (by name) when known.
    workload: str | None = None
    detail: str = ""
    #: The exposing object's annotations (an Ingress's ``auth-url``, ...).
    annotations: dict[str, str] = field(default_factory=dict)
    #: Codes its ``agentcheck.io/ignore`` annotation lists.
    ignores: frozenset[str] = frozenset()


@dataclass(frozen=True)
class K8sService:
    """A Kubernetes Service and the workloads whose pods it selects (same namespace)."""

    name: str
    namespace: str
    #: ``ClusterIP``, ``NodePort``, ``LoadBalancer``, ``ExternalName``.
    type: str
    selector: dict[str, str]
    where: Where
    #: Where ``spec.type`` is written (the object when it is not).
    type_where: Where
    #: Names of the workloads it selects.
    targets: tuple[str, ...] = ()


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
