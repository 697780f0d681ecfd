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
this), so rules match proxies to servers themselves.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pathspec

from agentcheck.deployment import nginx
from agentcheck.deployment.model import Where

if TYPE_CHECKING:
    from agentcheck.parsing import Located
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

ProxyKind = Literal[
    "nginx",
    "ingress-nginx",
    "nginx-ingress",
    "aws-alb",
    "aws-elb",
    "gke",
    "cloud-run",
    "knative",
    "haproxy",
    "traefik",
    "envoy",
]


@dataclass(frozen=True)
class Timeout:
    """A time limit a proxy puts on a request.

    ``explicit`` is False when no file sets it and the proxy's default applies; ``where`` then
    points at the block or object where it would be added.
    """

    #: As the user writes it: ``proxy_read_timeout``, ``idle_timeout.timeout_seconds`` ...
    setting: str
    #: Seconds; None when the limit is disabled (``0s`` for Envoy, Traefik).
    seconds: float | None
    where: Where
    explicit: bool
    #: An idle timer, reset by any byte (SSE heartbeats keep the stream alive); False for a
    #: limit on the whole response (GKE ``timeoutSec``, Envoy route ``timeout``, Cloud Run).
    idle: bool
    #: The line to write, with ``{seconds}`` for the value.
    fix: str
    #: False for limits that only apply while the request is sent (``proxy_send_timeout``).
    cuts_stream: bool = True
    #: ``"the ingress-nginx default"``: where an implicit value comes from, for messages.
    origin: str = ""
    #: Where the fix line goes, when the position alone does not say (``in a BackendConfig``).
    note: str = ""

    def suggestion(self, seconds: float) -> str:
        """The fix line with ``seconds`` filled in."""
        return self.fix.format(seconds=round(seconds))


@dataclass(frozen=True)
class Setting:
    """Any other proxy setting: its value, and where it is set (or would be added)."""

    name: str
    value: str
    where: Where
    explicit: bool = True
    #: What to write instead: ``proxy_buffering off;``.
    fix: str = ""


@dataclass
class Proxy:
    """One proxy or load balancer in front of (possibly) the agent."""

    kind: ProxyKind
    #: How messages name it: ``location /api/ (nginx/agent.conf)``, ``Ingress agent``.
    name: str
    where: Where
    timeouts: list[Timeout] = field(default_factory=list)
    #: nginx family: effective ``proxy_buffering`` (``on``/``off``); None when unknown or n/a.
    buffering: Setting | None = None
    #: nginx family: ``proxy_ignore_headers`` naming ``X-Accel-Buffering``.
    ignores_accel_buffering: Setting | None = None
    #: Response caching on this route (``proxy_cache zone``).
    cache: Setting | None = None
    #: Settings that make the proxy compress ``text/event-stream``.
    compression: list[Setting] = field(default_factory=list)
    #: nginx: effective ``proxy_http_version``; None when unknown or n/a.
    http_version: Setting | None = None
    #: Where it forwards requests: proxy_pass URL, backend service ...
    upstream: str | None = None
    #: Host or service names it forwards to; empty when it may front anything.
    hosts: tuple[str, ...] = ()
    #: False for files the configuration marks as not production (``*dev*``, ``*test*`` ...).
    production: bool = True

    def timeout(self, setting: str) -> Timeout | None:
        return next((t for t in self.timeouts if t.setting == setting), None)


def find_proxies(project: Project) -> list[Proxy]:
    """Every proxy the project configures, in a stable order (memoized per project)."""
    return project.memo("agentcheck.deployment.proxies", lambda: _find(project))


def _find(project: Project) -> list[Proxy]:
    from agentcheck.deployment._proxy_files import envoy_proxies, gcloud_proxies, haproxy_proxies
    from agentcheck.deployment._proxy_k8s import kubernetes_proxies
    from agentcheck.deployment._proxy_traefik import traefik_proxies

    found: list[Proxy] = []
    found.extend(_nginx(project))
    found.extend(kubernetes_proxies(project))
    found.extend(gcloud_proxies(project))
    found.extend(haproxy_proxies(project))
    found.extend(traefik_proxies(project))
    found.extend(envoy_proxies(project))
    not_production = pathspec.GitIgnoreSpec.from_lines(project.config.not_production)
    for proxy in found:
        proxy.production = not not_production.match_file(proxy.where.path)
    return found


# --------------------------------------------------------------------------- helpers

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_DURATION_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}


def parse_duration(value: object, *, unit: float = 1.0) -> float | None:
    """A duration in seconds: a number (in ``unit`` seconds), ``"90"``, ``"90s"``, ``"1m30s"``,
    ``"1.5s"``, ``"500ms"``, or a protobuf ``{seconds: 90}`` mapping; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) * unit
    if isinstance(value, Mapping):
        secs = parse_duration(value.get("seconds", 0))
        nanos = value.get("nanos", 0)
        if secs is None or not isinstance(nanos, int):
            return None
        return secs + nanos / 1e9
    if not isinstance(value, str):
        return None
    text = value.strip().strip("\"'")
    if not text:
        return None
    try:
        return float(text) * unit
    except ValueError:
        pass
    pos, total = 0, 0.0
    while pos < len(text):
        match = _DURATION.match(text, pos)
        if match is None:
            return None
        total += float(match[1]) * _DURATION_UNITS[match[2]]
        pos = match.end()
    return total


def where_in(doc: Located, rel: str, *path: str | int, key: bool = False) -> Where:
    line, column = doc.key_loc(*path) if key else doc.loc(*path)
    return Where(rel, line, column)


def dig(data: Any, *path: str | int) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def k8s_annotations(data: Any, *path: str) -> dict[str, str]:
    raw = dig(data, *path, "metadata", "annotations")
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in raw.items() if v is not None}


def k8s_name(data: Any) -> str:
    return str(dig(data, "metadata", "name") or "")


# --------------------------------------------------------------------------- nginx


def without_event_stream(name: str, types: Iterable[str], end: str = "") -> str:
    """``gzip_types application/json;``: the list without ``text/event-stream`` or ``*``."""
    kept = [t for t in types if t.lower() not in ("text/event-stream", "*")]
    if not kept:
        return f"remove {name}" if not end else f"{name} text/html{end}"
    return f"{name} {' '.join(kept)}{end}"


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
