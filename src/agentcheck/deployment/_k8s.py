"""Kubernetes manifests: workloads, autoscalers, disruption budgets, Services and Ingresses."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._classify import parse_int
from agentcheck.deployment._production import file_verdict
from agentcheck.deployment.model import (
    Autoscaler,
    Container,
    DisruptionBudget,
    EnvFrom,
    EnvSetting,
    EnvValue,
    Exposure,
    K8sService,
    Port,
    Probe,
    Where,
    Workload,
)

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["IGNORE_ANNOTATION", "K8sModel", "ignore_codes", "read_k8s"]

#: Where the pod spec sits in each workload kind.
_POD_SPEC: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Rollout": ("spec", "template", "spec"),  # Argo Rollouts
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}
_KNATIVE_POD_SPEC = ("spec", "template", "spec")
_REPLICATED = {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Rollout"}
_PROBES = {"readinessProbe": "readiness", "livenessProbe": "liveness", "startupProbe": "startup"}


@dataclass
class K8sModel:
    """What the Kubernetes manifests declare, read once for the deployment model."""

    workloads: list[Workload] = field(default_factory=list)
    autoscalers: list[Autoscaler] = field(default_factory=list)
    pdbs: list[DisruptionBudget] = field(default_factory=list)
    exposed: list[Exposure] = field(default_factory=list)
    services: list[K8sService] = field(default_factory=list)
    limit_range_defaults: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Secret/ConfigMap name -> {key: EnvValue} (values redacted to None for Secrets).
    secrets: dict[str, dict[str, EnvValue]] = field(default_factory=dict)
    configmaps: dict[str, dict[str, EnvValue]] = field(default_factory=dict)
    #: Every variable the manifests write (container env, ConfigMap and Secret data).
    settings: list[EnvSetting] = field(default_factory=list)


def _get(data: Any, *path: str | int) -> Any:
    for key in path:
        if isinstance(data, dict) and isinstance(key, str):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def _str_dict(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None}


def _scale_target(spec: Any) -> tuple[str, str] | None:
    """``(kind, name)`` of an autoscaler's ``scaleTargetRef`` (HPA and KEDA spell it alike)."""
    ref = _get(spec, "scaleTargetRef") or {}
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


def _text(value: Any) -> str | None:
    """A scalar as text (``true`` for YAML's true); None for what is not a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _argv(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None)
    if isinstance(value, str):
        return (value,)
    return None


class _Reader:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.model = K8sModel()
        self.services: list[tuple[str, Located, dict[str, Any]]] = []
        self.ingresses: list[tuple[str, Located, dict[str, Any]]] = []

    def w(self, rel: str, doc: Located, *path: str | int) -> Where:
        line, col = doc.loc(*path)
        return Where(rel, line, col)

    def kw(self, rel: str, doc: Located, *path: str | int) -> Where:
        line, col = doc.key_loc(*path)
        return Where(rel, line, col)

    def read(self) -> K8sModel:
        objects = self.project.k8s_objects
        # Secrets and ConfigMaps first: workloads' envFrom resolves against them.
        for rel, doc in objects:
            data = doc.data
            kind = data.get("kind")
            name = str(_get(data, "metadata", "name") or "")
            if kind in ("Secret", "ConfigMap"):
                self._data_settings(rel, doc, str(kind), name)
            if kind == "Secret":
                entries = {}
                for section in ("data", "stringData"):
                    block = _get(data, section)
                    for key in block if isinstance(block, dict) else {}:
                        entries[str(key)] = EnvValue(
                            str(key),
                            None,
                            self.kw(rel, doc, section, key),
                            from_secret=True,
                            source="k8s-secret",
                            ref=f"secret/{name}/{key}",
                        )
                self.model.secrets[name] = entries
            elif kind == "ConfigMap":
                cm = _get(data, "data")
                self.model.configmaps[name] = {
                    str(k): EnvValue(
                        str(k),
                        None if v is None else str(v),
                        self.w(rel, doc, "data", str(k)),
                        source="k8s-configmap",
                    )
                    for k, v in (cm.items() if isinstance(cm, dict) else [])
                }
        for rel, doc in objects:
            try:
                self._object(rel, doc)
            except (TypeError, AttributeError, ValueError):
                continue  # a malformed object: other rules or kubectl will say why
        self._link_exposure()
        return self.model

    def _data_settings(self, rel: str, doc: Located, kind: str, name: str) -> None:
        """A ConfigMap's ``data`` or a Secret's ``stringData`` and ``data`` (base64 decoded:
        an encoding, not encryption) as settings."""
        production = file_verdict(self.project, rel, "kubernetes").production
        sections = ("data",) if kind == "ConfigMap" else ("stringData", "data")
        for section in sections:
            block = _get(doc.data, section)
            for key, raw in block.items() if isinstance(block, dict) else ():
                value = _text(raw)
                if value is not None and kind == "Secret" and section == "data":
                    try:
                        value = base64.b64decode(value, validate=True).decode("utf-8")
                    except (binascii.Error, ValueError):
                        continue  # binary data: not something a rule can judge
                self.model.settings.append(
                    EnvSetting(
                        str(key),
                        value,
                        self.w(rel, doc, section, key),
                        f"{kind} `{name}`",
                        "secret" if kind == "Secret" else "configmap",
                        production,
                        secret_store=kind == "Secret",
                    )
                )

    def _env_settings(
        self, rel: str, doc: Located, path: tuple[str | int, ...], data: dict[str, Any], owner: str
    ) -> None:
        production = file_verdict(self.project, rel, "kubernetes").production
        env = data.get("env")
        for i, item in enumerate(env if isinstance(env, list) else []):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            value = _text(item.get("value")) if "valueFrom" not in item else None
            at = self.w(rel, doc, *path, "env", i, "value" if "value" in item else "name")
            self.model.settings.append(
                EnvSetting(item["name"], value, at, owner, "k8s-env", production)
            )

    def _object(self, rel: str, doc: Located) -> None:
        data = doc.data
        kind = str(data.get("kind", ""))
        api = str(data.get("apiVersion", ""))
        production = file_verdict(self.project, rel, "kubernetes").production
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        name = str(meta.get("name") or "")
        where = self.w(rel, doc, "kind")
        if kind == "Service" and api.startswith("serving.knative.dev"):
            self._workload(rel, doc, "KnativeService", _KNATIVE_POD_SPEC, production)
        elif kind in _POD_SPEC:
            self._workload(rel, doc, kind, _POD_SPEC[kind], production)
        elif kind == "HorizontalPodAutoscaler":
            spec = _get(data, "spec") or {}
            self.model.autoscalers.append(
                Autoscaler(
                    kind="HPA",
                    name=name,
                    where=where,
                    target=_scale_target(spec),
                    min_replicas=parse_int(spec.get("minReplicas", 1)),
                    min_is_default="minReplicas" not in spec,
                    min_where=self.w(rel, doc, "spec", "minReplicas"),
                    max_replicas=parse_int(spec.get("maxReplicas")),
                    max_where=self.w(rel, doc, "spec", "maxReplicas"),
                    production=production,
                )
            )
        elif kind == "ScaledObject":  # KEDA: minReplicaCount defaults to 0, max to 100
            spec = _get(data, "spec") or {}
            self.model.autoscalers.append(
                Autoscaler(
                    kind="KEDA ScaledObject",
                    name=name,
                    where=where,
                    target=_scale_target(spec),
                    min_replicas=parse_int(spec.get("minReplicaCount", 0)),
                    min_where=self.w(rel, doc, "spec", "minReplicaCount")
                    if "minReplicaCount" in spec
                    else self.kw(rel, doc, "spec"),
                    max_replicas=parse_int(spec.get("maxReplicaCount", 100)),
                    max_where=self.w(rel, doc, "spec", "maxReplicaCount"),
                    production=production,
                    min_is_default="minReplicaCount" not in spec,
                )
            )
        elif kind == "PodDisruptionBudget":
            self.model.pdbs.append(
                DisruptionBudget(
                    name=name,
                    where=where,
                    selector=_str_dict(_get(data, "spec", "selector", "matchLabels")),
                    production=production,
                )
            )
        elif kind == "LimitRange":
            self._limit_range(data)
        elif kind == "Service":
            self.services.append((rel, doc, data))
        elif kind == "Ingress" or (kind in ("HTTPRoute", "Route") and "spec" in data):
            self.ingresses.append((rel, doc, data))

    def _limit_range(self, data: dict[str, Any]) -> None:
        """The container resources a LimitRange defaults: ``default`` sets limits and, when
        ``defaultRequest`` is absent, requests too (Kubernetes defaults a request to the
        limit)."""
        namespace = str(_get(data, "metadata", "namespace") or "")
        limits = _get(data, "spec", "limits")
        for item in limits if isinstance(limits, list) else []:
            if not isinstance(item, dict) or item.get("type", "Container") != "Container":
                continue
            found = set(self.model.limit_range_defaults.get(namespace, ()))
            for section, target in (("default", "limits"), ("defaultRequest", "requests")):
                block = item.get(section)
                if isinstance(block, dict):
                    for key in ("cpu", "memory"):
                        if block.get(key) not in (None, ""):
                            found.add(f"{target}.{key}")
                            if section == "default":
                                found.add(f"requests.{key}")
            self.model.limit_range_defaults[namespace] = frozenset(found)

    # ------------------------------------------------------------------ workloads

    def _workload(
        self, rel: str, doc: Located, kind: str, pod_path: tuple[str, ...], production: bool
    ) -> None:
        data = doc.data
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        pod = _get(data, *pod_path)
        if not isinstance(pod, dict):
            return
        template_meta = _get(data, *pod_path[:-1], "metadata") if len(pod_path) > 1 else meta
        annotations = _str_dict(meta.get("annotations")) | _str_dict(
            _get(template_meta, "annotations")
        )
        workload = Workload(
            verdict=file_verdict(self.project, rel, "kubernetes"),
            platform="kubernetes",
            kind=kind,
            name=str(meta.get("name") or ""),
            where=self.w(rel, doc, "kind"),
            production=production,
            namespace=str(meta["namespace"]) if meta.get("namespace") else None,
            labels=_str_dict(meta.get("labels")),
            pod_labels=_str_dict(_get(template_meta, "labels")),
            annotations=annotations,
            raw=data,
        )
        if kind == "KnativeService":
            self._knative_scaling(rel, doc, workload, production)
        if kind in _REPLICATED:
            spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
            if "replicas" in spec:
                workload.replicas = parse_int(spec.get("replicas"))
                workload.replicas_where = self.w(rel, doc, "spec", "replicas")
            else:
                workload.replicas_where = self.w(rel, doc, "spec")
        if isinstance(data.get("spec"), dict):
            workload.spec_where = self.kw(rel, doc, "spec")
        workload.pod_spec_where = self.kw(rel, doc, *pod_path)
        if pod.get("hostNetwork") is True:
            workload.host_network = self.w(rel, doc, *pod_path, "hostNetwork")
        workload.ignores = ignore_codes(data)
        grace = pod.get("terminationGracePeriodSeconds")
        if grace is not None and parse_int(grace) is not None:
            workload.grace_period = float(parse_int(grace) or 0)
            workload.grace_where = self.w(rel, doc, *pod_path, "terminationGracePeriodSeconds")
        shown = "Service" if kind == "KnativeService" else kind
        for section in ("containers", "initContainers", "ephemeralContainers"):
            items = pod.get(section)
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    continue
                path = (*pod_path, section, i)
                owner = f"container `{item.get('name', '?')}` of {shown} `{workload.name or '?'}`"
                self._env_settings(rel, doc, path, item, owner)
                if section == "ephemeralContainers":
                    continue
                init = section == "initContainers"
                c = self._container(rel, doc, path, item, init)
                (workload.init_containers if init else workload.containers).append(c)
        self.model.workloads.append(workload)

    def _container(
        self, rel: str, doc: Located, path: tuple[str | int, ...], data: dict[str, Any], init: bool
    ) -> Container:
        c = Container(name=str(data.get("name") or ""), where=self.w(rel, doc, *path), init=init)
        if isinstance(data.get("image"), str):
            c.image = data["image"]
            c.image_where = self.w(rel, doc, *path, "image")
        c.command = _argv(data.get("command"))
        c.args = _argv(data.get("args"))
        if c.command is not None or c.args is not None:
            c.command_where = self.w(rel, doc, *path, "command" if c.command else "args")
        c.env_where = self.kw(rel, doc, *path, "env") if "env" in data else c.where
        env = data.get("env")
        for i, item in enumerate(env if isinstance(env, list) else []):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            name = item["name"]
            at = self.w(rel, doc, *path, "env", i, "name")
            value_from = item.get("valueFrom")
            cm_ref = _get(value_from, "configMapKeyRef")
            cm = self.model.configmaps.get(str(_get(cm_ref, "name"))) if cm_ref else None
            cm_value = cm.get(str(_get(cm_ref, "key"))) if cm else None
            if cm_value is not None:
                c.env[name] = replace(cm_value, name=name, where=at)
            elif isinstance(value_from, dict):
                c.env[name] = EnvValue(
                    name,
                    None,
                    at,
                    from_secret="secretKeyRef" in value_from,
                    source="k8s",
                    ref=_value_ref(value_from),
                )
            else:
                raw = item.get("value")
                value = None if raw is None else str(raw)
                c.env[name] = EnvValue(
                    name,
                    value,
                    self.w(rel, doc, *path, "env", i, "value") if "value" in item else at,
                    source="k8s",
                    interpolated=value is not None and "$(" in value,
                )
        env_from = data.get("envFrom")
        for i, item in enumerate(env_from if isinstance(env_from, list) else []):
            if not isinstance(item, dict):
                continue
            prefix = str(item.get("prefix") or "")
            for key, kind in (("secretRef", "secret"), ("configMapRef", "configmap")):
                ref = item.get(key)
                if not isinstance(ref, dict) or not ref.get("name"):
                    continue
                ref_name = str(ref["name"])
                source = (self.model.secrets if kind == "secret" else self.model.configmaps).get(
                    ref_name
                )
                c.env_from.append(
                    EnvFrom(
                        "secret" if kind == "secret" else "configmap",
                        ref_name,
                        self.w(rel, doc, *path, "envFrom", i),
                        resolved=source is not None,
                    )
                )
                for k, v in (source or {}).items():
                    c.env.setdefault(prefix + k, v)
        for key, kind in _PROBES.items():
            probe = data.get(key)
            if isinstance(probe, dict):
                http_raw = probe.get("httpGet")
                http: dict[str, Any] = http_raw if isinstance(http_raw, dict) else {}
                exec_ = _get(probe, "exec", "command")
                sub: tuple[str, ...] | None = None
                if http.get("path") is not None:
                    sub = ("httpGet", "path")
                elif exec_ is not None:
                    sub = ("exec", "command")
                c.probes[kind] = Probe(
                    kind=kind,  # type: ignore[arg-type]
                    where=self.kw(rel, doc, *path, key),
                    http_path=str(http["path"]) if http.get("path") is not None else None,
                    port=http.get("port") if http else _get(probe, "tcpSocket", "port"),
                    command=_argv(exec_),
                    raw=probe,
                    value_where=self.w(rel, doc, *path, key, *sub) if sub else None,
                )
        if "resources" in data:
            res = data.get("resources")
            c.resources = res if isinstance(res, dict) else {}
            c.resources_where = self.kw(rel, doc, *path, "resources")
        ports = data.get("ports")
        for i, port in enumerate(ports if isinstance(ports, list) else []):
            if isinstance(port, dict):
                c.ports.append(
                    Port(
                        where=self.w(rel, doc, *path, "ports", i),
                        container=parse_int(port.get("containerPort")),
                        published=parse_int(port.get("hostPort")),
                        host_ip=str(port["hostIP"]) if port.get("hostIP") else None,
                        protocol=str(port.get("protocol", "TCP")).lower(),
                        host_where=self.w(rel, doc, *path, "ports", i, "hostPort")
                        if port.get("hostPort")
                        else None,
                    )
                )
        return c

    def _knative_scaling(
        self, rel: str, doc: Located, workload: Workload, production: bool
    ) -> None:
        """Knative / Cloud Run scale bounds: min-scale defaults to 0 (scale to zero)."""
        ann_path = ("spec", "template", "metadata", "annotations")
        annotations = _get(doc.data, *ann_path)
        annotations = annotations if isinstance(annotations, dict) else {}
        cloud_run = any(str(k).startswith("run.googleapis.com/") for k in workload.annotations)

        def pick(*keys: str) -> tuple[int | None, Where | None]:
            for key in keys:
                if key in annotations:
                    return parse_int(annotations[key]), self.w(rel, doc, *ann_path, key)
            return None, None

        low, low_at = pick("autoscaling.knative.dev/min-scale", "autoscaling.knative.dev/minScale")
        high, high_at = pick(
            "autoscaling.knative.dev/max-scale", "autoscaling.knative.dev/maxScale"
        )
        self.model.autoscalers.append(
            Autoscaler(
                kind="Cloud Run" if cloud_run else "Knative",
                name=workload.name,
                where=workload.where,
                target=("Service", workload.name),
                min_replicas=0 if low is None else low,
                min_where=low_at or self.kw(rel, doc, "spec", "template"),
                max_replicas=(100 if cloud_run else None) if high is None else high,
                max_where=high_at,
                production=production,
                min_is_default=low is None,
            )
        )

    # ------------------------------------------------------------------ exposure

    def _selects(self, selector: dict[str, str], workload: Workload) -> bool:
        labels = workload.pod_labels or workload.labels
        return bool(selector) and all(labels.get(k) == v for k, v in selector.items())

    def _link_exposure(self) -> None:
        service_targets: dict[str, str | None] = {}
        for rel, doc, data in self.services:
            name = str(_get(data, "metadata", "name") or "")
            namespace = _get(data, "metadata", "namespace")
            namespace = str(namespace) if namespace else None
            selector = _str_dict(_get(data, "spec", "selector"))
            # A namespace written on one side only is often set for both by kustomize or
            # `kubectl -n`: only two different written namespaces keep them apart.
            selected = tuple(
                w.name
                for w in self.model.workloads
                if (namespace is None or w.namespace in (None, namespace))
                and self._selects(selector, w)
            )
            target = selected[0] if selected else None
            service_targets[name] = target
            stype = str(_get(data, "spec", "type") or "ClusterIP")
            has_type = isinstance(_get(data, "spec"), dict) and "type" in data["spec"]
            self.model.services.append(
                K8sService(
                    name=name,
                    namespace=namespace or "default",
                    type=stype,
                    selector=selector,
                    where=self.w(rel, doc, "kind"),
                    type_where=(
                        self.w(rel, doc, "spec", "type") if has_type else self.w(rel, doc, "kind")
                    ),
                    targets=selected,
                )
            )
            if stype in ("LoadBalancer", "NodePort"):
                self.model.exposed.append(
                    Exposure(
                        kind="loadbalancer" if stype == "LoadBalancer" else "nodeport",
                        where=self.w(rel, doc, "spec", "type"),
                        workload=target,
                        detail=f"Service {name} of type {stype}",
                        annotations=_str_dict(_get(data, "metadata", "annotations")),
                        ignores=ignore_codes(data),
                    )
                )
        for rel, doc, data in self.ingresses:
            kind = str(data.get("kind"))
            name = str(_get(data, "metadata", "name") or "")
            target = None
            for backend in _backends(data):
                if backend in service_targets:
                    target = service_targets[backend]
                    break
            self.model.exposed.append(
                Exposure(
                    kind="ingress" if kind != "Route" else "route",
                    where=self.w(rel, doc, "kind"),
                    workload=target,
                    detail=f"{kind} {name}",
                    annotations=_str_dict(_get(data, "metadata", "annotations")),
                    ignores=ignore_codes(data),
                )
            )


def _value_ref(value_from: dict[str, Any]) -> str | None:
    for key, label in (("secretKeyRef", "secret"), ("configMapKeyRef", "configmap")):
        ref = value_from.get(key)
        if isinstance(ref, dict):
            return f"{label}/{ref.get('name', '')}/{ref.get('key', '')}"
    return None


def _backends(data: Any) -> Iterator[str]:
    """Service names an Ingress, HTTPRoute or OpenShift Route sends traffic to."""
    spec = _get(data, "spec")
    if not isinstance(spec, dict):
        return
    name = _get(spec, "defaultBackend", "service", "name") or _get(spec, "backend", "serviceName")
    if name:
        yield str(name)
    to = _get(spec, "to", "name")
    if to:
        yield str(to)
    rules = spec.get("rules")
    for rule in rules if isinstance(rules, list) else []:
        paths = _get(rule, "http", "paths")
        for p in paths if isinstance(paths, list) else []:
            svc = _get(p, "backend", "service", "name") or _get(p, "backend", "serviceName")
            if svc:
                yield str(svc)
        refs = _get(rule, "backendRefs")
        for ref in refs if isinstance(refs, list) else []:
            if _get(ref, "name"):
                yield str(_get(ref, "name"))


def read_k8s(project: Project) -> K8sModel:
    """Every Kubernetes object the project holds, as workloads and their surroundings."""
    return _Reader(project).read()
