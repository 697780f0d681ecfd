"""Proxies and load balancers configured as Kubernetes objects (see :mod:`.proxies`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from agentcheck.deployment import nginx
from agentcheck.deployment._k8s_util import kustomize_patches
from agentcheck.deployment._proxy_model import (
    Proxy,
    Setting,
    Timeout,
    dig,
    k8s_annotations,
    k8s_name,
    parse_duration,
    where_in,
    without_event_stream,
)
from agentcheck.deployment.model import Where

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["ingress_proxies", "kubernetes_proxies"]


_INGRESS_NGINX_CONFIGMAPS = frozenset(
    {"ingress-nginx-controller", "nginx-configuration", "ingress-nginx", "nginx-ingress-controller"}
)
_NGINX_CLASSES = frozenset({"nginx", "ingress-nginx", "nginx-internal", "nginx-public"})
_INGRESS_NGINX = "nginx.ingress.kubernetes.io/"
_NGINX_INC = ("nginx.org/", "nginx.com/")
_ALB = "alb.ingress.kubernetes.io/"
_AWS_LB = "service.beta.kubernetes.io/aws-load-balancer-"
_GKE_BACKEND_CONFIG = ("cloud.google.com/backend-config", "beta.cloud.google.com/backend-config")


def kubernetes_proxies(project: Project) -> Iterator[Proxy]:
    # A kustomize patch holds only what it changes in an object of its base.
    patches = kustomize_patches(project)
    objects = [(rel, doc) for rel, doc in project.k8s_objects if rel not in patches]
    services = {
        k8s_name(doc.data): doc.data
        for _rel, doc in objects
        if doc.data.get("kind") == "Service" and k8s_name(doc.data)
    }
    for rel, doc in objects:
        data = doc.data
        kind = data.get("kind")
        api = str(data.get("apiVersion", ""))
        if kind == "Ingress":
            yield from _ingress(rel, doc, services)
        elif kind == "Service" and api.startswith("serving.knative.dev/"):
            yield from _knative(rel, doc)
        elif kind == "Service":
            yield from _aws_service(rel, doc)
        elif kind == "ConfigMap" and k8s_name(data) in _INGRESS_NGINX_CONFIGMAPS:
            yield from _ingress_nginx_configmap(rel, doc)
        elif kind == "BackendConfig" and api.startswith("cloud.google.com/"):
            yield _gke_policy(rel, doc, ("spec",), "BackendConfig")
        elif kind == "GCPBackendPolicy" and api.startswith("networking.gke.io/"):
            yield _gke_policy(rel, doc, ("spec", "default"), "GCPBackendPolicy")


def _ingress_backends(spec: Any) -> list[str]:
    names: list[str] = []
    if not isinstance(spec, dict):
        return names

    def add(backend: Any) -> None:
        name = dig(backend, "service", "name") or dig(backend, "serviceName")
        if isinstance(name, str) and name not in names:
            names.append(name)

    add(spec.get("defaultBackend") or spec.get("backend"))
    for rule in spec.get("rules") or []:
        for path in dig(rule, "http", "paths") or []:
            add(dig(path, "backend"))
    return names


def _ingress(rel: str, doc: Located, services: dict[str, Any]) -> Iterator[Proxy]:
    data = doc.data
    ann = k8s_annotations(data)
    cls = str(dig(data, "spec", "ingressClassName") or ann.get("kubernetes.io/ingress.class", ""))
    backends = tuple(_ingress_backends(data.get("spec")))
    name = f"Ingress {k8s_name(data) or '?'} ({rel})"
    meta = where_in(doc, rel, "metadata", key=True)
    add_at = where_in(doc, rel, "metadata", "annotations", key=True) if ann else meta

    def annotation_where(key: str) -> Where:
        return where_in(doc, rel, "metadata", "annotations", key)

    yield from ingress_proxies(name, meta, add_at, ann, cls, annotation_where, backends, services)


def ingress_proxies(
    name: str,
    meta: Where,
    add_at: Where,
    ann: dict[str, str],
    cls: str,
    annotation_where: Callable[[str], Where],
    backends: tuple[str, ...],
    services: dict[str, Any],
) -> Iterator[Proxy]:
    """The proxy an Ingress of class ``cls`` with annotations ``ann`` makes (nothing for a
    controller these rules do not know): a manifest's, or a Helm chart's rendered from a
    release's values. ``meta`` names the object, ``add_at`` is where a missing annotation goes
    and ``annotation_where`` where an annotation is written."""
    if any(k.startswith(_NGINX_INC) for k in ann):
        yield _nginx_inc_ingress(name, meta, add_at, ann, annotation_where, backends)
    elif any(k.startswith(_INGRESS_NGINX) for k in ann) or cls in _NGINX_CLASSES:
        yield _ingress_nginx(name, meta, add_at, ann, annotation_where, backends)
    elif any(k.startswith(_ALB) for k in ann) or cls == "alb":
        yield _alb(name, meta, add_at, ann, annotation_where, backends)
    elif cls in ("gce", "gce-internal"):
        covered = any(
            any(k in k8s_annotations(services.get(b)) for k in _GKE_BACKEND_CONFIG)
            for b in backends
        )
        if not covered:
            yield Proxy(
                kind="gke",
                name=name,
                where=meta,
                timeouts=[
                    Timeout(
                        "timeoutSec",
                        30.0,
                        meta,
                        explicit=False,
                        idle=False,
                        fix="timeoutSec: {seconds}",
                        note="in a BackendConfig attached to the backend Service "
                        "(annotation cloud.google.com/backend-config)",
                        origin="the GKE load balancer's default",
                    )
                ],
                upstream=", ".join(backends) or None,
                hosts=backends,
            )


def _nginx_annotation_timeouts(
    prefix: str, add_at: Where, ann: dict[str, str], where: Any, *, fix: str, origin: str
) -> list[Timeout]:
    """The read and send timeouts of an NGINX-based controller's ``<prefix>proxy-*-timeout``.

    Both default to 60 s; *fix* is a template with ``{key}`` for the annotation's full name.
    """
    timeouts = []
    for key, streams in (("proxy-read-timeout", True), ("proxy-send-timeout", False)):
        full = prefix + key
        value = ann.get(full)
        seconds = nginx.parse_time(value) if value is not None else 60.0
        if seconds is None:
            continue
        timeouts.append(
            Timeout(
                full,
                seconds,
                where(full) if value is not None else add_at,
                explicit=value is not None,
                idle=True,
                fix=fix.format(key=full),
                cuts_stream=streams,
                origin=origin,
            )
        )
    return timeouts


def _ingress_nginx(
    name: str,
    meta: Where,
    add_at: Where,
    ann: dict[str, str],
    where: Any,
    backends: tuple[str, ...],
) -> Proxy:
    timeouts = _nginx_annotation_timeouts(
        _INGRESS_NGINX,
        add_at,
        ann,
        where,
        fix='{key}: "{{seconds}}"',
        origin="ingress-nginx's default (or its ConfigMap)",
    )
    buffering_key = _INGRESS_NGINX + "proxy-buffering"
    buffering = None
    if buffering_key in ann:
        buffering = Setting(
            buffering_key,
            ann[buffering_key].strip().lower(),
            where(buffering_key),
            fix=f'{buffering_key}: "off"',
        )
    return Proxy(
        kind="ingress-nginx",
        name=name,
        where=meta,
        timeouts=timeouts,
        buffering=buffering,
        upstream=", ".join(backends) or None,
        hosts=backends,
    )


def _nginx_inc_ingress(
    name: str,
    meta: Where,
    add_at: Where,
    ann: dict[str, str],
    where: Any,
    backends: tuple[str, ...],
) -> Proxy:
    timeouts = _nginx_annotation_timeouts(
        "nginx.org/",
        add_at,
        ann,
        where,
        fix='{key}: "{{seconds}}s"',
        origin="the NGINX Ingress Controller's default",
    )
    key = "nginx.org/proxy-buffering"
    if key in ann:
        on = ann[key].strip().lower() in ("true", "on", "yes", "1")
        buffering = Setting(key, "on" if on else "off", where(key), fix=f'{key}: "False"')
    else:
        buffering = Setting(key, "on", add_at, explicit=False, fix=f'{key}: "False"')
    return Proxy(
        kind="nginx-ingress",
        name=name,
        where=meta,
        timeouts=timeouts,
        buffering=buffering,
        upstream=", ".join(backends) or None,
        hosts=backends,
    )


def _alb_attributes(value: str) -> dict[str, str]:
    out = {}
    for pair in value.split(","):
        key, sep, val = pair.partition("=")
        if sep:
            out[key.strip()] = val.strip()
    return out


def _alb(
    name: str,
    meta: Where,
    add_at: Where,
    ann: dict[str, str],
    where: Any,
    backends: tuple[str, ...],
) -> Proxy:
    key = _ALB + "load-balancer-attributes"
    attrs = _alb_attributes(ann.get(key, ""))
    raw = attrs.get("idle_timeout.timeout_seconds")
    seconds = parse_duration(raw) if raw is not None else 60.0
    timeouts = []
    if seconds is not None:
        timeouts.append(
            Timeout(
                "idle_timeout.timeout_seconds",
                seconds,
                where(key) if raw is not None else add_at,
                explicit=raw is not None,
                idle=True,
                fix=f"{key}: idle_timeout.timeout_seconds={{seconds}}",
                origin="the AWS Application Load Balancer's default",
            )
        )
    return Proxy(
        kind="aws-alb",
        name=name,
        where=meta,
        timeouts=timeouts,
        upstream=", ".join(backends) or None,
        hosts=backends,
    )


def _aws_service(rel: str, doc: Located) -> Iterator[Proxy]:
    data = doc.data
    ann = k8s_annotations(data)
    if dig(data, "spec", "type") != "LoadBalancer" or not any(k.startswith(_AWS_LB) for k in ann):
        return
    if ann.get(_AWS_LB + "type", "").strip().lower() in ("nlb", "nlb-ip", "external"):
        return  # NLB: a fixed 350 s TCP idle timeout
    key = _AWS_LB + "connection-idle-timeout"
    raw = ann.get(key)
    seconds = parse_duration(raw) if raw is not None else 60.0
    if seconds is None:
        return
    meta = where_in(doc, rel, "metadata", key=True)
    at = where_in(doc, rel, "metadata", "annotations", key) if raw is not None else meta
    yield Proxy(
        kind="aws-elb",
        name=f"Service {k8s_name(data) or '?'} ({rel})",
        where=meta,
        timeouts=[
            Timeout(
                key,
                seconds,
                at,
                explicit=raw is not None,
                idle=True,
                fix=f'{key}: "{{seconds}}"',
                origin="the AWS Classic Load Balancer's default",
            )
        ],
        upstream=k8s_name(data),
        hosts=(k8s_name(data),),
    )


def _ingress_nginx_configmap(rel: str, doc: Located) -> Iterator[Proxy]:
    data = doc.data.get("data")
    if not isinstance(data, dict):
        return
    timeouts = []
    for key, streams in (("proxy-read-timeout", True), ("proxy-send-timeout", False)):
        if key not in data:
            continue
        seconds = nginx.parse_time(str(data[key]))
        if seconds is None:
            continue
        timeouts.append(
            Timeout(
                key,
                seconds,
                where_in(doc, rel, "data", key),
                explicit=True,
                idle=True,
                fix=f'{key}: "{{seconds}}"',
                cuts_stream=streams,
            )
        )
    buffering = None
    if "proxy-buffering" in data:
        buffering = Setting(
            "proxy-buffering",
            str(data["proxy-buffering"]).strip().lower(),
            where_in(doc, rel, "data", "proxy-buffering"),
            fix='proxy-buffering: "off"',
        )
    compression = []
    for switch, types in (("use-gzip", "gzip-types"), ("enable-brotli", "brotli-types")):
        if str(data.get(switch, "")).strip().lower() != "true" or types not in data:
            continue
        listed = str(data[types]).lower().split()
        if "*" in listed or "text/event-stream" in listed:
            fix = without_event_stream(types, str(data[types]).replace(",", " ").split())
            compression.append(
                Setting(types, str(data[types]), where_in(doc, rel, "data", types), fix=fix)
            )
    yield Proxy(
        kind="ingress-nginx",
        name=f"ConfigMap {k8s_name(doc.data)} ({rel})",
        where=where_in(doc, rel, "metadata", key=True),
        timeouts=timeouts,
        buffering=buffering,
        compression=compression,
    )


def _gke_policy(rel: str, doc: Located, spec: tuple[str, ...], kind: str) -> Proxy:
    raw = dig(doc.data, *spec, "timeoutSec")
    seconds = parse_duration(raw) if raw is not None else 30.0
    at = (
        where_in(doc, rel, *spec, "timeoutSec")
        if raw is not None
        else where_in(doc, rel, *spec, key=True)
    )
    timeouts = []
    if seconds is not None:
        timeouts.append(
            Timeout(
                "timeoutSec",
                seconds,
                at,
                explicit=raw is not None,
                idle=False,
                fix="timeoutSec: {seconds}",
                origin="the GKE load balancer's default",
            )
        )
    return Proxy(
        kind="gke",
        name=f"{kind} {k8s_name(doc.data) or '?'} ({rel})",
        where=where_in(doc, rel, "metadata", key=True),
        timeouts=timeouts,
    )


def _knative(rel: str, doc: Located) -> Iterator[Proxy]:
    data = doc.data
    cloud_run = any(
        k.startswith("run.googleapis.com/")
        for k in (*k8s_annotations(data), *k8s_annotations(data, "spec", "template"))
    )
    path = ("spec", "template", "spec", "timeoutSeconds")
    raw = dig(data, *path)
    seconds = parse_duration(raw) if raw is not None else 300.0
    if seconds is None:
        return
    if raw is not None:
        at = where_in(doc, rel, *path)
    else:
        at = where_in(doc, rel, "spec", "template", "spec", key=True)
    yield Proxy(
        kind="cloud-run" if cloud_run else "knative",
        name=f"{'Cloud Run' if cloud_run else 'Knative'} Service {k8s_name(data) or '?'} ({rel})",
        where=where_in(doc, rel, "metadata", key=True),
        timeouts=[
            Timeout(
                "timeoutSeconds",
                seconds,
                at,
                explicit=raw is not None,
                idle=False,
                fix="timeoutSeconds: {seconds}",
                origin="Cloud Run's default" if cloud_run else "Knative's default",
            )
        ],
        upstream=k8s_name(data),
        hosts=(k8s_name(data),),
    )
