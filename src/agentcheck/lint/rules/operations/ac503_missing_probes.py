"""AC503 missing-probes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import Probe, Workload, deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import (
    health_paths,
    normalize_path,
    preferred_health_path,
    probe_path,
    production_agent_workloads,
    server_kind,
    workload_ignores,
)

if TYPE_CHECKING:
    from agentcheck.deployment import Deployment
    from agentcheck.project import Project

__all__ = ["MissingProbes"]

#: Workload kinds whose pods serve traffic for a long time (Jobs and Knative are not probed
#: this way).
PROBED_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Rollout"}
)
_SERVER = {"agent-server": "Agent Server", "langgraph-dev": "langgraph dev", "aegra": "Aegra"}


class MissingProbes(Rule):
    """The agent server has no health checks, or checks the wrong path.

    What it does
    ------------
    Reports a production Kubernetes workload running the agent whose container has no
    ``readinessProbe`` or no ``livenessProbe``, a compose agent service without a
    ``healthcheck`` (neither in the compose file nor as a ``HEALTHCHECK`` in the Dockerfile of
    its image), and probes that request a path the server does not serve as a health check:
    langgraph-api (Agent Server) answers on ``/ok``; Aegra on ``/health``, ``/ready`` and
    ``/live``. Custom servers may use any path. A Kubernetes object can opt out with the
    annotation ``agentcheck.io/ignore: AC503`` (for example when probes are injected by an
    admission webhook).

    Why is this bad?
    ----------------
    Without a readiness probe, a rolling update sends traffic to replicas that are still
    loading graphs and running migrations; without a liveness probe, a wedged server is never
    restarted. A probe on a path the server does not serve fails forever: the pod never
    becomes ready and the rollout stalls, or the kubelet restarts it in a loop.

    Example
    -------
    ```yaml
    containers:
      - name: agent
        image: registry.example.com/agent:1.4.2
    ```

    Use instead
    -----------
    ```yaml
    containers:
      - name: agent
        image: registry.example.com/agent:1.4.2
        readinessProbe:
          httpGet: {path: /ok, port: 8000}
        livenessProbe:
          httpGet: {path: /ok, port: 8000}
    ```
    """

    code = "AC503"
    name = "missing-probes"
    severity = Severity.WARNING
    production_dependent = True
    message = "The agent server has no readiness and liveness probes."
    fix = "Add readinessProbe and livenessProbe with httpGet on the server's health path (/ok)."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        for w in production_agent_workloads(dep):
            if w.main is None or workload_ignores(w, self):
                continue
            if w.platform == "kubernetes" and w.kind in PROBED_KINDS:
                yield from self._kubernetes(project, w)
            elif w.platform == "compose":
                yield from self._compose(project, dep, w)

    def _kubernetes(self, project: Project, w: Workload) -> Iterator[Finding]:
        c = w.main
        assert c is not None
        kind = server_kind(w)
        port = next((p.container for p in c.ports if p.container), 8000)
        missing = [k for k in ("readiness", "liveness") if k not in c.probes]
        if missing:
            names = " and ".join(f"{k}Probe" for k in missing)
            said = "neither readinessProbe nor livenessProbe" if len(missing) == 2 else names
            paths = " and ".join(
                f"`{k}Probe: {{httpGet: {{path: {preferred_health_path(kind, k)}, port: {port}}}}}`"
                for k in missing
            )
            yield self.finding(
                c.where.path,
                c.where.line,
                c.where.column,
                message=f"Container {c.name} of {w.kind} {w.name} has {said}: rollouts "
                "route traffic to replicas that are not ready and hung replicas are never "
                "restarted.",
                fix=f"Add {paths} to container {c.name}.",
            )
        for key in ("readiness", "liveness"):
            probe = c.probes.get(key)
            if probe is not None:
                yield from self._wrong_path(w, probe)

    def _compose(self, project: Project, dep: Deployment, w: Workload) -> Iterator[Finding]:
        c = w.main
        assert c is not None
        probe = c.probes.get("healthcheck")
        example = preferred_health_path(server_kind(w), "healthcheck")
        port = next((p.container for p in c.ports if p.container), 8000)
        test = (
            f'["CMD", "python", "-c", "import urllib.request; '
            f"urllib.request.urlopen('http://localhost:{port}{example}')\"]"
        )
        if probe is None:
            dockerfile = c.dockerfile or (w.server.dockerfile if w.server else None)
            info = dep.dockerfiles.get(dockerfile) if dockerfile else None
            if info is not None and info.healthcheck is not None:
                return
            yield self.finding(
                w.where.path,
                w.where.line,
                w.where.column,
                message=f"Compose service {w.name} runs the agent without a healthcheck: "
                "`depends_on: condition: service_healthy` and restarts cannot tell a hung "
                "server from a healthy one.",
                fix=f"Add `healthcheck: {{test: {test}, interval: 10s, retries: 5}}` to "
                f"service {w.name}.",
            )
            return
        if probe.disabled:
            yield self.finding(
                probe.where.path,
                probe.where.line,
                probe.where.column,
                message=f"Compose service {w.name} disables its healthcheck.",
                fix=f"Replace it with `test: {test}`.",
            )
            return
        yield from self._wrong_path(w, probe)

    def _wrong_path(self, w: Workload, probe: Probe) -> Iterator[Finding]:
        kind = server_kind(w)
        good = health_paths(kind)
        path = probe_path(probe)
        if good is None or path is None or normalize_path(path) in good:
            return
        # At the path of an httpGet probe or the test of a healthcheck, else the probe.
        written = probe.kind == "healthcheck" or probe.http_path is not None
        where = (probe.value_where if written else None) or probe.where
        shown = " or ".join(sorted(good))
        label = f"{probe.kind}Probe" if probe.kind != "healthcheck" else "healthcheck"
        yield self.finding(
            where.path,
            where.line,
            where.column,
            message=f"The {label} of {w.name} requests {normalize_path(path)}, which "
            f"{_SERVER.get(kind, 'the server')} does not serve: it answers health checks on "
            f"{shown}.",
            fix=f"Request {preferred_health_path(kind, probe.kind)} instead of "
            f"{normalize_path(path)}.",
        )
