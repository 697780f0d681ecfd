"""AC309: several Agent Server deployments on one Redis database without a key prefix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.state._common import DATABASE_VARS, agent_server_workloads, first

if TYPE_CHECKING:
    from agentcheck.deployment.model import EnvValue, Workload
    from agentcheck.project import Project

__all__ = ["SharedRedisWithoutPrefix"]


def redis_target(value: EnvValue) -> str | None:
    """A comparable identity of the Redis database a ``REDIS_URI`` names, or None if unknown.

    Literal URLs compare by host, port and database number (``redis://r:6379`` and
    ``redis://r:6379/0`` are the same database); values from a Secret or ConfigMap compare by
    the key they come from.
    """
    if value.value is None or value.interpolated:
        return value.ref
    try:
        parts = urlsplit(value.value.strip())
        port = parts.port or 6379
    except ValueError:
        return None
    if not parts.hostname:
        return None
    db = parts.path.strip("/") or "0"
    return f"{parts.scheme}://{parts.hostname.lower()}:{port}/{db}"


def _identity(value: EnvValue | None, w: Workload) -> str:
    """What tells two deployments apart: their database, else their image."""
    if value is not None:
        return value.ref or value.value or w.name
    image = w.main.image if w.main else None
    return image or w.name


class SharedRedisWithoutPrefix(Rule):
    """Several Agent Server deployments on one Redis database without ``REDIS_KEY_PREFIX``.

    What it does
    ------------
    Groups the production Agent Server workloads by the Redis database their ``REDIS_URI``
    names (same host, port and database number, or the same Secret key). Workloads of one
    deployment (same ``DATABASE_URI``, e.g. an API and a queue-worker Deployment) may share
    it; when workloads of different deployments do, each must set a distinct
    ``REDIS_KEY_PREFIX``.

    Why is this bad?
    ----------------
    Agent Server keeps its run queue, stream buffers and cancellation signals in Redis under
    fixed key names. Two deployments on one Redis database read each other's signals: runs are
    picked up, streamed or cancelled by the wrong deployment.

    Example
    -------
    Two compose services, ``support-agent`` and ``billing-agent``, both with
    ``REDIS_URI=redis://redis:6379/0`` and different ``DATABASE_URI``.

    Use instead
    -----------
    ```yaml
    - REDIS_KEY_PREFIX=support
    ```
    (``billing`` in the other one), or a Redis database number per deployment
    (``redis://redis:6379/1``).
    """

    code = "AC309"
    name = "shared-redis-without-prefix"
    severity = Severity.WARNING
    message = "Several deployments share one Redis database without REDIS_KEY_PREFIX."
    fix = "Give each deployment its own REDIS_KEY_PREFIX or Redis database number."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        groups: dict[str, list[tuple[Workload, EnvValue, dict[str, EnvValue]]]] = {}
        for w in agent_server_workloads(dep):
            env = dep.env_of(w)
            redis = env.get("REDIS_URI")
            target = redis_target(redis) if redis is not None else None
            if redis is not None and target is not None:
                groups.setdefault(target, []).append((w, redis, env))
        for members in groups.values():
            deployments = {_identity(first(env, *DATABASE_VARS), w) for w, _, env in members}
            if len(deployments) < 2:
                continue
            prefixes: dict[str, int] = {}
            for _, _, env in members:
                prefix = env.get("REDIS_KEY_PREFIX")
                key = prefix.value if prefix is not None and prefix.value else ""
                prefixes[key] = prefixes.get(key, 0) + 1
            others = ", ".join(sorted(w.name for w, _, _ in members))
            for w, redis, env in members:
                prefix = env.get("REDIS_KEY_PREFIX")
                key = prefix.value if prefix is not None and prefix.value else ""
                if key and prefixes[key] == 1:
                    continue
                what = (
                    "without REDIS_KEY_PREFIX"
                    if not key
                    else f"with the same REDIS_KEY_PREFIX={key!r} as another"
                )
                yield self.finding(
                    redis.where.path,
                    redis.where.line,
                    redis.where.column,
                    message=(
                        f"{w.name} shares its Redis database with other deployments ({others}) "
                        f"{what}: their queues and cancellation signals collide."
                    ),
                    fix=(
                        f"Set REDIS_KEY_PREFIX={w.name} (unique per deployment) next to "
                        "REDIS_URI, or point it at its own Redis database number."
                    ),
                )
