"""Helm charts and their values, as far as agentcheck reads them without ``helm``.

Chart templates are YAML only once rendered. :mod:`._helm_values` reads what they deploy from
the values files (workloads whose every value carries the position of its values line); a
chart whose templates it cannot follow gets one AC100 finding of severity *info* on its
``Chart.yaml``. Here: finding the charts, and the images values files pin (``repository`` with
``tag``, any mapping of ``values*.yaml`` under ``charts/`` or ``helm/``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck._findings import Severity
from agentcheck.deployment.model import HelmImage, Where
from agentcheck.files import name_of

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["helm_charts", "helm_images", "helm_values", "templated_manifests", "unread_charts"]


def helm_charts(project: Project) -> list[str]:
    """Chart directories (``""`` for a chart at the root)."""
    charts = []
    for rel in project.by_name("Chart.yaml"):
        chart = PurePosixPath(rel).parent.as_posix()
        charts.append("" if chart == "." else chart)
    return charts


def unread_charts(project: Project, charts: list[str]) -> None:
    """One info finding per chart with production values whose templates render no workload
    the values reader could follow (:mod:`._helm_values`)."""
    for chart in charts:
        prefix = f"{chart}/templates/" if chart else "templates/"
        if not any(f.startswith(prefix) for f in project.files):
            continue
        shown = chart or "."
        project.problem(
            f"{chart}/Chart.yaml" if chart else "Chart.yaml",
            f"Helm chart {shown}: agentcheck could not tell which workloads its templates "
            "render from its values, so they are not checked; lint the rendered manifests: "
            f"`helm template {shown} --output-dir rendered/` then `agentcheck lint rendered/`",
            severity=Severity.INFO,
        )


def templated_manifests(project: Project, charts: list[str]) -> None:
    """Other ``{{ }}``-templated manifests (Jinja, Ansible, envsubst-style tooling): one info
    finding each. Only files that look like Kubernetes or compose files count, so CI workflows
    with ``${{ }}`` expressions are left alone."""
    compose = set(project.compose_files)
    for rel in project.yaml_files:
        if any(rel.startswith(f"{chart}/" if chart else "") for chart in charts):
            continue
        # Whether it looks like a manifest first: that is a substring test, where telling a
        # template needs a parse (CI workflows' `${{ }}` would be parsed for nothing).
        text = project.text(rel, report=False) or ""
        if rel not in compose and not ("apiVersion" in text and "kind:" in text):
            continue
        if not project.is_templated(rel):
            continue
        project.problem(
            rel,
            f"{rel} is templated ({{{{ }}}}) and is YAML only once rendered: it is skipped; lint "
            "the rendered output (render it into a directory such as rendered/, then "
            "`agentcheck lint rendered/`)",
            severity=Severity.INFO,
        )


def helm_values(project: Project) -> list[tuple[str, Located]]:
    """Chart ``values*.yaml`` documents (production values)."""
    out: list[tuple[str, Located]] = []
    for rel in project.yaml_files:
        if not name_of(rel).startswith("values"):
            continue
        parts = rel.split("/")
        if "charts" in parts or "helm" in parts:
            out.extend((rel, doc) for doc in project.yaml(rel))
    return out


def helm_images(project: Project) -> list[HelmImage]:
    """Every ``{repository, tag}`` block of the chart values, with the position of ``tag``."""
    out = []
    for rel, doc in helm_values(project):
        for path, block in _mappings(doc.data, ()):
            tag = block.get("tag")
            if "repository" not in block or not isinstance(tag, str):
                continue
            line, column = doc.loc(*path, "tag")
            name = ".".join(map(str, path)) or "image"
            out.append(HelmImage(name, str(block.get("repository")), tag, Where(rel, line, column)))
    return out


def _mappings(
    data: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    if isinstance(data, Mapping):
        yield path, data
        for key, value in data.items():
            if isinstance(value, Mapping | list):
                yield from _mappings(value, (*path, str(key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _mappings(value, (*path, i))
