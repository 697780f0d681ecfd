"""Helm charts and their values, as far as agentcheck reads them without ``helm``.

Chart templates are YAML only once rendered: each chart with a ``templates/`` directory gets one
AC100 finding of severity *info* on its ``Chart.yaml``. Values files (``values*.yaml`` under
``charts/`` or ``helm/``) are read by the conventions of ``helm create`` and of the official
LangGraph chart; today: the images they pin (``repository`` with ``tag``).

A values reader for the rest of class 10 (replicas, autoscaling, PDB, grace period, probes,
resources, bundled database passwords) produces :class:`~agentcheck.deployment.model.Workload`
objects with ``platform="helm"`` whose every value carries the position of its values line, so
that the rules that read workloads report there unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck._findings import Severity
from agentcheck.deployment.model import HelmImage, Where

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["helm_charts", "helm_images", "helm_values", "templated_manifests"]


def helm_charts(project: Project) -> list[str]:
    """Chart directories; their templates are skipped with one info finding per chart."""
    charts = []
    for rel in project.by_name("Chart.yaml"):
        chart = PurePosixPath(rel).parent.as_posix()
        chart = "" if chart == "." else chart
        charts.append(chart)
        prefix = f"{chart}/templates/" if chart else "templates/"
        if any(f.startswith(prefix) for f in project.files):
            shown = chart or "."
            project.problem(
                rel,
                f"Helm chart {shown}: its templates are skipped (they are YAML only once "
                f"rendered); lint the rendered manifests: `helm template {shown} "
                f"--output-dir rendered/` then `agentcheck lint rendered/`",
                severity=Severity.INFO,
            )
    return charts


def templated_manifests(project: Project, charts: list[str]) -> None:
    """Other ``{{ }}``-templated manifests (Jinja, Ansible, envsubst-style tooling): one info
    finding each. Only files that look like Kubernetes or compose files count, so CI workflows
    with ``${{ }}`` expressions are left alone."""
    compose = set(project.compose_files)
    for rel in project.yaml_files:
        if any(rel.startswith(f"{chart}/" if chart else "") for chart in charts):
            continue
        if not project.is_templated(rel):
            continue
        text = project.text(rel, report=False) or ""
        if rel not in compose and not ("apiVersion" in text and "kind:" in text):
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
        name = PurePosixPath(rel).name
        parts = PurePosixPath(rel).parts
        if name.startswith("values") and ("charts" in parts or "helm" in parts):
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
