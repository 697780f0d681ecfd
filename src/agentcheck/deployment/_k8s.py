"""Kubernetes manifests: workloads, autoscalers, disruption budgets, Services and Ingresses."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._classify import parse_int
from agentcheck.deployment._k8s_util import (
    IGNORE_ANNOTATION,
    argv_of,
    backends,
    get,
    ignore_codes,
    kustomize_patches,
    scale_target,
    str_dict,
    text_of,
    value_ref,
)
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


class _Reader:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.patches: frozenset[str] = frozenset()
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
        self.patches = kustomize_patches(self.project)
        # Secrets and ConfigMaps first: workloads' envFrom resolves against them.
        for rel, doc in objects:
            data = doc.data
            kind = data.get("kind")
            name = str(get(data, "metadata", "name") or "")
            if kind in ("Secret", "ConfigMap"):
                self._data_settings(rel, doc, str(kind), name)
            if kind == "Secret":
                entries = {}
                for section in ("data", "stringData"):
                    block = get(data, section)
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
                cm = get(data, "data")
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
            block = get(doc.data, section)
            for key, raw in block.items() if isinstance(block, dict) else ():
                value = text_of(raw)
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

    def _patch_settings(
        self,
        rel: str,
        doc: Located,
        pod_path: tuple[str, ...],
        pod: dict[str, Any],
        kind: str,
        name: str,
    ) -> None:
        for section in ("containers", "initContainers"):
            items = pod.get(section)
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    owner = f"container `{item.get('name', '?')}` of {kind} `{name or '?'}`"
                    self._env_settings(rel, doc, (*pod_path, section, i), item, owner)

    def _env_settings(
        self, rel: str, doc: Located, path: tuple[str | int, ...], data: dict[str, Any], owner: str
    ) -> None:
        production = file_verdict(self.project, rel, "kubernetes").production
        env = data.get("env")
        for i, item in enumerate(env if isinstance(env, list) else []):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            value = text_of(item.get("value")) if "valueFrom" not in item else None
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
            spec = get(data, "spec") or {}
            self.model.autoscalers.append(
                Autoscaler(
                    kind="HPA",
                    name=name,
                    where=where,
                    target=scale_target(spec),
                    min_replicas=parse_int(spec.get("minReplicas", 1)),
                    min_is_default="minReplicas" not in spec,
                    min_where=self.w(rel, doc, "spec", "minReplicas"),
                    max_replicas=parse_int(spec.get("maxReplicas")),
                    max_where=self.w(rel, doc, "spec", "maxReplicas"),
                    production=production,
                )
            )
        elif kind == "ScaledObject":  # KEDA: minReplicaCount defaults to 0, max to 100
            spec = get(data, "spec") or {}
            self.model.autoscalers.append(
                Autoscaler(
                    kind="KEDA ScaledObject",
                    name=name,
                    where=where,
                    target=scale_target(spec),
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
                    selector=str_dict(get(data, "spec", "selector", "matchLabels")),
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
        namespace = str(get(data, "metadata", "namespace") or "")
        limits = get(data, "spec", "limits")
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
        pod = get(data, *pod_path)
        if not isinstance(pod, dict):
            return
        if rel in self.patches:
            # A kustomize patch holds only what it changes in its base's workload: not a
            # workload of its own (its env still counts as settings).
            self._patch_settings(rel, doc, pod_path, pod, kind, str(meta.get("name") or ""))
            return
        template_meta = get(data, *pod_path[:-1], "metadata") if len(pod_path) > 1 else meta
        annotations = str_dict(meta.get("annotations")) | str_dict(
            get(template_meta, "annotations")
        )
        workload = Workload(
            verdict=file_verdict(self.project, rel, "kubernetes"),
            platform="kubernetes",
            kind=kind,
            name=str(meta.get("name") or ""),
            where=self.w(rel, doc, "kind"),
            production=production,
            namespace=str(meta["namespace"]) if meta.get("namespace") else None,
            labels=str_dict(meta.get("labels")),
            pod_labels=str_dict(get(template_meta, "labels")),
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
        c.command = argv_of(data.get("command"))
        c.args = argv_of(data.get("args"))
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
            cm_ref = get(value_from, "configMapKeyRef")
            cm = self.model.configmaps.get(str(get(cm_ref, "name"))) if cm_ref else None
            cm_value = cm.get(str(get(cm_ref, "key"))) if cm else None
            if cm_value is not None:
                c.env[name] = replace(cm_value, name=name, where=at)
            elif isinstance(value_from, dict):
                c.env[name] = EnvValue(
                    name,
                    None,
                    at,
                    from_secret="secretKeyRef" in value_from,
                    source="k8s",
                    ref=value_ref(value_from),
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
                exec_ = get(probe, "exec", "command")
                sub: tuple[str, ...] | None = None
                if http.get("path") is not None:
                    sub = ("httpGet", "path")
                elif exec_ is not None:
                    sub = ("exec", "command")
                c.probes[kind] = Probe(
                    kind=kind,  # type: ignore[arg-type]
                    where=self.kw(rel, doc, *path, key),
                    http_path=str(http["path"]) if http.get("path") is not None else None,
                    port=http.get("port") if http else get(probe, "tcpSocket", "port"),
                    command=argv_of(exec_),
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
        annotations = get(doc.data, *ann_path)
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
            name = str(get(data, "metadata", "name") or "")
            namespace = get(data, "metadata", "namespace")
            namespace = str(namespace) if namespace else None
            selector = str_dict(get(data, "spec", "selector"))
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
            stype = str(get(data, "spec", "type") or "ClusterIP")
            has_type = isinstance(get(data, "spec"), dict) and "type" in data["spec"]
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
                        annotations=str_dict(get(data, "metadata", "annotations")),
                        ignores=ignore_codes(data),
                    )
                )
        for rel, doc, data in self.ingresses:
            kind = str(data.get("kind"))
            name = str(get(data, "metadata", "name") or "")
            target = None
            for backend in backends(data):
                if backend in service_targets:
                    target = service_targets[backend]
                    break
            self.model.exposed.append(
                Exposure(
                    kind="ingress" if kind != "Route" else "route",
                    where=self.w(rel, doc, "kind"),
                    workload=target,
                    detail=f"{kind} {name}",
                    annotations=str_dict(get(data, "metadata", "annotations")),
                    ignores=ignore_codes(data),
                )
            )


def read_k8s(project: Project) -> K8sModel:
    """Every Kubernetes object the project holds, as workloads and their surroundings."""
    return _Reader(project).read()
