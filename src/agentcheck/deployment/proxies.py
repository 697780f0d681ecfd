"""The proxies and load balancers in front of the agent, and the settings that decide whether
a long SSE stream survives them.

:func:`find_proxies` finds every proxy the repository configures: nginx configurations (read
with crossplane, see :mod:`agentcheck.deployment.nginx`), Kubernetes Ingresses for
ingress-nginx, NGINX Inc's controller and the AWS Load Balancer Controller, AWS classic load
balancer Services, GKE BackendConfig and GCPBackendPolicy objects (and GKE Ingresses without
them), Cloud Run and Knative Services (and ``gcloud run deploy --timeout``), HAProxy,
Traefik (static and dynamic files, command-line flags, ServersTransport objects) and Envoy
static configurations. Each becomes a :class:`Proxy` with its timeouts, and for the nginx
family its buffering, caching, compression and upstream HTTP version; every value carries the
position of the line that sets it, or where it would be added when the proxy's default applies.

Nothing here raises on bad input and nothing here reads the deployment model (the model reads
this), so rules match proxies to servers themselves. The types are in
:mod:`agentcheck.deployment._proxy_model`, which the readers share.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING

import pathspec

from agentcheck.deployment import nginx
from agentcheck.deployment._guard import guarded
from agentcheck.deployment._proxy_files import envoy_proxies, gcloud_proxies, haproxy_proxies
from agentcheck.deployment._proxy_k8s import kubernetes_proxies
from agentcheck.deployment._proxy_model import (
    Proxy,
    ProxyKind,
    Setting,
    Timeout,
    dig,
    k8s_annotations,
    k8s_name,
    parse_duration,
    where_in,
    without_event_stream,
)
from agentcheck.deployment._proxy_traefik import traefik_proxies
from agentcheck.deployment.model import Where

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = [
    "Proxy",
    "ProxyKind",
    "Setting",
    "Timeout",
    "dig",
    "find_proxies",
    "k8s_annotations",
    "k8s_name",
    "parse_duration",
    "where_in",
    "without_event_stream",
]


def find_proxies(project: Project) -> list[Proxy]:
    """Every proxy the project configures, in a stable order (memoized per project)."""
    return project.memo("agentcheck.deployment.proxies", lambda: _find(project))


def _all(reader: Callable[[Project], Iterable[Proxy]], project: Project) -> list[Proxy]:
    return list(reader(project))


def _find(project: Project) -> list[Proxy]:
    found: list[Proxy] = []
    readers = (
        ("nginx configurations", _nginx),
        ("Kubernetes proxies", kubernetes_proxies),
        ("Cloud Run configurations", gcloud_proxies),
        ("HAProxy configurations", haproxy_proxies),
        ("Traefik configurations", traefik_proxies),
        ("Envoy configurations", envoy_proxies),
    )
    for what, reader in readers:
        # A reader that fails is reported at the first file it may have read.
        first = next(iter(project.files), None)
        none: list[Proxy] = []
        found.extend(guarded(project, first, what, partial(_all, reader, project), none))
    not_production = pathspec.GitIgnoreSpec.from_lines(project.config.not_production)
    for proxy in found:
        proxy.production = not not_production.match_file(proxy.where.path)
    return found


def _nginx(project: Project) -> Iterator[Proxy]:
    for config in nginx.project_configs(project):
        upstreams = config.upstreams()
        for location in config.proxy_locations():
            yield _nginx_location(project, config, location, upstreams)


def _nginx_where(project: Project, directive: nginx.Directive) -> Where:
    lines = project.memo(
        f"agentcheck.nginx.lines:{directive.file}",
        lambda: (project.text(directive.file, report=False) or "").splitlines(),
    )
    column = 1
    if 0 < directive.line <= len(lines):
        found = lines[directive.line - 1].find(directive.name)
        column = found + 1 if found >= 0 else 1
    return Where(directive.file, directive.line, column)


def _nginx_location(
    project: Project,
    config: nginx.NginxConfig,
    location: nginx.ProxyLocation,
    upstreams: dict[str, list[nginx.Directive]],
) -> Proxy:
    block = location.block
    at = _nginx_where(project, block)

    def setting(name: str, fix: str = "") -> Setting | None:
        found = location.lookup(name)
        if found is not None:
            value = " ".join(found.args)
            return Setting(name, value, _nginx_where(project, found), fix=fix)
        if location.opaque:
            return None
        return Setting(name, " ".join(nginx.DEFAULTS[name]), at, explicit=False, fix=fix)

    timeouts = []
    for name, streams in (("proxy_read_timeout", True), ("proxy_send_timeout", False)):
        value = setting(name)
        seconds = nginx.parse_time(value.value) if value else None
        if value is None or seconds is None:
            continue
        timeouts.append(
            Timeout(
                name,
                seconds,
                value.where,
                value.explicit,
                idle=True,
                fix=f"{name} {{seconds}}s;",
                cuts_stream=streams,
                origin="nginx's default",
            )
        )
    buffering = setting("proxy_buffering", "proxy_buffering off;")
    if buffering is not None:
        buffering = dataclasses.replace(buffering, value=buffering.value.lower())
    ignore = location.lookup("proxy_ignore_headers")
    ignores = None
    if ignore is not None and any(a.lower() == "x-accel-buffering" for a in ignore.args):
        kept = " ".join(a for a in ignore.args if a.lower() != "x-accel-buffering")
        ignores = Setting(
            ignore.name,
            " ".join(ignore.args),
            _nginx_where(project, ignore),
            fix=f"proxy_ignore_headers {kept};" if kept else "",
        )
    cache = location.lookup("proxy_cache")
    caching = None
    if cache is not None and cache.args and cache.args[0] != "off":
        caching = Setting(
            cache.name, cache.args[0], _nginx_where(project, cache), fix="proxy_cache off;"
        )
    compression = []
    for switch, types in (("gzip", "gzip_types"), ("brotli", "brotli_types")):
        on = location.effective(switch)
        listed = location.lookup(types)
        if on and on[0].lower() == "on" and listed is not None:
            kinds = [a.lower() for a in listed.args]
            if "*" in kinds or "text/event-stream" in kinds:
                compression.append(
                    Setting(
                        types,
                        " ".join(listed.args),
                        _nginx_where(project, listed),
                        fix=without_event_stream(types, listed.args, ";"),
                    )
                )
    hosts = []
    for target in config.targets(location):
        host = target.rsplit(":", 1)[0] if not target.startswith("unix:") else target
        hosts.append(host.strip("[]"))
    return Proxy(
        kind="nginx",
        name=f"{block.label} ({block.file})",
        where=at,
        timeouts=timeouts,
        buffering=buffering,
        ignores_accel_buffering=ignores,
        cache=caching,
        compression=compression,
        http_version=setting("proxy_http_version", "proxy_http_version 1.1;"),
        upstream=location.target,
        hosts=tuple(dict.fromkeys(hosts)),
    )
