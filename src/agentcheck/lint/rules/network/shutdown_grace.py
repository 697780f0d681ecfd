"""AC407: the platform kills the agent before it can finish or hand over its runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import Server, Where, Workload, deployment
from agentcheck.deployment.proxies import parse_duration
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.network._common import AGENT_SERVER_GRACE, seconds

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["ShutdownGraceTooShort"]

#: Kubernetes' ``terminationGracePeriodSeconds`` and compose's ``stop_grace_period`` defaults.
_DEFAULT_GRACE = {"kubernetes": 30.0, "compose": 10.0}
_GRACE_ENV = "BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS"
#: Workloads whose grace the platform fixes (Cloud Run, Knative) or that serve no requests.
_NOT_SERVING = frozenset({"KnativeService", "Job", "CronJob"})


class ShutdownGraceTooShort(Rule):
    """The platform kills the agent before its runs can finish.

    What it does
    ------------
    For each production workload that runs the agent, compares the time the platform waits
    between SIGTERM and SIGKILL (Kubernetes ``terminationGracePeriodSeconds``, 30 s by default;
    compose ``stop_grace_period``, 10 s by default) with the time the server needs: Agent
    Server drains runs for ``BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS`` (180 s by default); Aegra and
    custom servers need the run budget (``[tool.agentcheck] run-budget``, 300 s by default).

    Why is this bad?
    ----------------
    Every deploy, scale-in and node drain sends SIGTERM. A server that is killed before its
    grace period ends loses the runs in flight: they are cut mid-stream, and a server that
    would have re-queued or finished them never gets to.

    Example
    -------
    ```yaml
    spec:
      template:
        spec:
          containers:
            - name: agent
              image: registry.example.com/agent:1.4.2
    ```

    Use instead
    -----------
    ```yaml
    spec:
      template:
        spec:
          terminationGracePeriodSeconds: 190
          containers:
            - name: agent
              image: registry.example.com/agent:1.4.2
    ```
    """

    code = "AC407"
    name = "shutdown-grace-too-short"
    severity = Severity.WARNING
    production_dependent = True
    message = "The platform kills the agent before its runs can finish."
    fix = "Give the agent a shutdown grace period at least as long as its runs."

    def check(self, project: Project) -> Iterator[Finding]:
        budget = project.config.run_budget
        for workload in deployment(project).workloads:
            if not workload.production or workload.role != "agent":
                continue
            if workload.platform not in _DEFAULT_GRACE or workload.kind in _NOT_SERVING:
                continue
            needed, why = _needed(workload, workload.server, budget)
            grace = workload.grace_period
            explicit = grace is not None
            if grace is None:
                grace = _DEFAULT_GRACE[workload.platform]
            if grace >= needed:
                continue
            where = workload.grace_where if explicit else _add_at(workload)
            assert where is not None
            kubernetes = workload.platform == "kubernetes"
            setting = "terminationGracePeriodSeconds" if kubernetes else "stop_grace_period"
            how = f"its {setting}" if explicit else f"the default when {setting} is not set"
            suggestion = round(needed + 10)
            value = f"{suggestion}" if kubernetes else f"{suggestion}s"
            yield self.finding(
                where.path,
                where.line,
                where.column,
                message=(
                    f"{workload.name} is killed {seconds(grace)} after SIGTERM ({how}), before "
                    f"{why}: runs in flight are lost on every deploy."
                ),
                fix=f"Set `{setting}: {value}`.",
            )


def _needed(workload: Workload, server: Server | None, budget: float) -> tuple[float, str]:
    """How long the server needs after SIGTERM, and why (for the message)."""
    if server is not None and server.kind in ("agent-server", "langgraph-dev"):
        env = workload.main.env.get(_GRACE_ENV) if workload.main else None
        value = parse_duration(env.value) if env is not None and env.value else None
        if value is not None:
            return value, f"Agent Server drains its runs ({_GRACE_ENV}={value:g})"
        return AGENT_SERVER_GRACE, f"Agent Server drains its runs ({seconds(AGENT_SERVER_GRACE)})"
    return budget, f"a run can finish (the run budget, {seconds(budget)})"


def _add_at(workload: Workload) -> Where:
    """Where the setting goes: the pod spec of a Kubernetes workload, the compose service."""
    return workload.pod_spec_where or workload.where
