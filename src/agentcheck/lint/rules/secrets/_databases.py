"""Databases in compose and Kubernetes manifests: their credentials and their exposure (AC207).

A database is recognised by its image (PostgreSQL and its extensions' images, MySQL, MariaDB,
MongoDB, Redis and Valkey, official and Bitnami). Its credentials are judged from the
variables and arguments the images document; a value taken from elsewhere (``${VAR}``,
``valueFrom``, an ``env_file``) is assumed strong. Exposure means published on all interfaces:
a compose port without a host address or with ``0.0.0.0``/``::``, ``network_mode: host``, a
Kubernetes ``hostPort``/``hostNetwork``, or a LoadBalancer or NodePort Service selecting the
database's pods. Loopback bindings (``127.0.0.1:5432:5432``) are not exposure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentcheck.lint.rules.secrets._common import k8s_ignores
from agentcheck.lint.rules.secrets._manifests import POD_SPEC_PATHS, containers, get_path
from agentcheck.secrets import compose_default, is_trivial_password

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["Engine", "Exposure", "compose_exposures", "k8s_exposures"]


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
_LOOPBACK = re.compile(r"^(?:127\.\d+\.\d+\.\d+|::1|localhost)$")


@dataclass(frozen=True)
class Exposure:
    """A database published on all interfaces with weak or no credentials."""

    path: str
    line: int
    column: int
    engine: Engine
    service: str
    how: str
    weakness: str


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


def _args(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def _env_map(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    out: dict[str, Any] = {}
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                key, sep, val = item.partition("=")
                out[key.strip()] = val if sep else None
    return out


def _port_all_interfaces(entry: Any, port: int) -> bool:
    """Whether a compose ``ports`` entry publishes ``port`` on all interfaces."""
    if isinstance(entry, Mapping):
        host = str(entry.get("host_ip") or "")
        target = entry.get("target")
        return _container_port_is(str(target), port) and not _LOOPBACK.match(host)
    if isinstance(entry, int):
        return entry == port
    if not isinstance(entry, str):
        return False
    spec = entry.strip().split("/", 1)[0]
    host = ""
    if spec.startswith("["):
        host, _, spec = spec[1:].partition("]")
        spec = spec.lstrip(":")
    else:
        parts = spec.split(":")
        if len(parts) == 3:
            host, spec = parts[0], ":".join(parts[1:])
    container = spec.rsplit(":", 1)[-1]
    return _container_port_is(container, port) and not _LOOPBACK.match(host)


def _container_port_is(text: str, port: int) -> bool:
    low, _, high = text.partition("-")
    try:
        return int(low) <= port <= int(high or low)
    except ValueError:
        return False


def compose_exposures(project: Project) -> Iterator[Exposure]:
    """Databases of production compose files, exposed with weak credentials."""
    for rel in project.compose_files:
        if not project.is_production(rel):
            continue
        for doc in project.yaml(rel):
            services = doc.data.get("services") if isinstance(doc.data, Mapping) else None
            if not isinstance(services, Mapping):
                continue
            for name, service in services.items():
                if not isinstance(service, Mapping):
                    continue
                engine = engine_of(service.get("image"))
                if engine is None:
                    continue
                weak = weakness(
                    engine, _env_map(service.get("environment")), _args(service.get("command"))
                )
                if weak is None:
                    continue
                yield from _compose_service(rel, doc, str(name), service, engine, weak)


def _compose_service(
    rel: str, doc: Located, name: str, service: Mapping[str, Any], engine: Engine, weak: str
) -> Iterator[Exposure]:
    if service.get("network_mode") == "host":
        line, col = doc.loc("services", name, "network_mode")
        yield Exposure(rel, line, col, engine, name, "uses the host network", weak)
        return
    ports = service.get("ports")
    if not isinstance(ports, list):
        return
    for i, entry in enumerate(ports):
        if _port_all_interfaces(entry, engine.port):
            line, col = doc.loc("services", name, "ports", i)
            how = f"publishes port {engine.port} on all interfaces"
            yield Exposure(rel, line, col, engine, name, how, weak)
            return


@dataclass(frozen=True)
class _Workload:
    """A Kubernetes workload that runs a database engine."""

    path: str
    doc: Located
    kind: str
    name: str
    namespace: str
    labels: Mapping[str, Any]
    engine: Engine
    weak: str
    ignores: frozenset[str]


def _namespace(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    ns = meta.get("namespace") if isinstance(meta, Mapping) else None
    return str(ns) if ns else "default"


def k8s_exposures(project: Project) -> Iterator[tuple[Exposure, frozenset[str]]]:
    """Database workloads of production manifests, exposed with weak credentials, with the
    codes their ``agentcheck.io/ignore`` annotations suppress."""
    workloads: list[_Workload] = []
    for rel, doc in project.k8s_objects:
        obj = doc.data
        if not project.is_production(rel):
            continue
        for path, container in containers(obj):
            engine = engine_of(container.get("image"))
            if engine is None:
                continue
            items = container.get("env")
            env = {
                str(e["name"]): (e.get("value") if "valueFrom" not in e else "${FROM_SECRET}")
                for e in (items if isinstance(items, list) else [])
                if isinstance(e, Mapping) and isinstance(e.get("name"), str)
            }
            args = _args(container.get("command")) + _args(container.get("args"))
            weak = weakness(engine, env, args)
            if weak is None:
                continue
            kind, name = str(obj.get("kind")), str(get_path(obj, "metadata", "name") or "?")
            spec_path = POD_SPEC_PATHS[kind]
            ignores = k8s_ignores(obj)
            pod = get_path(obj, *spec_path)
            if isinstance(pod, Mapping) and pod.get("hostNetwork") is True:
                line, col = doc.loc(*spec_path, "hostNetwork")
                yield (
                    Exposure(
                        rel, line, col, engine, f"{kind} `{name}`", "uses the host network", weak
                    ),
                    ignores,
                )
                continue
            ports = container.get("ports")
            for i, port in enumerate(ports if isinstance(ports, list) else []):
                if (
                    isinstance(port, Mapping)
                    and port.get("hostPort")
                    and not _LOOPBACK.match(str(port.get("hostIP") or ""))
                ):
                    line, col = doc.loc(*path, "ports", i, "hostPort")
                    how = f"binds hostPort {port.get('hostPort')} on every node"
                    yield Exposure(rel, line, col, engine, f"{kind} `{name}`", how, weak), ignores
                    break
            meta_path = ("metadata",) if kind == "Pod" else (*spec_path[:-1], "metadata")
            labels = get_path(obj, *meta_path, "labels")
            if isinstance(labels, Mapping):
                workloads.append(
                    _Workload(rel, doc, kind, name, _namespace(obj), labels, engine, weak, ignores)
                )
    if workloads:
        yield from _services(project, workloads)


def _services(
    project: Project, workloads: list[_Workload]
) -> Iterator[tuple[Exposure, frozenset[str]]]:
    for rel, doc in project.k8s_objects:
        obj = doc.data
        if obj.get("kind") != "Service":
            continue
        spec = obj.get("spec")
        if not isinstance(spec, Mapping):
            continue
        kind = spec.get("type")
        selector = spec.get("selector")
        if (
            kind not in ("LoadBalancer", "NodePort")
            or not isinstance(selector, Mapping)
            or not selector
        ):
            continue
        for w in workloads:
            if w.namespace != _namespace(obj):
                continue
            if all(w.labels.get(k) == v for k, v in selector.items()):
                line, col = doc.loc("spec", "type")
                svc = get_path(obj, "metadata", "name") or "?"
                how = f"is exposed by {kind} Service `{svc}`"
                yield (
                    Exposure(rel, line, col, w.engine, f"{w.kind} `{w.name}`", how, w.weak),
                    w.ignores | k8s_ignores(obj),
                )
