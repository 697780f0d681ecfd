"""Helpers shared by the operations rules (AC5xx): object annotations, health paths, env values.

The ``agentcheck.io/ignore`` annotation is read here for now; it belongs in the runner, which
can apply it to every rule's findings once it knows which object a finding is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from agentcheck.deployment.model import Where
from agentcheck.scalars import parse_url

if TYPE_CHECKING:
    from agentcheck.deployment.model import Deployment, EnvValue, Probe, ServerKind, Workload
    from agentcheck.lint.rule import Rule
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = [
    "IGNORE_ANNOTATION",
    "annotation_ignores",
    "doc_at",
    "health_paths",
    "ignored_codes",
    "is_db_checking_path",
    "is_example",
    "k8s_object_at",
    "normalize_path",
    "preferred_health_path",
    "probe_path",
    "probe_value_where",
    "production_agent_workloads",
    "production_env_file_values",
    "server_kind",
    "workload_ignores",
]

#: Annotation of a Kubernetes object (or its pod template) naming codes to suppress for it.
IGNORE_ANNOTATION = "agentcheck.io/ignore"

_SPLIT = re.compile(r"[\s,]+")


def ignored_codes(obj: Any) -> frozenset[str]:
    """Codes and names an ``agentcheck.io/ignore`` annotation lists, on a Kubernetes object's
    metadata or on its pod template's metadata (``AC503`` or ``AC503, missing-resources``)."""
    if not isinstance(obj, Mapping):
        return frozenset()
    metas: list[Any] = [obj.get("metadata")]
    spec = obj.get("spec")
    if isinstance(spec, Mapping):
        template = spec.get("template")
        if isinstance(template, Mapping):
            metas.append(template.get("metadata"))
    found: set[str] = set()
    for meta in metas:
        annotations = meta.get("annotations") if isinstance(meta, Mapping) else None
        value = annotations.get(IGNORE_ANNOTATION) if isinstance(annotations, Mapping) else None
        if isinstance(value, str):
            found.update(part for part in _SPLIT.split(value.strip()) if part)
    return frozenset(found)


def annotation_ignores(obj: Any, rule: type[Rule] | Rule) -> bool:
    """Whether ``obj`` (a Kubernetes object) suppresses ``rule`` by annotation."""
    codes = ignored_codes(obj)
    return bool(codes) and (rule.code in codes or rule.name in codes)


def workload_ignores(workload: Workload, rule: type[Rule] | Rule) -> bool:
    """Whether a Kubernetes workload suppresses ``rule`` by annotation (compose: never)."""
    return workload.platform == "kubernetes" and annotation_ignores(workload.raw, rule)


def doc_at(project: Project, where: Where) -> Located | None:
    """The parsed YAML document holding ``where``: the Kubernetes object (``List`` items
    included) or compose document that starts last at or before its line."""
    candidates = [doc for rel, doc in project.k8s_objects if rel == where.path]
    if not candidates and where.path.endswith((".yml", ".yaml")):
        candidates = project.yaml(where.path)
    best: Located | None = None
    for doc in candidates:
        if doc.start_line <= where.line and (best is None or doc.start_line >= best.start_line):
            best = doc
    return best


def k8s_object_at(project: Project, where: Where) -> Mapping[str, Any] | None:
    """The Kubernetes object whose document holds ``where``, or None."""
    doc = doc_at(project, where)
    return doc.data if doc is not None and isinstance(doc.data, Mapping) else None


def _key_path(doc: Located, where: Where) -> tuple[str | int, ...] | None:
    """The path of the mapping key written at ``where``."""
    for key, pos in doc.positions.items():
        if key and key[0] == "__key__" and pos == (where.line, where.column):
            return tuple(key[1:])
    return None


def probe_value_where(project: Project, probe: Probe, *sub: str | int) -> Where:
    """Where a value inside a probe is written (``httpGet``/``path`` of a k8s probe,
    ``test`` of a compose healthcheck); the probe's own line when it cannot be found."""
    doc = doc_at(project, probe.where)
    path = _key_path(doc, probe.where) if doc is not None else None
    if doc is None or path is None or (*path, *sub) not in doc.positions:
        return probe.where
    line, column = doc.loc(*path, *sub)
    return Where(probe.where.path, line, column)


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


def is_example(rel: str) -> bool:
    """``.env.example``, ``.env.sample``, ``prod.env.template``: documentation, not config."""
    name = rel.rsplit("/", 1)[-1].lower()
    return any(word in name for word in ("example", "sample", "template", ".dist"))


def production_env_file_values(project: Project) -> list[EnvValue]:
    """Every binding of the production env files (``.env.production``, ``prod.env``)."""
    from agentcheck.deployment._classify import env_file_values
    from agentcheck.deployment.model import EnvValue

    def build() -> list[EnvValue]:
        out: list[EnvValue] = []
        for rel in project.env_files:
            if not project.is_production(rel) or is_example(rel):
                continue
            text = project.text(rel, report=False)
            for key, value, line in env_file_values(text or ""):
                out.append(EnvValue(key, value, Where(rel, line), source="env-file"))
        return out

    return project.memo("operations:production-env-files", build)


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
