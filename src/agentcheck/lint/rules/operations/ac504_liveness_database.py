"""AC504 liveness-checks-database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import (
    is_db_checking_path,
    preferred_health_path,
    probe_path,
    production_agent_workloads,
    server_kind,
    workload_ignores,
)

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["LivenessChecksDatabase"]


class LivenessChecksDatabase(Rule):
    """The liveness probe queries the database.

    What it does
    ------------
    Reports a Kubernetes ``livenessProbe`` of the agent server on a health endpoint that
    queries the database: langgraph-api's ``/ok?check_db=1``, Aegra's ``/health`` and
    ``/ready`` (both run ``SELECT 1`` and touch the checkpointer). Readiness probes may check
    the database; liveness probes should not.

    Why is this bad?
    ----------------
    Liveness failures restart the container. When the database blips (a failover, a
    maintenance restart, a full connection pool), every replica fails its liveness probe at
    once and the kubelet restarts all of them, cancelling every in-flight run, exactly when
    the system is already degraded. Readiness failures only take replicas out of the load
    balancer until the database is back.

    Example
    -------
    ```yaml
    livenessProbe:
      httpGet: {path: "/ok?check_db=1", port: 8000}
    ```

    Use instead
    -----------
    ```yaml
    readinessProbe:
      httpGet: {path: "/ok?check_db=1", port: 8000}
    livenessProbe:
      httpGet: {path: /ok, port: 8000}
    ```
    """

    code = "AC504"
    name = "liveness-checks-database"
    severity = Severity.WARNING
    message = "The liveness probe queries the database: a database blip restarts every replica."
    fix = "Point livenessProbe at /ok (no check_db); check the database in readinessProbe only."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        for w in production_agent_workloads(dep, "kubernetes"):
            if w.main is None or workload_ignores(w, self):
                continue
            probe = w.main.probes.get("liveness")
            path = probe_path(probe) if probe is not None else None
            if probe is None or path is None:
                continue
            kind = server_kind(w)
            if not is_db_checking_path(kind, path):
                continue
            where = probe.value_where or probe.where
            safe = preferred_health_path(kind, "liveness")
            yield self.finding(
                where.path,
                where.line,
                where.column,
                message=f"The livenessProbe of {w.kind} {w.name} requests {path.strip()}, "
                "which queries the database: a database outage restarts every replica and "
                "cancels their runs.",
                fix=f"Set the livenessProbe path to {safe} and keep {path.strip()} for "
                "readinessProbe.",
            )
