"""AC310: the agent runs on a target that scales to zero."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.deployment.model import Autoscaler
    from agentcheck.project import Project

__all__ = ["ScaleToZero"]


class ScaleToZero(Rule):
    """The agent runs on a serverless or scale-to-zero target.

    What it does
    ------------
    Reports autoscalers of the agent's production workloads whose minimum is zero: a KEDA
    ``ScaledObject`` (``minReplicaCount`` defaults to 0), a Knative or Cloud Run service
    (``autoscaling.knative.dev/min-scale`` defaults to 0), an HPA with ``minReplicas: 0``.

    Why is this bad?
    ----------------
    Background runs, crons and queued runs live in the server's queue; scaling to zero stops
    every worker between requests, so a run created with ``POST /runs`` waits until the next
    request wakes an instance, and a run in progress is cut when the platform scales in
    after the last HTTP response. Streams reconnecting to a run find no instance holding it.

    Example
    -------
    ```yaml
    kind: ScaledObject
    spec:
      scaleTargetRef: {name: agent}
      minReplicaCount: 0
    ```

    Use instead
    -----------
    ```yaml
      minReplicaCount: 1
    ```
    """

    code = "AC310"
    name = "scale-to-zero"
    severity = Severity.WARNING
    production_dependent = True
    message = "The agent scales to zero: queued and background runs stop."
    fix = "Keep at least one instance running (minimum replicas or min-scale of 1)."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        agents = {w.name for w in dep.agent_workloads if w.production}
        for scaler in dep.autoscalers:
            if not scaler.production or scaler.min_replicas != 0 or scaler.target is None:
                continue
            if scaler.target[1] not in agents:
                continue
            at = scaler.min_where or scaler.where
            yield self.finding(
                at.path,
                at.line,
                at.column,
                message=(
                    f"{scaler.kind} {scaler.name} lets {scaler.target[1]} scale to zero"
                    f"{_default(scaler)}: queued and background runs wait for the next request, "
                    "and runs in progress are cut when it scales in."
                ),
                fix=_fix(scaler),
            )


def _default(scaler: Autoscaler) -> str:
    if not scaler.min_is_default:
        return ""
    if scaler.kind == "KEDA ScaledObject":
        return " (minReplicaCount defaults to 0)"
    return " (min-scale defaults to 0)"


def _fix(scaler: Autoscaler) -> str:
    if scaler.kind == "KEDA ScaledObject":
        return "Set `minReplicaCount: 1` (or more) in the ScaledObject's spec."
    if scaler.kind in ("Knative", "Cloud Run"):
        return 'Set the annotation `autoscaling.knative.dev/min-scale: "1"` on spec.template' + (
            " (Cloud Run: min instances 1)." if scaler.kind == "Cloud Run" else "."
        )
    return "Set `minReplicas: 1` (or more) in the HorizontalPodAutoscaler."
