"""AC507 single-replica."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import Where, Workload, deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import (
    production_agent_workloads,
    workload_ignores,
)

if TYPE_CHECKING:
    from agentcheck.deployment import Deployment
    from agentcheck.project import Project

__all__ = ["SingleReplica"]

REPLICATED_KINDS = frozenset(
    {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Rollout"}
)


class SingleReplica(Rule):
    """Production runs a single replica of the agent.

    What it does
    ------------
    Reports a production Kubernetes Deployment (StatefulSet, Argo Rollout ...) running the
    agent with ``replicas: 1`` or no ``replicas`` (Kubernetes defaults to 1), when no
    autoscaler (HorizontalPodAutoscaler, KEDA ScaledObject) targets it and no
    PodDisruptionBudget selects its pods. Compose is not checked.

    Why is this bad?
    ----------------
    With one replica, every rollout, node drain and crash is an outage, and the runs in
    flight are interrupted. The deployment guide scales horizontally over a shared
    checkpointer precisely so that one instance can go away while the others serve.

    Example
    -------
    ```yaml
    kind: Deployment
    spec:
      replicas: 1
    ```

    Use instead
    -----------
    ```yaml
    kind: Deployment
    spec:
      replicas: 2
    ```
    """

    code = "AC507"
    name = "single-replica"
    severity = Severity.INFO
    production_dependent = True
    message = "Production runs one replica with no autoscaler and no disruption budget."
    fix = "Run at least 2 replicas, or add a HorizontalPodAutoscaler and a PodDisruptionBudget."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        for w in production_agent_workloads(dep, "kubernetes"):
            if w.kind not in REPLICATED_KINDS or workload_ignores(w, self):
                continue
            if w.replicas is not None and w.replicas != 1:
                continue  # 0 is scale-to-zero (AC310); more is what we want
            if _autoscaled(dep, w) or _budgeted(dep, w):
                continue
            where = w.replicas_where if w.replicas is not None else _spec_key(project, w)
            where = where or w.where
            said = "replicas: 1" if w.replicas is not None else "no replicas (defaults to 1)"
            yield self.finding(
                where.path,
                where.line,
                where.column,
                message=f"{w.kind} {w.name} runs {said}, with no autoscaler and no "
                "PodDisruptionBudget: every rollout, drain or crash interrupts all runs.",
                fix="Set `spec.replicas: 2` (or more), or add a HorizontalPodAutoscaler with "
                f"`maxReplicas: 2` or more targeting {w.kind} {w.name} and a "
                "PodDisruptionBudget with `minAvailable: 1`.",
            )


def _autoscaled(dep: Deployment, w: Workload) -> bool:
    for scaler in dep.autoscalers:
        if scaler.target is None or scaler.target[1] != w.name:
            continue
        if scaler.target[0] and scaler.target[0] != w.kind:
            continue
        if scaler.max_replicas is None or scaler.max_replicas > 1:
            return True
    return False


def _budgeted(dep: Deployment, w: Workload) -> bool:
    labels = w.pod_labels or w.labels
    return any(
        pdb.selector and all(labels.get(k) == v for k, v in pdb.selector.items())
        for pdb in dep.disruption_budgets
    )


def _spec_key(project: Project, w: Workload) -> Where | None:
    return w.spec_where
