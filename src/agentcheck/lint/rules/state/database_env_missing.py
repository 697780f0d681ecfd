"""AC306: an Agent Server deployment without DATABASE_URI or REDIS_URI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.state._common import (
    DATABASE_VARS,
    agent_server_workloads,
    env_opaque,
    first,
    where_of,
)

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["DatabaseEnvMissing"]

_WRONG_NAMES = ("DATABASE_URL", "POSTGRES_URL", "POSTGRESQL_URL", "PG_URI", "PG_URL")


class DatabaseEnvMissing(Rule):
    """An Agent Server deployment without ``DATABASE_URI`` or ``REDIS_URI``.

    What it does
    ------------
    For every production workload (k8s Deployment, StatefulSet ..., compose service) that
    runs an Agent Server image (built by ``langgraph build`` or ``FROM
    langchain/langgraph-api``), reads the environment it gets (``env``, ``envFrom`` Secrets and
    ConfigMaps found in the project, compose ``environment`` and ``env_file``, the Dockerfile's
    ``ENV``) and reports a missing ``DATABASE_URI`` (``POSTGRES_URI`` is accepted too) or
    ``REDIS_URI``, and ``DATABASE_URL`` written where ``DATABASE_URI`` is meant. It stays
    silent when the env comes from a Secret or ConfigMap it cannot see.

    Aegra and custom servers read other variables (Aegra: ``DATABASE_URL`` or ``POSTGRES_*``)
    and are not reported.

    Why is this bad?
    ----------------
    The Agent Server image keeps threads, runs and its task queue in Postgres and Redis; it
    does not start without ``DATABASE_URI`` and ``REDIS_URI``. ``DATABASE_URL``, the name in
    the seed guide's compose file, is not read by it.

    Example
    -------
    ```yaml
    environment:
      - DATABASE_URL=postgresql://agent:${PG_PASSWORD}@db:5432/agent
    ```

    Use instead
    -----------
    ```yaml
    environment:
      - DATABASE_URI=postgresql://agent:${PG_PASSWORD}@db:5432/agent
      - REDIS_URI=redis://redis:6379/0
    ```
    """

    code = "AC306"
    name = "database-env-missing"
    severity = Severity.ERROR
    production_dependent = True
    message = "An Agent Server deployment has no DATABASE_URI or REDIS_URI."
    fix = "Set DATABASE_URI (Postgres) and REDIS_URI (Redis) in the server's environment."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        for w in agent_server_workloads(dep):
            if env_opaque(w):
                continue
            env = dep.env_of(w)
            database = first(env, *DATABASE_VARS)
            redis = env.get("REDIS_URI")
            missing = [
                name
                for name, value in (("DATABASE_URI", database), ("REDIS_URI", redis))
                if value is None
            ]
            if not missing:
                continue
            wrong = first(env, *_WRONG_NAMES) if database is None else None
            and_redis = "; REDIS_URI is not set either" if redis is None else ""
            if wrong is not None:
                yield self.finding(
                    wrong.where.path,
                    wrong.where.line,
                    wrong.where.column,
                    message=(
                        f"{w.name} runs Agent Server, which reads DATABASE_URI (or "
                        f"POSTGRES_URI), not {wrong.name}{and_redis}: the server cannot start."
                    ),
                    fix=(
                        f"Rename {wrong.name} to DATABASE_URI"
                        + (" and add REDIS_URI (redis://host:6379/0)." if redis is None else ".")
                    ),
                )
                continue
            at = where_of(w)
            yield self.finding(
                at.path,
                at.line,
                at.column,
                message=(
                    f"{w.name} runs Agent Server ({w.server.reason if w.server else ''}) without "
                    f"{' or '.join(missing)}: the server cannot start."
                ),
                fix=_fix(missing),
            )


def _fix(missing: list[str]) -> str:
    parts = []
    if "DATABASE_URI" in missing:
        parts.append("DATABASE_URI=postgresql://user:password@host:5432/db (from a secret)")
    if "REDIS_URI" in missing:
        parts.append("REDIS_URI=redis://host:6379/0")
    return "Add " + " and ".join(parts) + " to the server's environment."
