"""Environment variables as deployment manifests write them, with their positions.

One flat list of :class:`EnvEntry` for everything AC205 judges:

- compose: ``environment`` (list and map forms), ``build.args``, and the ``env_file`` files
  that are committed;
- Kubernetes: ``env`` of containers and initContainers of Pod, Deployment, StatefulSet,
  DaemonSet, ReplicaSet, Job, CronJob (and Argo Rollout); ConfigMap ``data``; Secret
  ``stringData`` and ``data`` (base64 is an encoding, not encryption);
- Dockerfile ``ENV`` and ``ARG`` defaults (dockerfile-parse);
- the ``env`` object of ``langgraph.json`` / ``aegra.json``.

These are private helpers of the secrets rules: the broader deployment model lives elsewhere
and this module deliberately does not depend on it.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.lint.rules.secrets._common import dotenv_kind

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = [
    "POD_SPEC_PATHS",
    "EnvEntry",
    "containers",
    "dockerfile_instructions",
    "get_path",
    "manifest_env",
    "read_dotenv",
]

#: Where each workload kind keeps its pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "Rollout": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


@dataclass(frozen=True)
class EnvEntry:
    """One variable a manifest sets.

    ``value`` is None when the manifest takes the value from elsewhere (``valueFrom``, a bare
    ``KEY`` passthrough). ``secret_store`` is True where every value is a secret whatever its
    name (a Kubernetes Secret's data).
    """

    path: str
    line: int
    column: int
    name: str
    value: str | None
    where: str
    production: bool
    secret_store: bool = False


def get_path(data: Any, *path: Any) -> Any:
    """``data[path[0]][path[1]]...``, or None where a step is missing or not a mapping."""
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def manifest_env(project: Project) -> list[EnvEntry]:
    """Every variable the project's manifests set (memoized per project)."""

    def build() -> list[EnvEntry]:
        out: list[EnvEntry] = []
        out.extend(_compose(project))
        out.extend(_kubernetes(project))
        out.extend(_dockerfiles(project))
        out.extend(_langgraph(project))
        return out

    return project.memo("secrets:manifest-env", build)


# ---------------------------------------------------------------------------------- compose


def _compose(project: Project) -> Iterator[EnvEntry]:
    for rel in project.compose_files:
        production = project.is_production(rel)
        for doc in project.yaml(rel):
            services = get_path(doc.data, "services")
            if not isinstance(services, Mapping):
                continue
            for name, service in services.items():
                if not isinstance(service, Mapping):
                    continue
                where = f"service `{name}` of {rel}"
                yield from _compose_vars(
                    rel, doc, ("services", name, "environment"), where, production
                )
                yield from _compose_vars(
                    rel,
                    doc,
                    ("services", name, "build", "args"),
                    f"build args of {where}",
                    production,
                )
                yield from _compose_env_files(
                    project, rel, service.get("env_file"), where, production
                )


def _compose_vars(
    rel: str, doc: Located, path: tuple[Any, ...], where: str, production: bool
) -> Iterator[EnvEntry]:
    block = get_path(doc.data, *path)
    if isinstance(block, Mapping):
        for key, value in block.items():
            line, col = doc.loc(*path, key)
            yield EnvEntry(rel, line, col, str(key), _scalar(value), where, production)
    elif isinstance(block, list):
        for i, item in enumerate(block):
            if not isinstance(item, str):
                continue
            line, col = doc.loc(*path, i)
            key, sep, value = item.partition("=")
            yield EnvEntry(rel, line, col, key.strip(), value if sep else None, where, production)


def _compose_env_files(
    project: Project, rel: str, spec: Any, where: str, production: bool
) -> Iterator[EnvEntry]:
    items = spec if isinstance(spec, list) else [spec]
    base = PurePosixPath(rel).parent
    committed = project.tracked if project.git_root is not None else frozenset(project.files)
    for item in items:
        path = item.get("path") if isinstance(item, Mapping) else item
        if not isinstance(path, str) or not path:
            continue
        target = PurePosixPath(base, path).as_posix()
        while target.startswith("./"):
            target = target[2:]
        if target not in committed or dotenv_kind(PurePosixPath(target).name) == "example":
            continue
        for line, key, value in read_dotenv(project, target):
            yield EnvEntry(target, line, 1, key, value, f"env_file of {where}", production)


def read_dotenv(project: Project, rel: str) -> list[tuple[int, str, str | None]]:
    """``(line, name, value)`` of each variable of a dotenv file (python-dotenv's parser)."""
    from dotenv.parser import parse_stream

    text = project.text(rel)
    if text is None:
        return []
    out = []
    for binding in parse_stream(io.StringIO(text)):
        if binding.key:
            out.append((binding.original.line, binding.key, binding.value))
    return out


# ---------------------------------------------------------------------------------- kubernetes


def containers(obj: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], Mapping[str, Any]]]:
    """``(path, container)`` of every container of a workload object's pod spec."""
    spec_path = POD_SPEC_PATHS.get(str(obj.get("kind")))
    if spec_path is None:
        return
    pod = get_path(obj, *spec_path)
    if not isinstance(pod, Mapping):
        return
    for list_name in _CONTAINER_LISTS:
        items = pod.get(list_name)
        if not isinstance(items, list):
            continue
        for i, container in enumerate(items):
            if isinstance(container, Mapping):
                yield (*spec_path, list_name, i), container


def _kubernetes(project: Project) -> Iterator[EnvEntry]:
    for rel, doc in project.k8s_objects:
        obj = doc.data
        kind = str(obj.get("kind"))
        name = get_path(obj, "metadata", "name") or "?"
        production = project.is_production(rel)
        for path, container in containers(obj):
            env = container.get("env")
            if not isinstance(env, list):
                continue
            where = f"container `{container.get('name', '?')}` of {kind} `{name}`"
            for i, item in enumerate(env):
                if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                    continue
                value = _scalar(item.get("value")) if "valueFrom" not in item else None
                line, col = doc.loc(*path, "env", i, "value" if "value" in item else "name")
                yield EnvEntry(rel, line, col, item["name"], value, where, production)
        if kind == "ConfigMap":
            yield from _k8s_map(rel, doc, "data", f"ConfigMap `{name}`", production, False)
        elif kind == "Secret":
            where = f"Secret `{name}`"
            yield from _k8s_map(rel, doc, "stringData", where, production, True)
            yield from _k8s_map(rel, doc, "data", where, production, True, b64=True)


def _k8s_map(
    rel: str,
    doc: Located,
    key: str,
    where: str,
    production: bool,
    secret_store: bool,
    *,
    b64: bool = False,
) -> Iterator[EnvEntry]:
    data = get_path(doc.data, key)
    if not isinstance(data, Mapping):
        return
    for name, raw in data.items():
        value = _scalar(raw)
        if value is not None and b64:
            try:
                value = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                continue  # binary data: not something we can judge
        line, col = doc.loc(key, name)
        yield EnvEntry(rel, line, col, str(name), value, where, production, secret_store)


# ---------------------------------------------------------------------------------- Dockerfile


def dockerfile_instructions(project: Project, rel: str) -> list[dict[str, Any]]:
    """dockerfile-parse's instruction list of a Dockerfile (``[]`` when unreadable)."""

    def build() -> list[dict[str, Any]]:
        from dockerfile_parse import DockerfileParser

        text = project.text(rel)
        if text is None:
            return []
        try:
            parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")), env_replace=False)
            structure: list[dict[str, Any]] = parser.structure
        except Exception as exc:  # dockerfile-parse raises plain exceptions on odd input
            project.problem(rel, f"cannot parse Dockerfile: {exc}")
            return []
        return structure

    return project.memo(f"secrets:dockerfile:{rel}", build)


def _dockerfiles(project: Project) -> Iterator[EnvEntry]:
    from dockerfile_parse.util import extract_key_values

    for rel in project.dockerfiles:
        production = project.is_production(rel)
        for ins in dockerfile_instructions(project, rel):
            instruction = str(ins.get("instruction", "")).upper()
            if instruction not in ("ENV", "ARG"):
                continue
            value = str(ins.get("value", ""))
            if instruction == "ARG" and "=" not in value:
                continue  # ARG NAME: no default, the value comes from --build-arg
            try:
                pairs = extract_key_values(
                    env_replace=False, args={}, envs={}, instruction_value=value
                )
            except Exception:  # a malformed instruction: docker build rejects it too
                continue
            lines = str(ins.get("content", "")).splitlines()
            start = int(ins.get("startline", 0)) + 1
            for key, val in pairs:
                offset = next((i for i, text in enumerate(lines) if key in text), 0)
                where = f"{instruction} in {rel}"
                yield EnvEntry(rel, start + offset, 1, str(key), _scalar(val), where, production)


# ---------------------------------------------------------------------------------- langgraph.json


def _langgraph(project: Project) -> Iterator[EnvEntry]:
    for config in project.langgraph_configs:
        env = config.data.get("env")
        if not isinstance(env, Mapping) or config.doc is None:
            continue
        for key, value in env.items():
            line, col = config.doc.loc("env", key)
            where = f"the `env` object of {config.path}"
            yield EnvEntry(config.path, line, col, str(key), _scalar(value), where, True)
