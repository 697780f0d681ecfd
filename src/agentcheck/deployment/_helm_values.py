"""Helm charts read without ``helm``: their values files as the workloads they deploy.

A chart is a directory with ``Chart.yaml``, ``values.yaml`` and ``templates/``. A *release* is
what ``helm install`` deploys: the chart's ``values.yaml`` under each override file beside it
(``values-production.yaml`` in the chart or in the directory holding it); the chart's own
defaults count alone only when no override is meant for production. Workloads come from the
templates (:mod:`._helm_templates` says which values feed which field) evaluated on the
release's values, so every field carries the position of the values line that sets it, or of
the template line when the template writes it itself. Rules read them like the manifests'
workloads (``platform="kubernetes"``): a finding lands on the values line a fix must change.

Which values are production: an override whose name says production (``prod``, ``production``,
``staging``) is, one whose name says development or tests (``dev``, ``local``, ``test``,
``ci``, ``example`` ...) is not; a chart's defaults alone are production only as far as the
catalog says (values under ``charts/`` or ``helm/``), and nothing confirms that they are
what is deployed: :attr:`HelmRelease.sure` is False.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._classify import parse_int
from agentcheck.deployment._helm_templates import (
    Binding,
    ContainerTemplate,
    Gate,
    WorkloadTemplate,
    scan_template,
    value_uses,
)
from agentcheck.deployment._production import file_verdict
from agentcheck.deployment.model import (
    Autoscaler,
    Container,
    DisruptionBudget,
    EnvSetting,
    EnvValue,
    FileVerdict,
    Port,
    Probe,
    Verdict,
    Where,
    Workload,
)
from agentcheck.parsing import ParseError, parse_yaml
from agentcheck.secrets import secret_word

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["HelmModel", "HelmRelease", "read_helm"]

_WORDS = re.compile(r"[^a-z0-9]+")
#: Label the model gives a chart workload's pods so that its disruption budget selects them.
_LABEL = "agentcheck.io/helm-workload"
#: Leaf keys that name where a secret is instead of holding it.
_REFERENCE_WORDS = frozenset({"existing", "name", "ref", "file", "path", "secretname"})
_KEY_OF = frozenset(
    {"secret", "password", "username", "user", "host", "topology", "remote", "cert", "tls"}
    | {"port", "url", "db", "database", "id", "connection"}
)


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
            value = _at(doc.data, path)
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
        best: tuple[int, int, str, Located] | None = None
        parts = tuple(path.split(".")) if path else ()
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


def _at(data: Any, path: str) -> Any:
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


def _holds(release: HelmRelease, gates: tuple[Gate, ...] | None) -> bool:
    """Whether the conditions hold; unknown conditions (None) are taken to hold."""
    return gates is None or all(truthy(release.get(g.values)) != g.negated for g in gates)


@dataclass
class HelmModel:
    """What the charts deploy, for the deployment model."""

    releases: list[HelmRelease] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    autoscalers: list[Autoscaler] = field(default_factory=list)
    pdbs: list[DisruptionBudget] = field(default_factory=list)
    settings: list[EnvSetting] = field(default_factory=list)
    #: Charts whose templates render no workload this reader could follow.
    unread: list[str] = field(default_factory=list)
    #: The values files of the releases, with why they count as production.
    files: dict[str, FileVerdict] = field(default_factory=dict)


# --------------------------------------------------------------------------- releases


def _overrides(project: Project, chart: str) -> list[str]:
    """Values files meant to be layered over the chart's defaults: ``values-*.yaml``,
    ``*-values.yaml`` and ``values.*.yaml`` in the chart or in the directory holding it."""
    parent = PurePosixPath(chart).parent.as_posix() if chart else ""
    out = []
    for directory in dict.fromkeys((chart, "" if parent == "." else parent)):
        for rel in project.yaml_files:
            path = PurePosixPath(rel)
            if (path.parent.as_posix() if path.parent.as_posix() != "." else "") != directory:
                continue
            stem = path.name.rsplit(".", 1)[0].lower()
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


def _releases(project: Project, chart: str, chart_yaml: Mapping[str, Any]) -> list[HelmRelease]:
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


# --------------------------------------------------------------------------- workloads


class _Builder:
    def __init__(self, project: Project, release: HelmRelease, model: HelmModel) -> None:
        self.project = project
        self.r = release
        self.model = model

    def workload(self, t: WorkloadTemplate, templates: str) -> Workload | None:
        r = self.r
        if not _holds(r, tuple(t.gates)):
            return None
        parts = [str(r.get(b.values)) for b in t.name_parts if b.values and r.get(b.values)]
        prefix = t.prefix()
        if not parts and prefix:
            parts = [prefix.split(".", 1)[0]]
        name = "-".join([r.chart_name, *parts])
        # Where its settings go: its block of the values (the top of the chart's values
        # file for a chart whose settings are top-level, as `helm create` writes them).
        block = r.where(prefix, key=True) if prefix else Where(r.files[0], 1)
        w = Workload(
            verdict=Verdict(r.production, r.reason, Where(r.files[-1], 1), sure=r.sure),
            platform="kubernetes",
            kind=t.kind,
            name=name,
            where=block,
            production=r.production,
            labels={_LABEL: name},
            pod_labels={_LABEL: name},
        )
        w.spec_where = w.pod_spec_where = block
        rendered = t.replicas is not None and _holds(r, t.replicas_gates)
        if rendered and t.replicas is not None:
            w.replicas, w.replicas_where = self._int(t, t.replicas)
        elif t.replicas is not None:
            self._autoscaler(t, w)
        if t.grace is not None:
            grace, grace_where = self._int(t, t.grace)
            if grace is not None:
                w.grace_period, w.grace_where = float(grace), grace_where
        else:
            w.pod_spec_where = Where(t.path, t.pod_spec_line or t.line)
        self._budget(prefix, templates, w)
        for ct in t.containers:
            if _holds(r, ct.gates):
                c = self.container(t, ct, w)
                (w.init_containers if ct.init else w.containers).append(c)
        if not r.sure:
            w.ignores = _unsure_ignores(w)
        return w

    def _int(self, t: WorkloadTemplate, b: Binding) -> tuple[int | None, Where]:
        if b.values is None:
            return parse_int(b.literal), Where(t.path, b.line)
        value = self.r.get(b.values)
        if value is None and b.literal is not None:
            return parse_int(b.literal), Where(t.path, b.line)
        return parse_int(value), self.r.where(b.values)

    def _autoscaler(self, t: WorkloadTemplate, w: Workload) -> None:
        flag = next(
            (
                g.values
                for g in t.replicas_gates or ()
                if g.negated and truthy(self.r.get(g.values))
            ),
            None,
        )
        if flag is None or "." not in flag:
            return
        block = flag.rsplit(".", 1)[0]
        low, high = self.r.get(f"{block}.minReplicas"), self.r.get(f"{block}.maxReplicas")
        self.model.autoscalers.append(
            Autoscaler(
                kind="HPA",
                name=w.name,
                where=self.r.where(flag),
                target=(w.kind, w.name),
                min_replicas=parse_int(low) if low is not None else 1,
                min_where=self.r.where(f"{block}.minReplicas"),
                max_replicas=parse_int(high),
                max_where=self.r.where(f"{block}.maxReplicas"),
                production=w.production,
                min_is_default=low is None,
            )
        )

    def _budget(self, prefix: str, templates: str, w: Workload) -> None:
        """A PodDisruptionBudget the chart renders for the workload: ``pdb.enabled`` or
        ``podDisruptionBudget.enabled`` at the workload's component (or at the top)."""
        if "PodDisruptionBudget" not in templates:
            return
        component = prefix.split(".", 1)[0] if prefix else ""
        for base in dict.fromkeys((component, "")):
            for key in ("pdb", "podDisruptionBudget"):
                path = f"{base}.{key}" if base else key
                block = self.r.get(path)
                if isinstance(block, Mapping) and truthy(block.get("enabled", False)):
                    self.model.pdbs.append(
                        DisruptionBudget(
                            name=w.name,
                            where=self.r.where(f"{path}.enabled"),
                            selector={_LABEL: w.name},
                            production=w.production,
                        )
                    )
                    return

    def container(self, t: WorkloadTemplate, ct: ContainerTemplate, w: Workload) -> Container:
        r = self.r
        name = r.chart_name
        if ct.name is not None:
            value = r.get(ct.name.values) if ct.name.values else ct.name.literal
            name = str(value) if value not in (None, "") else name
        bound = any(b.values for b in ct.probes.values()) or bool(
            ct.resources and ct.resources.values
        )
        c = Container(name=name, where=w.where if bound else Where(t.path, ct.line), init=ct.init)
        self._image(t, ct, c)
        for kind, b in ct.probes.items():
            probe = self._probe(t, kind, b)
            if probe is not None:
                c.probes[kind] = probe
        if ct.resources is not None and ct.resources.values:
            value = r.get(ct.resources.values)
            c.resources = dict(value) if isinstance(value, Mapping) else {}
            c.resources_where = r.where(ct.resources.values, key=True)
        elif ct.resources is not None:
            c.resources = _FULL  # written in the template itself: not judged here
            c.resources_where = Where(t.path, ct.resources.line)
        else:
            c.resources_where = Where(t.path, ct.line)
        if ct.port is not None:
            port, where = self._int(t, ct.port)
            c.ports.append(Port(where=where, container=port))
        self._env(t, ct, c, w)
        return c

    def _image(self, t: WorkloadTemplate, ct: ContainerTemplate, c: Container) -> None:
        r = self.r
        block = ct.image_block
        if ct.image_component is not None:
            for candidate in (f"images.{ct.image_component}", ct.image_component):
                if isinstance(r.get(candidate), Mapping):
                    block = candidate
                    break
        if block is not None:
            repository = r.get(f"{block}.repository")
            if not isinstance(repository, str) or not repository:
                return
            tag = r.get(f"{block}.tag")
            registry = r.get("images.registry") if ct.image_component else None
            if isinstance(registry, str) and registry:
                repository = f"{registry}/{repository}"
            if tag in (None, ""):
                tag = r.app_version
                c.image_where = r.where(f"{block}.repository")
            else:
                c.image_where = r.where(f"{block}.tag")
            c.image = f"{repository}:{tag}" if tag not in (None, "") else repository
        elif ct.image is not None and ct.image.values:
            value = r.get(ct.image.values)
            if isinstance(value, str) and value:
                c.image, c.image_where = value, r.where(ct.image.values)
        elif ct.image is not None and ct.image.literal:
            c.image, c.image_where = ct.image.literal, Where(t.path, ct.image.line)

    def _probe(self, t: WorkloadTemplate, kind: str, b: Binding) -> Probe | None:
        if b.values is None:
            return Probe(kind=kind, where=Where(t.path, b.line))  # type: ignore[arg-type]
        value = self.r.get(b.values)
        if not isinstance(value, Mapping) or not value:
            return None
        http = value.get("httpGet") if isinstance(value.get("httpGet"), Mapping) else {}
        command = (
            value.get("exec", {}).get("command") if isinstance(value.get("exec"), Mapping) else None
        )
        path = http.get("path") if isinstance(http, Mapping) else None
        sub = "httpGet.path" if path is not None else "exec.command" if command else None
        return Probe(
            kind=kind,  # type: ignore[arg-type]
            where=self.r.where(b.values, key=True),
            http_path=str(path) if path is not None else None,
            port=http.get("port") if isinstance(http, Mapping) else None,
            command=tuple(str(x) for x in command) if isinstance(command, list) else None,
            raw=dict(value),
            value_where=self.r.where(f"{b.values}.{sub}") if sub else None,
        )

    def _env(self, t: WorkloadTemplate, ct: ContainerTemplate, c: Container, w: Workload) -> None:
        r = self.r
        owner = f"container `{c.name}` of {w.kind} `{w.name}`"
        c.env_where = Where(t.path, ct.env_line) if ct.env_line else c.where
        for e in ct.env:
            if not _holds(r, e.gates):
                continue
            at = Where(t.path, e.line)
            if e.value_from:
                c.env[e.name] = EnvValue(e.name, None, at, from_secret=e.from_secret, source="k8s")
                continue
            value, where = None, at
            if e.value is not None and e.value.values:
                raw = r.get(e.value.values)
                value = _scalar(raw) if raw is not None else e.value.literal
                if raw is not None:
                    where = r.where(e.value.values)
            elif e.value is not None:
                value, where = e.value.literal, Where(t.path, e.value.line)
            self._set(c, e.name, value, where, owner)
        for b in ct.env_lists:
            items = r.get(b.values) if b.values else None
            for i, item in enumerate(items if isinstance(items, list) else []):
                if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                    continue
                name = item["name"]
                if "valueFrom" in item:
                    ref = item.get("valueFrom")
                    secret = isinstance(ref, Mapping) and "secretKeyRef" in ref
                    where = r.where(f"{b.values}.{i}") if b.values else c.where
                    c.env[name] = EnvValue(name, None, where, from_secret=secret, source="k8s")
                    continue
                self._set(c, name, _scalar(item.get("value")), self._item_where(b, i), owner)
        for b in ct.env_maps:
            mapping = r.get(b.values) if b.values else None
            for key, raw in mapping.items() if isinstance(mapping, Mapping) else ():
                where = r.where(f"{b.values}.{key}")
                self._set(c, str(key), _scalar(raw), where, owner)

    def _item_where(self, b: Binding, i: int) -> Where:
        """The ``value:`` of the ``i``-th entry of an env list in the values."""
        assert b.values is not None
        for rel, doc in reversed(list(zip(self.r.files, self.r.docs, strict=True))):
            items = _at(doc.data, b.values)
            if isinstance(items, list):
                line, column = doc.loc(*b.values.split("."), i, "value")
                return Where(rel, line, column)
        return self.r.where(b.values)

    def _set(self, c: Container, name: str, value: str | None, where: Where, owner: str) -> None:
        c.env[name] = EnvValue(name, value, where, source="k8s")
        self.model.settings.append(
            EnvSetting(name, value, where, owner, "k8s-env", self.r.production)
        )


def _unsure_ignores(w: Workload) -> frozenset[str]:
    """What a chart's own defaults leave to whoever installs it, so that nothing is wrong
    until a release says what it deploys: resources and the replica count (``helm create``
    leaves them to the installer), and probes when the values set none. Values the chart
    writes (a grace period, an image tag, a password, a probe's path) are still judged."""
    codes = {"AC505", "missing-resources", "AC507", "single-replica"}
    if w.main is None or not w.main.probes:
        codes |= {"AC503", "missing-probes"}
    return frozenset(codes)


#: Resources a template writes itself: complete as far as this reader can tell.
_FULL: dict[str, Any] = {
    "requests": {"cpu": "template", "memory": "template"},
    "limits": {"cpu": "template", "memory": "template"},
}


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, Mapping | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
    return any(_holds(release, gates) for gates in uses.get(dotted, ()))


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
        uses: dict[str, list[tuple[Gate, ...] | None]] = {}
        for text in texts.values():
            for path, gates in value_uses(text):
                uses.setdefault(path, []).append(gates)
        every = "\n".join(texts.values())
        releases = _releases(project, chart, chart_yaml)
        model.releases.extend(releases)
        for release in releases:
            verdict = Verdict(True, release.reason, Where(release.files[-1], 1), release.sure)
            model.files.setdefault(
                release.files[-1], FileVerdict(release.files[-1], "helm", verdict)
            )
        found = False
        for release in releases:
            builder = _Builder(project, release, model)
            for t in templates:
                w = builder.workload(t, every)
                if w is not None:
                    model.workloads.append(w)
                    found = True
            model.settings.extend(_credentials(project, release, uses))
        if releases and not found:
            model.unread.append(chart)
    unique = {(s.name, s.where): s for s in model.settings}
    model.settings = list(unique.values())
    return model
