"""AC505 missing-resources."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import workload_ignores

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["MissingResources"]

REQUIRED = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")
#: Serverless kinds whose platform applies its own defaults.
_SKIPPED_KINDS = frozenset({"KnativeService"})
#: Suggested values for the agent server (the deployment guide's example) and for others.
_SUGGESTED_AGENT = {
    "requests.cpu": "250m",
    "requests.memory": "512Mi",
    "limits.cpu": '"1"',
    "limits.memory": "1Gi",
}
_SUGGESTED_OTHER = {
    "requests.cpu": "50m",
    "requests.memory": "64Mi",
    "limits.cpu": "200m",
    "limits.memory": "256Mi",
}


class MissingResources(Rule):
    """Containers without CPU and memory requests and limits.

    What it does
    ------------
    Reports containers of production Kubernetes workloads that do not set all four of
    ``resources.requests.cpu``, ``requests.memory``, ``limits.cpu`` and ``limits.memory``,
    unless a ``LimitRange`` in the same namespace supplies the missing ones as defaults.
    Compose is not checked: on one host, the seed's small-production setup, there is no
    scheduler to inform.

    Why is this bad?
    ----------------
    Without requests the scheduler packs pods onto nodes that cannot hold them and the pods
    are the first evicted under pressure (QoS class BestEffort); without a memory limit one
    run that loads a large document can take the node's memory and get every pod on it
    killed. Agent runs are long, so an eviction loses a lot of work.

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
        resources:
          requests: {cpu: 250m, memory: 512Mi}
          limits: {cpu: "1", memory: 1Gi}
    ```
    """

    code = "AC505"
    name = "missing-resources"
    severity = Severity.WARNING
    production_dependent = True
    message = "A container sets no CPU and memory requests and limits."
    fix = "Set resources.requests and resources.limits for cpu and memory."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        defaults = dep.limit_range_defaults
        for w in dep.workloads:
            if w.platform != "kubernetes" or not w.production or w.kind in _SKIPPED_KINDS:
                continue
            if workload_ignores(w, self):
                continue
            supplied = defaults.get(w.namespace or "", frozenset())
            for c in w.containers:
                present = _present(c.resources or {})
                missing = [key for key in REQUIRED if key not in present and key not in supplied]
                if not missing:
                    continue
                suggested = _SUGGESTED_AGENT if w.role == "agent" else _SUGGESTED_OTHER
                where = c.resources_where or c.where
                shown = ", ".join(f"resources.{key}" for key in missing)
                fix = ", ".join(f"`resources.{key}: {suggested[key]}`" for key in missing)
                yield self.finding(
                    where.path,
                    where.line,
                    where.column,
                    message=f"Container {c.name} of {w.kind} {w.name} sets no {shown}: the "
                    "scheduler cannot place it safely and it is evicted first under pressure.",
                    fix=f"Set {fix} (sized from measured usage) on container {c.name}.",
                )


def _present(resources: Mapping[str, Any]) -> set[str]:
    out = set()
    for section in ("requests", "limits"):
        block = resources.get(section)
        if isinstance(block, Mapping):
            for key in ("cpu", "memory"):
                if block.get(key) not in (None, ""):
                    out.add(f"{section}.{key}")
    return out
