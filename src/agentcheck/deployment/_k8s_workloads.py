"""Kubernetes workloads: the pod spec of each workload kind and of Knative Services, their
containers (env, envFrom, probes, resources, ports), and Knative and Cloud Run scale bounds."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._classify import parse_int
from agentcheck.deployment._k8s_util import argv_of, get, ignore_codes, str_dict, text_of, value_ref
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


class _WorkloadReader:
    """The workload half of :class:`~agentcheck.deployment._k8s._Reader`: where a value is,
    and each workload, container and env setting it reads into :class:`K8sModel`."""

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
