"""Helm charts read without ``helm``: their values files as the workloads they deploy.

A chart is a directory with ``Chart.yaml``, ``values.yaml`` and ``templates/``. Each chart's
production releases (:mod:`._helm_releases`: its defaults under the override files beside it)
are evaluated against what its templates render (:mod:`._helm_templates` says which values feed
which field; :mod:`._helm_workloads` builds the workloads), so every field carries the position
of the values line that sets it. Rules read them like the manifests' workloads
(``platform="kubernetes"``). Credentials a release's values write and its templates (or an
enabled subchart) use become settings (AC205).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._helm_fields import Gate
from agentcheck.deployment._helm_ingress import release_ingresses, scan_ingresses
from agentcheck.deployment._helm_releases import HelmRelease, chart_releases, holds, truthy
from agentcheck.deployment._helm_templates import scan_template, value_uses
from agentcheck.deployment._helm_workloads import HelmModel, WorkloadBuilder
from agentcheck.deployment.model import EnvSetting, FileVerdict, Verdict, Where
from agentcheck.secrets import secret_word

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["HelmModel", "HelmRelease", "read_helm"]

#: Leaf keys that name where a secret is instead of holding it.
_REFERENCE_WORDS = frozenset({"existing", "name", "ref", "file", "path", "secretname"})
_KEY_OF = frozenset(
    {"secret", "password", "username", "user", "host", "topology", "remote", "cert", "tls"}
    | {"port", "url", "db", "database", "id", "connection"}
)


# --------------------------------------------------------------------------- credentials


def _credential_key(key: str) -> bool:
    """A values key that holds a credential (``password``, ``apiKey``, ``adminPassword``),
    not one that names where a credential is (``existingSecret``, ``passwordSecretKey``)."""
    if secret_word(key) is None:
        return False
    words = [w for w in re.split(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+", key) if w]
    low = [w.lower() for w in words]
    if set(low) & _REFERENCE_WORDS:
        return False
    if low[-1] == "key" and len(low) > 1 and low[-2] in _KEY_OF:
        return False
    return not (low[-1] == "secret" and len(low) > 1 and low[-2] == "gcp")


def _leaves(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _leaves(value, (*path, str(key)))
    elif not isinstance(data, list):
        yield path, data


def _credentials(
    project: Project, release: HelmRelease, uses: dict[str, list[tuple[Gate, ...] | None]]
) -> Iterator[EnvSetting]:
    """Credential values the release's files write and its templates use (a subchart's
    values count when the subchart is enabled)."""
    deps = _dependencies(project, release)
    for rel, doc in zip(release.files, release.docs, strict=True):
        for path, value in _leaves(doc.data):
            if not path or not isinstance(value, str) or not value or not _credential_key(path[-1]):
                continue
            dotted = ".".join(path)
            if not _used(release, dotted, uses, deps):
                continue
            line, column = doc.loc(*path)
            yield EnvSetting(
                dotted,
                value,
                Where(rel, line, column),
                f"the Helm values of chart `{release.chart_name}`",
                "k8s-env",
                release.production,
            )


def _used(
    release: HelmRelease,
    dotted: str,
    uses: dict[str, list[tuple[Gate, ...] | None]],
    deps: dict[str, str | None],
) -> bool:
    head = dotted.split(".", 1)[0]
    if head in deps:
        condition = deps[head]
        return condition is None or truthy(release.get(condition))
    return any(holds(release, gates) for gates in uses.get(dotted, ()))


def _dependencies(project: Project, release: HelmRelease) -> dict[str, str | None]:
    """Subcharts by the values key that configures them, with their ``condition``."""
    rel = f"{release.chart}/Chart.yaml" if release.chart else "Chart.yaml"
    docs = project.yaml(rel)
    data = docs[0].data if docs and isinstance(docs[0].data, Mapping) else {}
    out: dict[str, str | None] = {}
    for dep in data.get("dependencies") or ():
        if isinstance(dep, Mapping) and dep.get("name"):
            key = str(dep.get("alias") or dep["name"])
            condition = dep.get("condition")
            out[key] = str(condition).split(",", 1)[0] if condition else None
    return out


# --------------------------------------------------------------------------- the whole


def read_helm(project: Project, charts: list[str]) -> HelmModel:
    """Every chart's production releases, as workloads, scaling, budgets and settings."""
    model = HelmModel()
    for chart in charts:
        rel = f"{chart}/Chart.yaml" if chart else "Chart.yaml"
        docs = project.yaml(rel)
        chart_yaml = docs[0].data if docs and isinstance(docs[0].data, Mapping) else {}
        prefix = f"{chart}/templates/" if chart else "templates/"
        files = [
            f
            for f in project.files
            if f.startswith(prefix) and f.endswith((".yaml", ".yml", ".tpl"))
        ]
        texts = {f: project.text(f, report=False) or "" for f in files}
        templates = [t for f, text in texts.items() for t in scan_template(f, text)]
        ingresses = [t for f, text in texts.items() for t in scan_ingresses(f, text)]
        uses: dict[str, list[tuple[Gate, ...] | None]] = {}
        for text in texts.values():
            for path, gates in value_uses(text):
                uses.setdefault(path, []).append(gates)
        every = "\n".join(texts.values())
        releases = chart_releases(project, chart, chart_yaml)
        model.releases.extend(releases)
        for release in releases:
            verdict = Verdict(True, release.reason, Where(release.files[-1], 1), release.sure)
            model.files.setdefault(
                release.files[-1], FileVerdict(release.files[-1], "helm", verdict)
            )
        found = False
        for release in releases:
            builder = WorkloadBuilder(project, release, model)
            for t in templates:
                w = builder.workload(t, every)
                if w is not None:
                    model.workloads.append(w)
                    found = True
            model.settings.extend(_credentials(project, release, uses))
            model.proxies.extend(release_ingresses(release, ingresses))
        if releases and not found:
            model.unread.append(chart)
    unique = {(s.name, s.where): s for s in model.settings}
    model.settings = list(unique.values())
    return model
