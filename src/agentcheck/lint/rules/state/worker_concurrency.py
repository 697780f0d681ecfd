"""AC308: ``N_JOBS_PER_WORKER`` of 0 with no queue workers, or 1 in production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.state._common import agent_server_workloads

if TYPE_CHECKING:
    from agentcheck.deployment.model import EnvValue, Where
    from agentcheck.project import Project

__all__ = ["WorkerConcurrency"]

_VAR = "N_JOBS_PER_WORKER"


def _int(value: EnvValue | None) -> int | None:
    if value is None or value.value is None or value.interpolated:
        return None
    try:
        return int(value.value.strip().strip("\"'"))
    except ValueError:
        return None


class WorkerConcurrency(Rule):
    """``N_JOBS_PER_WORKER`` of 0 with no queue workers, or 1 in production.

    What it does
    ------------
    Reads ``N_JOBS_PER_WORKER`` in the production environment of Agent Server workloads (and
    the ENV of Agent Server Dockerfiles) and reports ``0`` when no other Agent Server workload
    runs jobs (``0`` makes an API-only replica: something else must run the queue), and ``1``.

    Why is this bad?
    ----------------
    With ``0`` and no queue workers, runs are accepted and wait forever in ``pending``. With
    ``1``, each replica runs one run at a time: a long run blocks every other user's run
    behind it, and streams start only when the previous run ends (the default is 10).

    Example
    -------
    ```yaml
    - name: N_JOBS_PER_WORKER
      value: "1"
    ```

    Use instead
    -----------
    ```yaml
    - name: N_JOBS_PER_WORKER
      value: "10"
    ```
    """

    code = "AC308"
    name = "worker-concurrency"
    severity = Severity.WARNING
    production_dependent = True
    message = "N_JOBS_PER_WORKER leaves runs waiting."
    fix = "Set N_JOBS_PER_WORKER to 10 (the default) or more, or remove it."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        workloads = agent_server_workloads(dep)
        values = {w.name: dep.env_of(w).get(_VAR) for w in workloads}
        runs_jobs = any(_int(v) != 0 for v in values.values())
        seen: set[Where] = set()
        candidates: list[tuple[str, EnvValue]] = [
            (f"workload {name}", value) for name, value in values.items() if value is not None
        ]
        for rel, info in dep.dockerfiles.items():
            server = next((s for s in dep.servers if s.dockerfile == rel), None)
            if info.production and server is not None and server.is_agent_server:
                value = info.env.get(_VAR)
                if value is not None:
                    candidates.append((f"image {rel}", value))
                    runs_jobs = runs_jobs or (not workloads and _int(value) != 0)
        for who, value in candidates:
            jobs = _int(value)
            if value.where in seen or jobs not in (0, 1):
                continue
            if jobs == 0 and runs_jobs:
                continue
            seen.add(value.where)
            if jobs == 0:
                message = (
                    f"{_VAR}=0 in {who} makes an API-only server, and no Agent Server workload "
                    "runs the queue: runs stay pending forever."
                )
                fix = (
                    f"Set {_VAR} to 10 here, or deploy queue workers (the same image with "
                    f"{_VAR} above 0)."
                )
            else:
                message = (
                    f"{_VAR}=1 in {who}: each replica runs one run at a time, so one long run "
                    "blocks every other run on it."
                )
                fix = f"Set {_VAR} to 10 (the default) or more."
            yield self.finding(
                value.where.path, value.where.line, value.where.column, message=message, fix=fix
            )
