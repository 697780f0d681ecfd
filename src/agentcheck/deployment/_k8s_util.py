"""Small readers of Kubernetes objects the model shares: nested values, label maps, the
``agentcheck.io/ignore`` annotation, Service backends, kustomize patch files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._classify import join_rel

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = [
    "IGNORE_ANNOTATION",
    "argv_of",
    "backends",
    "get",
    "ignore_codes",
    "kustomize_patches",
    "scale_target",
    "str_dict",
    "text_of",
    "value_ref",
]


def get(data: Any, *path: str | int) -> Any:
    for key in path:
        if isinstance(data, dict) and isinstance(key, str):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def str_dict(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None}


def scale_target(spec: Any) -> tuple[str, str] | None:
    """``(kind, name)`` of an autoscaler's ``scaleTargetRef`` (HPA and KEDA spell it alike)."""
    ref = get(spec, "scaleTargetRef") or {}
    if not isinstance(ref, dict):
        return None
    return str(ref.get("kind", "Deployment")), str(ref.get("name", ""))


#: Annotation of a Kubernetes object (or its pod template) naming codes to suppress for it.
IGNORE_ANNOTATION = "agentcheck.io/ignore"
_SPLIT = re.compile(r"[\s,]+")


def ignore_codes(obj: Any) -> frozenset[str]:
    """Codes and names an ``agentcheck.io/ignore`` annotation lists, on a Kubernetes object's
    metadata or on its pod template's metadata (``AC503`` or ``AC503, missing-resources``).

    The one reader of the annotation: the runner applies it to every finding inside the
    object's document, the model records it on workloads (:attr:`Workload.ignores`) for
    findings a rule reports elsewhere (on a Service that selects the workload).
    """
    if not isinstance(obj, dict):
        return frozenset()
    metas: list[Any] = [obj.get("metadata")]
    spec = obj.get("spec")
    if isinstance(spec, dict) and isinstance(spec.get("template"), dict):
        metas.append(spec["template"].get("metadata"))
    found: set[str] = set()
    for meta in metas:
        annotations = meta.get("annotations") if isinstance(meta, dict) else None
        value = annotations.get(IGNORE_ANNOTATION) if isinstance(annotations, dict) else None
        if isinstance(value, str):
            found.update(part for part in _SPLIT.split(value.strip()) if part)
    return frozenset(found)


def text_of(value: Any) -> str | None:
    """A scalar as text (``true`` for YAML's true); None for what is not a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def argv_of(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None)
    if isinstance(value, str):
        return (value,)
    return None


def value_ref(value_from: dict[str, Any]) -> str | None:
    for key, label in (("secretKeyRef", "secret"), ("configMapKeyRef", "configmap")):
        ref = value_from.get(key)
        if isinstance(ref, dict):
            return f"{label}/{ref.get('name', '')}/{ref.get('key', '')}"
    return None


def backends(data: Any) -> Iterator[str]:
    """Service names an Ingress, HTTPRoute or OpenShift Route sends traffic to."""
    spec = get(data, "spec")
    if not isinstance(spec, dict):
        return
    name = get(spec, "defaultBackend", "service", "name") or get(spec, "backend", "serviceName")
    if name:
        yield str(name)
    to = get(spec, "to", "name")
    if to:
        yield str(to)
    rules = spec.get("rules")
    for rule in rules if isinstance(rules, list) else []:
        paths = get(rule, "http", "paths")
        for p in paths if isinstance(paths, list) else []:
            svc = get(p, "backend", "service", "name") or get(p, "backend", "serviceName")
            if svc:
                yield str(svc)
        refs = get(rule, "backendRefs")
        for ref in refs if isinstance(refs, list) else []:
            if get(ref, "name"):
                yield str(get(ref, "name"))


_KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def kustomize_patches(project: Project) -> frozenset[str]:
    """Files kustomizations apply as patches (``patches``, ``patchesStrategicMerge``,
    ``patchesJson6902``), and files named as patches (``ingress-patch.yaml``) beside a
    kustomization, relative to the root (memoized)."""

    def find() -> frozenset[str]:
        out: set[str] = set()
        kustomizations = project.by_name(*_KUSTOMIZATIONS)
        directories = {PurePosixPath(rel).parent.as_posix() for rel in kustomizations}
        for rel in project.yaml_files:
            name_words = re.split(r"[^a-z0-9]+", PurePosixPath(rel).name.lower())
            if "patch" in name_words and PurePosixPath(rel).parent.as_posix() in directories:
                out.add(rel)
        for rel in kustomizations:
            base = PurePosixPath(rel).parent.as_posix()
            for doc in project.yaml(rel):
                for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
                    items = get(doc.data, key)
                    for item in items if isinstance(items, list) else []:
                        path = item.get("path") if isinstance(item, dict) else item
                        if isinstance(path, str) and "\n" not in path:
                            out.add(join_rel("" if base == "." else base, path))
        return frozenset(out)

    return project.memo("deployment:kustomize-patches", find)
