"""AC303: a SQLite checkpointer while production runs more than one replica."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.state._common import self_hosted_files

if TYPE_CHECKING:
    from agentcheck.deployment.model import Replicas, Where
    from agentcheck.project import Project

__all__ = ["SqliteWithReplicas"]


class SqliteWithReplicas(Rule):
    """A SQLite checkpointer while production runs more than one replica.

    What it does
    ------------
    Reports ``SqliteSaver``/``AsyncSqliteSaver`` (and the SQLite stores) in code a self-hosted
    server runs, or named as langgraph.json's ``checkpointer.path`` factory, when the
    production manifests run more than one replica of the agent: k8s ``replicas``, an HPA's
    ``maxReplicas``, a KEDA ``maxReplicaCount``, compose ``deploy.replicas`` or ``scale``.

    Why is this bad?
    ----------------
    A SQLite file belongs to one machine. Each replica writes its own file (or several fight
    over one on a network volume, which SQLite's locking does not support): a thread created on
    one replica is missing on the next request's replica, and interrupted runs cannot resume
    elsewhere. The seed guide keeps SQLite for small single-instance production only.

    Example
    -------
    ```yaml
    spec:
      replicas: 4
    ```
    with ``AsyncSqliteSaver.from_conn_string("checkpoints.db")`` in the served code.

    Use instead
    -----------
    ```python
    AsyncPostgresSaver.from_conn_string(os.environ["DATABASE_URI"])
    ```
    or run a single replica.
    """

    code = "AC303"
    name = "sqlite-with-replicas"
    severity = Severity.ERROR
    production_dependent = True
    message = "A SQLite checkpointer cannot be shared by several replicas."
    fix = (
        "Use a checkpointer every replica shares (AsyncPostgresSaver from "
        "langgraph-checkpoint-postgres, or AsyncRedisSaver), or run one replica."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        replicas = dep.replicas
        if replicas.count <= 1:
            return
        said = f"{replicas.source}: {replicas.count}"
        if replicas.where is not None:
            said += f" at {replicas.where}"
        fix = _fix(replicas)
        served = self_hosted_files(project, dep)
        seen: set[Where] = set()
        for use in dep.savers:
            if use.kind != "sqlite" or use.where.path not in served or use.where in seen:
                continue
            seen.add(use.where)
            yield self.finding(
                use.where.path,
                use.where.line,
                use.where.column,
                message=(
                    f"`{use.cls}` keeps threads in a local SQLite file, but production runs "
                    f"{replicas.count} replicas ({said}): each replica sees different threads."
                ),
                fix=fix,
            )
        for config_where, info in dep.config_savers:
            where = info.origin or config_where
            if info.kind != "sqlite" or where in seen:
                continue
            seen.add(where)
            yield self.finding(
                where.path,
                where.line,
                where.column,
                message=(
                    f"The checkpointer factory named in {config_where.path} returns "
                    f"`{info.constructor}`, a local SQLite file, but production runs "
                    f"{replicas.count} replicas ({said})."
                ),
                fix=fix,
            )


def _fix(replicas: Replicas) -> str:
    one = "run a single replica"
    if replicas.where is not None:
        what = "maxReplicas: 1" if "max replicas" in replicas.source else "replicas: 1"
        one = f"run a single replica (`{what}` at {replicas.where})"
    return (
        "Use a checkpointer every replica shares (AsyncPostgresSaver.from_conn_string("
        f"DATABASE_URI) from langgraph-checkpoint-postgres, or AsyncRedisSaver), or {one}."
    )
