"""Databases in compose and Kubernetes manifests: their credentials and their exposure (AC207).

A database is recognised by its image (PostgreSQL and its extensions' images, MySQL, MariaDB,
MongoDB, Redis and Valkey, official and Bitnami). Its credentials are judged from the
variables and arguments the images document; a value taken from elsewhere (``${VAR}``,
``valueFrom``, an ``env_file``) is assumed strong. Every database of a production manifest
published on all interfaces is an exposure, whatever its credentials (a database reachable from
anywhere); weak credentials are named in it. Exposure means published on all interfaces:
a compose port without a host address or with ``0.0.0.0``/``::``, ``network_mode: host``, a
Kubernetes ``hostPort``/``hostNetwork``, or a LoadBalancer or NodePort Service selecting the
database's pods. Loopback bindings (``127.0.0.1:5432:5432``) are not exposure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentcheck.deployment import Where, deployment
from agentcheck.secrets import compose_default, is_trivial_password

if TYPE_CHECKING:
    from agentcheck.deployment import Deployment, Workload
    from agentcheck.project import Project

__all__ = ["Engine", "Exposure", "exposures"]


@dataclass(frozen=True)
class Engine:
    """A database engine and its default port."""

    name: str
    port: int


POSTGRES = Engine("PostgreSQL", 5432)
MYSQL = Engine("MySQL", 3306)
MONGO = Engine("MongoDB", 27017)
REDIS = Engine("Redis", 6379)

_IMAGES: tuple[tuple[re.Pattern[str], Engine], ...] = (
    (re.compile(r"(?:^|/)(?:postgres|postgresql|postgis|timescaledb(?:-ha)?|pgvector)$"), POSTGRES),
    (re.compile(r"(?:^|/)(?:mysql|mariadb|percona(?:-server)?)$"), MYSQL),
    (re.compile(r"(?:^|/)(?:mongo|mongodb|mongodb-community-server)$"), MONGO),
    (re.compile(r"(?:^|/)(?:redis|redis-stack|redis-stack-server|valkey|keydb)$"), REDIS),
)
_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class Exposure:
    """A database published on all interfaces, and how its credentials are weak (if they are)."""

    where: Where
    engine: Engine
    service: str
    how: str
    #: How its credentials are weak; None when they come from elsewhere or are not trivial.
    weakness: str | None
    #: Codes the database workload's ``agentcheck.io/ignore`` annotation suppresses (the
    #: runner applies the annotation of the object a finding is in, here maybe a Service).
    ignores: frozenset[str] = frozenset()


def engine_of(image: Any) -> Engine | None:
    """The database engine an image reference runs, or None."""
    if not isinstance(image, str) or not image:
        return None
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    name = name.lower()
    for pattern, engine in _IMAGES:
        if pattern.search(name):
            return engine
    return None


def _literal(value: Any) -> str | None:
    """A literal value, or None when it comes from elsewhere (``${VAR}`` without default)."""
    if value is None or isinstance(value, Mapping | list):
        return None
    text = compose_default(str(value))
    if text is None or "$" in text:
        return None
    return text


def _weak(password: str | None, user: str | None = None) -> bool:
    return password is not None and (is_trivial_password(password) or password == user)


def _flag(args: list[str], flag: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def weakness(engine: Engine, env: Mapping[str, Any], args: list[str]) -> str | None:
    """How ``engine``'s credentials are weak given its environment and arguments, or None.

    A name present with a value from elsewhere counts as strong; a name absent means the
    image's default.
    """

    def get(*names: str) -> tuple[bool, str | None]:
        for n in names:
            if n in env:
                return True, _literal(env[n])
        return False, None

    if engine is POSTGRES:
        present, method = get("POSTGRES_HOST_AUTH_METHOD")
        if present and method and method.lower() == "trust":
            return "no authentication (POSTGRES_HOST_AUTH_METHOD=trust)"
        present, empty = get("ALLOW_EMPTY_PASSWORD")
        if present and empty and empty.lower() in _TRUE:
            return "an empty password (ALLOW_EMPTY_PASSWORD)"
        _, user = get("POSTGRES_USER", "POSTGRESQL_USERNAME")
        present, password = get("POSTGRES_PASSWORD", "POSTGRESQL_PASSWORD")
        if present and _weak(password, user or "postgres"):
            return "a default or trivial password (POSTGRES_PASSWORD)"
    elif engine is MYSQL:
        for var in (
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD",
            "ALLOW_EMPTY_PASSWORD",
        ):
            present, value = get(var)
            if present and value and value.lower() in _TRUE:
                return f"an empty root password ({var})"
        for var, user_var in (
            ("MYSQL_ROOT_PASSWORD", ""),
            ("MARIADB_ROOT_PASSWORD", ""),
            ("MYSQL_PASSWORD", "MYSQL_USER"),
            ("MARIADB_PASSWORD", "MARIADB_USER"),
        ):
            present, password = get(var)
            _, user = get(user_var) if user_var else (False, "root")
            if present and _weak(password, user):
                return f"a default or trivial password ({var})"
    elif engine is MONGO:
        has_user, _ = get(
            "MONGO_INITDB_ROOT_USERNAME", "MONGODB_ROOT_USER", "MONGODB_ROOT_PASSWORD"
        )
        if not has_user and "--auth" not in args:
            return "no authentication (MongoDB starts without MONGO_INITDB_ROOT_USERNAME)"
        _, user = get("MONGO_INITDB_ROOT_USERNAME")
        present, password = get("MONGO_INITDB_ROOT_PASSWORD", "MONGODB_ROOT_PASSWORD")
        if present and _weak(password, user):
            return "a default or trivial password (MONGO_INITDB_ROOT_PASSWORD)"
    elif engine is REDIS:
        present, empty = get("ALLOW_EMPTY_PASSWORD")
        if present and empty and empty.lower() in _TRUE:
            return "no password (ALLOW_EMPTY_PASSWORD)"
        redis_args = list(args)
        extra = env.get("REDIS_ARGS")
        if isinstance(extra, str):
            redis_args += extra.split()
        if "--requirepass" in redis_args or any(a.startswith("--requirepass=") for a in redis_args):
            password = _literal(_flag(redis_args, "--requirepass"))
            return "a trivial password (--requirepass)" if _weak(password) else None
        present, password = get("REDIS_PASSWORD")
        if present:
            return "a trivial password (REDIS_PASSWORD)" if _weak(password) else None
        if any(a.endswith(".conf") for a in redis_args):
            return None  # a config file of its own may set requirepass
        return "no password (Redis without --requirepass)"
    return None


def _judged(workload: Workload) -> tuple[Engine, str | None] | None:
    """The engine a workload runs and how its credentials are weak (None when they are not);
    None when it runs no database."""
    c = workload.main
    engine = engine_of(c.image) if c is not None else None
    if c is None or engine is None:
        return None
    # What the manifest itself writes; an env file or a secret is assumed strong.
    env = {
        name: value.value if value.value is not None else "${FROM_ELSEWHERE}"
        for name, value in c.env.items()
        if value.source in ("compose", "k8s")
    }
    env.update({name: "${FROM_ELSEWHERE}" for name, value in c.env.items() if name not in env})
    return engine, weakness(engine, env, list(c.argv))


def _label(workload: Workload) -> str:
    if workload.platform == "compose":
        return workload.name
    return f"{workload.kind} `{workload.name or '?'}`"


def exposures(project: Project) -> Iterator[Exposure]:
    """Databases of production manifests published on all interfaces."""
    dep = deployment(project)
    databases: dict[str, tuple[Workload, Engine, str | None]] = {}
    for workload in dep.workloads:
        if not workload.production:
            continue
        judged = _judged(workload)
        if judged is None:
            continue
        engine, weak = judged
        label = _label(workload)
        if workload.host_network is not None:
            yield Exposure(
                workload.host_network, engine, label, "uses the host network", weak,
                workload.ignores,
            )  # fmt: skip
            continue
        if workload.platform == "kubernetes":
            databases.setdefault(workload.name, (workload, engine, weak))
        yield from _published(workload, engine, weak, label)
    yield from _services(dep, databases)


def _published(
    workload: Workload, engine: Engine, weak: str | None, label: str
) -> Iterator[Exposure]:
    c = workload.main
    for port in c.ports if c is not None else ():
        if workload.platform == "compose":
            # A container port compose cannot fill here (``${DB_PORT}`` set by nothing in the
            # project) is still the database's: its image listens on nothing else.
            if (port.serves(engine.port) or port.container is None) and port.on_all_interfaces:
                shown = engine.port if port.container is not None else port.published
                how = f"publishes port {shown} on all interfaces"
                yield Exposure(port.where, engine, label, how, weak, workload.ignores)
                return
        elif port.host_where is not None and port.on_all_interfaces:
            how = f"binds hostPort {port.published} on every node"
            yield Exposure(port.host_where, engine, label, how, weak, workload.ignores)
            return


def _services(
    dep: Deployment, databases: dict[str, tuple[Workload, Engine, str | None]]
) -> Iterator[Exposure]:
    for service in dep.k8s_services:
        if service.type not in ("LoadBalancer", "NodePort"):
            continue
        for target in service.targets:
            if target not in databases:
                continue
            workload, engine, weakness_ = databases[target]
            how = f"is exposed by {service.type} Service `{service.name or '?'}`"
            yield Exposure(
                service.type_where, engine, _label(workload), how, weakness_, workload.ignores
            )
