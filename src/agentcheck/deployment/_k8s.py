"""Kubernetes manifests: workloads, autoscalers, disruption budgets, Services and Ingresses."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._classify import parse_int
from agentcheck.deployment._k8s_util import (
    IGNORE_ANNOTATION,
    backends,
    get,
    ignore_codes,
    kustomize_patches,
    scale_target,
    str_dict,
    text_of,
)
from agentcheck.deployment._k8s_workloads import K8sModel, _WorkloadReader
from agentcheck.deployment._production import file_verdict
from agentcheck.deployment.model import (
    Autoscaler,
    DisruptionBudget,
    EnvSetting,
    EnvValue,
    Exposure,
    K8sService,
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


class _Reader(_WorkloadReader):
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
