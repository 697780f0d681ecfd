"""What a proxy or load balancer is, as the proxy readers build it (see :mod:`.proxies`).

The types and the small helpers every proxy reader shares; the readers import this module,
and :func:`agentcheck.deployment.proxies.find_proxies` imports the readers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from agentcheck.deployment._k8s_util import get as dig
from agentcheck.deployment.model import Where
from agentcheck.scalars import parse_duration

if TYPE_CHECKING:
    from agentcheck.parsing import Located

__all__ = [
    "Proxy",
    "ProxyKind",
    "Setting",
    "Timeout",
    "dig",
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


# --------------------------------------------------------------------------- helpers


def where_in(doc: Located, rel: str, *path: str | int, key: bool = False) -> Where:
    line, column = doc.key_loc(*path) if key else doc.loc(*path)
    return Where(rel, line, column)


def k8s_annotations(data: Any, *path: str) -> dict[str, str]:
    raw = dig(data, *path, "metadata", "annotations")
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in raw.items() if v is not None}


def k8s_name(data: Any) -> str:
    return str(dig(data, "metadata", "name") or "")


def without_event_stream(name: str, types: Iterable[str], end: str = "") -> str:
    """``gzip_types application/json;``: the list without ``text/event-stream`` or ``*``."""
    kept = [t for t in types if t.lower() not in ("text/event-stream", "*")]
    if not kept:
        return f"remove {name}" if not end else f"{name} text/html{end}"
    return f"{name} {' '.join(kept)}{end}"
