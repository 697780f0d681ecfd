"""Helm workloads: a chart's workload templates evaluated on one release's values.

:mod:`._helm_templates` says which values feed which field of a Deployment, StatefulSet or
DaemonSet; :class:`WorkloadBuilder` looks those values up in a :class:`HelmRelease` and makes
the model's workloads (``platform="kubernetes"``), their autoscalers and disruption budgets, so
every field carries the position of the values line that sets it, or of the template line when
the template writes it itself: a finding lands on the line a fix must change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._classify import parse_int
from agentcheck.deployment._helm_releases import holds, truthy, value_at
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

if TYPE_CHECKING:
    from agentcheck.deployment._helm_fields import (
        Binding,
        ContainerTemplate,
        WorkloadTemplate,
    )
    from agentcheck.deployment._helm_releases import HelmRelease
    from agentcheck.deployment._proxy_model import Proxy
    from agentcheck.project import Project

__all__ = ["HelmModel", "WorkloadBuilder"]

#: Label the model gives a chart workload's pods so that its disruption budget selects them.
_LABEL = "agentcheck.io/helm-workload"


@dataclass
class HelmModel:
    """What the charts deploy, for the deployment model."""

    releases: list[HelmRelease] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    autoscalers: list[Autoscaler] = field(default_factory=list)
    pdbs: list[DisruptionBudget] = field(default_factory=list)
    settings: list[EnvSetting] = field(default_factory=list)
    #: The Ingresses the releases enable, as proxies (:mod:`._helm_ingress`).
    proxies: list[Proxy] = field(default_factory=list)
    #: Charts whose templates render no workload this reader could follow.
    unread: list[str] = field(default_factory=list)
    #: The values files of the releases, with why they count as production.
    files: dict[str, FileVerdict] = field(default_factory=dict)


class WorkloadBuilder:
    """Makes the workloads of one release, adding what else they imply to the model."""

    def __init__(self, project: Project, release: HelmRelease, model: HelmModel) -> None:
        self.project = project
        self.r = release
        self.model = model

    def workload(self, t: WorkloadTemplate, templates: str) -> Workload | None:
        r = self.r
        if not holds(r, tuple(t.gates)):
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
        rendered = t.replicas is not None and holds(r, t.replicas_gates)
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
            if holds(r, ct.gates):
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
            if not holds(r, e.gates):
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
            items = value_at(doc.data, b.values)
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
