"""The model's records of what runs: workloads (Kubernetes objects and compose services), their
containers with env, probes and ports, autoscalers, disruption budgets, how many replicas
production runs, what exposes a workload, and Kubernetes Services. ``model`` re-exports them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from agentcheck.deployment._base import Role, Server, Where
from agentcheck.deployment._file_model import UNSURE_PRODUCTION, Verdict

__all__ = [
    "Autoscaler",
    "Container",
    "DisruptionBudget",
    "EnvFileRef",
    "EnvFrom",
    "EnvValue",
    "Exposure",
    "K8sService",
    "Port",
    "Probe",
    "Replicas",
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
