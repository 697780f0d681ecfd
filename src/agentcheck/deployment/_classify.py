"""What an image or a start command is: which server, which supporting service."""

from __future__ import annotations

import os
import re
from pathlib import PurePosixPath

from agentcheck.deployment._commands import shell_words
from agentcheck.deployment.model import Role, ServerKind
from agentcheck.scalars import parse_duration, parse_int

__all__ = [
    "command_server",
    "env_file_values",
    "image_name",
    "image_role",
    "image_server",
    "image_tag",
    "parse_duration",
    "parse_int",
]

#: Public images of supporting services, by repository name (without registry and tag).
_ROLES: dict[str, Role] = {
    "postgres": "database",
    "postgis/postgis": "database",
    "pgvector/pgvector": "database",
    "timescale/timescaledb": "database",
    "bitnami/postgresql": "database",
    "mysql": "database",
    "mariadb": "database",
    "mongo": "database",
    "bitnami/mongodb": "database",
    "redis": "cache",
    "redis/redis-stack": "cache",
    "redis/redis-stack-server": "cache",
    "bitnami/redis": "cache",
    "valkey/valkey": "cache",
    "memcached": "cache",
    "nginx": "proxy",
    "nginxinc/nginx-unprivileged": "proxy",
    "traefik": "proxy",
    "haproxy": "proxy",
    "envoyproxy/envoy": "proxy",
    "caddy": "proxy",
    "httpd": "proxy",
    "kong": "proxy",
    "prom/prometheus": "observability",
    "prom/alertmanager": "observability",
    "prom/node-exporter": "observability",
    "grafana/grafana": "observability",
    "grafana/grafana-oss": "observability",
    "grafana/loki": "observability",
    "grafana/tempo": "observability",
    "grafana/promtail": "observability",
    "jaegertracing/all-in-one": "observability",
    "jaegertracing/jaeger": "observability",
    "otel/opentelemetry-collector": "observability",
    "otel/opentelemetry-collector-contrib": "observability",
    "openzipkin/zipkin": "observability",
    "cadvisor/cadvisor": "observability",
    "langfuse/langfuse": "observability",
    "langfuse/langfuse-worker": "observability",
    "arizephoenix/phoenix": "observability",
    "elasticsearch": "database",
    "elasticsearch/elasticsearch": "database",
    "kibana": "observability",
    "kibana/kibana": "observability",
    "keycloak/keycloak": "service",
    "jboss/keycloak": "service",
    "bitnami/keycloak": "service",
    "openfga/openfga": "service",
    "hashicorp/vault": "service",
    "vault": "service",
    "qdrant/qdrant": "database",
    "chromadb/chroma": "database",
    "semitechnologies/weaviate": "database",
    "milvusdb/milvus": "database",
    "neo4j": "database",
    "clickhouse/clickhouse-server": "database",
    "minio/minio": "database",
    "rabbitmq": "cache",
    "bitnami/rabbitmq": "cache",
    "bitnami/kafka": "cache",
    "confluentinc/cp-kafka": "cache",
    "zookeeper": "service",
    "nats": "cache",
    "ollama/ollama": "service",
    "dpage/pgadmin4": "service",
    "adminer": "service",
    "mongo-express": "service",
    "redis/redisinsight": "service",
    "rediscommander/redis-commander": "service",
    "mailhog/mailhog": "service",
    "axllent/mailpit": "service",
    "localstack/localstack": "service",
    "berriai/litellm": "service",
    "searxng/searxng": "service",
}
#: The same by the image's last name (``mirror.example.com/library/postgres``,
#: ``acme/prometheus``): a service of that name is that service.
_ROLES_BY_NAME: dict[str, Role] = {name.rsplit("/", 1)[-1]: role for name, role in _ROLES.items()}
_NAME_WORDS = re.compile(r"[^a-z0-9]+")
#: Words that name a supporting service inside a custom image's name.
_SERVICE_WORDS: dict[str, Role] = {
    **dict.fromkeys(("postgres", "postgresql", "pgvector", "mysql", "mariadb"), "database"),
    **dict.fromkeys(("mongo", "mongodb", "qdrant", "elasticsearch", "neo4j"), "database"),
    **dict.fromkeys(("redis", "valkey", "memcached", "rabbitmq", "kafka"), "cache"),
    **dict.fromkeys(("nginx", "traefik", "envoy", "haproxy", "caddy", "kong"), "proxy"),
    **dict.fromkeys(("prometheus", "grafana", "loki", "tempo", "jaeger"), "observability"),
    **dict.fromkeys(("otel", "opentelemetry", "alertmanager", "langfuse"), "observability"),
    **dict.fromkeys(("keycloak", "openfga", "vault", "consul", "ollama", "minio"), "service"),
}
_AGENT_NAME_WORDS = frozenset({"agent", "agents", "langgraph", "graph", "api", "server"})
#: Generic base images: they run the agent only when their command says so.
_GENERIC = {
    "python",
    "alpine",
    "debian",
    "ubuntu",
    "busybox",
    "node",
    "curlimages/curl",
    "bitnami/kubectl",
}
_AGENT_SERVER_IMAGES = {
    "langchain/langgraph-api",
    "langchain/langgraphjs-api",
    "langchain/langgraph-server",
}
#: An Agent Server image built elsewhere (``acme/langgraph-api-support``,
#: ``ghcr.io/acme/langgraph-api:3.11``): its last name starts with one of these.
_AGENT_SERVER_PREFIXES = ("langgraph-api", "langgraphjs-api", "langgraph-server")
_ASGI_SERVERS = {"uvicorn", "gunicorn", "hypercorn", "granian", "daphne"}


def image_name(image: str) -> str:
    """``docker.io/library/postgres:16@sha256:..`` -> ``postgres``."""
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)
    if ":" in last[-1]:
        ref = ref[: ref.rindex(":")]
    parts = ref.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts).lower()


def image_tag(image: str) -> str | None:
    """The tag (``16``), ``None`` when untagged; a digest-pinned image returns its digest."""
    if "@" in image:
        return image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def image_server(image: str | None) -> ServerKind | None:
    """``langchain/langgraph-api:...`` is Agent Server; other images say nothing by name."""
    if not image:
        return None
    name = image_name(image)
    if name in _AGENT_SERVER_IMAGES or name.rsplit("/", 1)[-1].startswith(_AGENT_SERVER_PREFIXES):
        return "agent-server"
    if name.endswith("/aegra") or name == "aegra":
        return "aegra"
    return None


def image_role(image: str | None) -> Role | None:
    """The role of a well-known public image; ``"other"`` for generic bases; None if unknown."""
    if not image:
        return None
    name = image_name(image)
    if name in _ROLES:
        return _ROLES[name]
    last = name.rsplit("/", 1)[-1]
    if last in _ROLES_BY_NAME:
        return _ROLES_BY_NAME[last]
    # A service's own build (``acme/keycloak-optimized``, ``acme/postgres-pgvector``), unless
    # the name also says it is the agent.
    words = set(_NAME_WORDS.split(last))
    if not words & _AGENT_NAME_WORDS:
        for word in words:
            if word in _SERVICE_WORDS:
                return _SERVICE_WORDS[word]
    if name in _GENERIC:
        return "other"
    return None


def command_server(argv: tuple[str, ...] | None) -> tuple[ServerKind, str | None] | None:
    """The server a start command runs, and the ASGI app it names (``app.main:app``).

    None when the command does not start a server agentcheck knows.
    """
    if not argv:
        return None
    words = shell_words(argv)
    names = [PurePosixPath(w).name for w in words]
    for i, name in enumerate(names):
        nxt = names[i + 1] if i + 1 < len(names) else ""
        if name == "langgraph" and nxt == "dev":
            return "langgraph-dev", None
        if name == "langgraph" and nxt == "up":
            return "agent-server", None
        if name in ("aegra", "aegra-api") or (name == "-m" and nxt.startswith("aegra")):
            return "aegra", None
        if name in _ASGI_SERVERS or (name == "fastapi" and nxt in ("run", "dev")):
            app = _asgi_app(words[i + 1 :])
            if app and app.split(":", 1)[0].startswith(("langgraph_api", "langgraph_runtime")):
                return "agent-server", app
            if app and app.split(":", 1)[0].startswith(("aegra", "agent_server")):
                return "aegra", app
            return "custom", app
    return None


def _asgi_app(rest: list[str]) -> str | None:
    """The first positional ``module:attr`` (or a ``.py`` path for ``fastapi run``)."""
    skip_next = False
    for word in rest:
        if skip_next:
            skip_next = False
            continue
        if word in ("-m", "python", "python3"):
            continue
        if word.startswith("-"):
            # Options with a separate value: --host 0.0.0.0, -k uvicorn.workers.UvicornWorker
            if "=" not in word and word not in ("--reload", "--proxy-headers", "--factory"):
                skip_next = word in _VALUED
            continue
        if ":" in word or word.endswith(".py"):
            return word
    return None


_VALUED = {
    "--host",
    "--port",
    "-b",
    "--bind",
    "-w",
    "--workers",
    "-k",
    "--worker-class",
    "--timeout",
    "-t",
    "--log-level",
    "--app-dir",
    "--root-path",
    "--graceful-timeout",
    "--keep-alive",
    "--timeout-keep-alive",
    "--timeout-graceful-shutdown",
    "-c",
    "--config",
    "--env-file",
    "--forwarded-allow-ips",
    "--limit-concurrency",
    "--chdir",
    "--name",
}


def env_file_values(text: str) -> list[tuple[str, str | None, int]]:
    """``(key, value, line)`` of every binding in an env file, read as python-dotenv reads it."""
    import io

    from dotenv.parser import parse_stream

    out = []
    try:
        for binding in parse_stream(io.StringIO(text)):
            if binding.key and not binding.error:
                out.append((binding.key, binding.value, binding.original.line))
    except Exception:  # python-dotenv on pathological input
        return out
    return out


def join_rel(base_dir: str, ref: str) -> str:
    """``ref`` (relative to ``base_dir``) as a normalized path relative to the root."""
    joined = os.path.normpath(os.path.join(base_dir or ".", ref))
    return joined.replace(os.sep, "/")
