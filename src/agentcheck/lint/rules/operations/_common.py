"""Helpers shared by the operations rules (AC5xx): suppression by annotation, health paths.

Everything here reads the deployment model; the ``agentcheck.io/ignore`` annotation is read
once, by the model's Kubernetes reader (:func:`agentcheck.deployment._k8s_util.ignore_codes`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from agentcheck.deployment import deployment
from agentcheck.deployment._envfiles import is_example
from agentcheck.deployment._k8s_util import ignore_codes as ignored_codes
from agentcheck.scalars import parse_url

if TYPE_CHECKING:
    from agentcheck.deployment.model import Deployment, EnvValue, Probe, ServerKind, Workload
    from agentcheck.lint.rule import Rule
    from agentcheck.project import Project

__all__ = [
    "annotation_ignores",
    "health_paths",
    "ignored_codes",
    "is_db_checking_path",
    "is_example",
    "normalize_path",
    "preferred_health_path",
    "probe_path",
    "production_agent_workloads",
    "production_env_file_values",
    "server_kind",
    "workload_ignores",
]


def annotation_ignores(obj: Any, rule: type[Rule] | Rule) -> bool:
    """Whether ``obj`` (a Kubernetes object) suppresses ``rule`` by annotation."""
    codes = ignored_codes(obj)
    return bool(codes) and (rule.code in codes or rule.name in codes)


def workload_ignores(workload: Workload, rule: type[Rule] | Rule) -> bool:
    """Whether a Kubernetes workload suppresses ``rule`` by annotation (compose: never)."""
    return rule.code in workload.ignores or rule.name in workload.ignores


def probe_path(probe: Probe) -> str | None:
    """The URL path a probe requests: ``httpGet.path``, or the path of a URL in its command
    (``curl -f http://localhost:8000/ok``), query string included."""
    if probe.kind != "healthcheck" and probe.http_path is not None:
        return probe.http_path
    for word in probe.command or ():
        for token in word.replace("'", " ").replace('"', " ").split():
            if "://" in token:
                match = _URL_PATH.match(token.split("://", 1)[1])
                if match:
                    return match.group("path") or "/"
    return probe.http_path


_URL_PATH = re.compile(r"[^/\s]*(?P<path>/[A-Za-z0-9._~!$&*+,;=:@%/?-]*)?")


def production_env_file_values(project: Project) -> list[EnvValue]:
    """Every binding of the production env files (``.env.production``, ``prod.env``)."""
    return deployment(project).production_env


def production_agent_workloads(dep: Deployment, platform: str | None = None) -> list[Workload]:
    """Production workloads that run the agent, optionally on one platform only."""
    return [
        w
        for w in dep.agent_workloads
        if w.production and (platform is None or w.platform == platform)
    ]


def server_kind(workload: Workload) -> ServerKind:
    return workload.server.kind if workload.server is not None else "unknown"


def health_paths(kind: ServerKind) -> frozenset[str] | None:
    """Paths the server answers health checks on, or None when any path may be right.

    langgraph-api (Agent Server, ``langgraph dev``) serves ``/ok`` (and ``/`` unless a custom
    app shadows it); Aegra serves ``/health`` and ``/ready`` (both query the database) and
    ``/live``. A custom app's health path is whatever it defines.
    """
    if kind in ("agent-server", "langgraph-dev"):
        return frozenset({"/ok"})
    if kind == "aegra":
        return frozenset({"/health", "/ready", "/live"})
    return None


def preferred_health_path(kind: ServerKind, probe: str) -> str:
    """The path to suggest for a probe kind (``readiness``, ``liveness``, ``healthcheck``):
    Aegra's ``/live`` does not touch the database, its ``/ready`` and ``/health`` do."""
    if kind == "aegra":
        return {"liveness": "/live", "readiness": "/ready"}.get(probe, "/health")
    if kind in ("agent-server", "langgraph-dev"):
        return "/ok"
    return "/healthz"


def normalize_path(path: str) -> str:
    """``/ok/`` -> ``/ok``; ``http://x:8000/ok?check_db=1`` -> ``/ok`` (no query)."""
    text = path.strip()
    if "://" in text:
        parts = parse_url(text)
        text = (parts.path if parts else "") or "/"
    text = text.split("?", 1)[0].split("#", 1)[0]
    if not text.startswith("/"):
        text = "/" + text
    return text.rstrip("/") or "/"


def is_db_checking_path(kind: ServerKind, path: str) -> bool:
    """Whether a health path queries the database on every call.

    langgraph-api's ``/ok?check_db=1`` (any ``check_db`` other than ``0``); Aegra's ``/health``
    and ``/ready``, which run ``SELECT 1`` and touch the checkpointer and store.
    """
    text = path.strip()
    parts = parse_url(text) if "://" in text else None
    query = parts.query if parts else text.partition("?")[2]
    bare = normalize_path(text)
    if kind in ("agent-server", "langgraph-dev", "unknown") and bare == "/ok":
        values = parse_qs(query, keep_blank_values=True).get("check_db", [])
        return any(v.strip() not in ("", "0") for v in values)
    if kind == "aegra":
        return bare in ("/health", "/ready")
    return False
