"""Helm releases: a chart as one ``helm install`` deploys it, and its merged values.

A *release* is the chart's ``values.yaml`` under each override file beside it
(``values-production.yaml`` in the chart or in the directory holding it); the chart's own
defaults count alone only when no override is meant for production. Every value keeps the
position of the line that sets it, in the file of highest precedence that writes it.

Which values are production: an override whose name says production (``prod``, ``production``,
``staging``) is, one whose name says development or tests (``dev``, ``local``, ``test``,
``ci``, ``example`` ...) is not; a chart's defaults alone are production only as far as the
catalog says (values under ``charts/`` or ``helm/``), and nothing confirms that they are
what is deployed: :attr:`HelmRelease.sure` is False.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._production import file_verdict
from agentcheck.deployment.model import Where
from agentcheck.files import dir_of, name_of
from agentcheck.parsing import ParseError, parse_yaml

if TYPE_CHECKING:
    from agentcheck.deployment._helm_fields import Gate
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["HelmRelease", "chart_releases", "holds", "truthy", "value_at", "values_docs"]

_WORDS = re.compile(r"[^a-z0-9]+")


@dataclass
class HelmRelease:
    """A chart as one ``helm install`` deploys it: its defaults under override files."""

    chart: str
    chart_name: str
    app_version: str | None
    #: Values files, lowest precedence first (the chart's ``values.yaml`` first).
    files: tuple[str, ...]
    docs: list[Located]
    production: bool
    #: Something beyond agentcheck's defaults says this is what production deploys.
    sure: bool
    reason: str

    def get(self, path: str) -> Any:
        """The merged value at a dotted path (maps merge, everything else is replaced)."""
        found: Any = None
        for doc in self.docs:
            value = value_at(doc.data, path)
            if value is _MISSING:
                continue
            if isinstance(value, Mapping) and isinstance(found, Mapping):
                found = _merge(found, value)
            else:
                found = value
        return found

    def where(self, path: str, *, key: bool = False) -> Where:
        """The line that sets ``path``: in the file of highest precedence that writes it, else
        where its nearest written ancestor is (where the key would be added)."""
        return self.where_at(tuple(path.split(".")) if path else (), key=key)

    def where_at(self, parts: tuple[str, ...], *, key: bool = False) -> Where:
        """:meth:`where` for a path given as its keys (a key may hold dots:
        ``nginx.ingress.kubernetes.io/proxy-read-timeout``)."""
        best: tuple[int, int, str, Located] | None = None
        for rank, (rel, doc) in enumerate(zip(self.files, self.docs, strict=True)):
            depth = _depth(doc.data, parts)
            if best is None or (depth, rank) >= (best[0], best[1]):
                best = (depth, rank, rel, doc)
        assert best is not None
        depth, _, rel, doc = best
        found = parts[:depth]
        if not found:
            return Where(rel, 1)
        line, column = doc.key_loc(*found) if key or depth < len(parts) else doc.loc(*found)
        return Where(rel, line, column)


_MISSING = object()


def value_at(data: Any, path: str) -> Any:
    """The value at a dotted path of one document, or a marker no value is."""
    for part in path.split(".") if path else ():
        if not isinstance(data, Mapping) or part not in data:
            return _MISSING
        data = data[part]
    return data


def _depth(data: Any, parts: tuple[str, ...]) -> int:
    n = 0
    for part in parts:
        if not isinstance(data, Mapping) or part not in data:
            break
        data, n = data[part], n + 1
    return n


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def truthy(value: Any) -> bool:
    """Go templates' truth: false, 0, nil, empty strings and collections are false."""
    return bool(value) and value is not _MISSING


def holds(release: HelmRelease, gates: tuple[Gate, ...] | None) -> bool:
    """Whether the conditions hold; unknown conditions (None) are taken to hold."""
    return gates is None or all(truthy(release.get(g.values)) != g.negated for g in gates)


# --------------------------------------------------------------------------- releases


def _overrides(project: Project, chart: str) -> list[str]:
    """Values files meant to be layered over the chart's defaults: ``values-*.yaml``,
    ``*-values.yaml`` and ``values.*.yaml`` in the chart or in the directory holding it."""
    parent = PurePosixPath(chart).parent.as_posix() if chart else ""
    out = []
    for directory in dict.fromkeys((chart, "" if parent == "." else parent)):
        for rel in project.yaml_files:
            if dir_of(rel) != directory:
                continue
            stem = name_of(rel).rsplit(".", 1)[0].lower()
            if stem == "values" or "values" not in _WORDS.split(stem):
                continue
            out.append(rel)
    return sorted(out)


def values_docs(project: Project, rel: str) -> list[Located]:
    """A values file's documents. Values are plain YAML even where a string or a comment
    holds ``{{ }}`` (for ``tpl``), which the project's reader takes for a template."""

    def read() -> list[Located]:
        docs = project.yaml(rel)
        if docs or not project.is_templated(rel):
            return docs
        try:
            return parse_yaml(project.text(rel, report=False) or "")
        except ParseError:
            return []

    return project.memo(f"helm:values:{rel}", read)


def chart_releases(
    project: Project, chart: str, chart_yaml: Mapping[str, Any]
) -> list[HelmRelease]:
    """The chart's production releases: its defaults under each production override beside
    it, else its defaults alone when they count as production."""
    defaults = f"{chart}/values.yaml" if chart else "values.yaml"
    if defaults not in project.files:
        return []
    base_docs = values_docs(project, defaults)
    if not base_docs or not isinstance(base_docs[0].data, Mapping):
        return []
    name = str(chart_yaml.get("name") or PurePosixPath(chart).name or "chart")
    app = chart_yaml.get("appVersion")
    app_version = str(app) if app not in (None, "") else None
    out = []
    for rel in _overrides(project, chart):
        docs = values_docs(project, rel)
        verdict = file_verdict(project, rel, "kubernetes")
        if not docs or not isinstance(docs[0].data, Mapping) or not verdict.production:
            continue
        out.append(
            HelmRelease(
                chart,
                name,
                app_version,
                (defaults, rel),
                [base_docs[0], docs[0]],
                production=True,
                sure=verdict.sure and not verdict.reason.startswith("it lives in"),
                reason=f"{rel} over the chart's values ({verdict.reason})",
            )
        )
    base = file_verdict(project, defaults, "kubernetes")
    if not out and base.production:
        out.append(
            HelmRelease(
                chart,
                name,
                app_version,
                (defaults,),
                [base_docs[0]],
                production=True,
                sure=base.reason.startswith("[tool.agentcheck]"),
                reason=f"the chart's default values: nothing says a release deploys them as "
                f"they are ({base.reason})",
            )
        )
    return out
