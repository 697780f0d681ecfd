"""Built-in rules: network, proxies, SSE and timeouts (AC401-AC407).

The proxies come from :func:`agentcheck.deployment.proxies.find_proxies`, the servers and
workloads from :func:`agentcheck.deployment.deployment`; no rule parses deployment files itself.
Loaded through the ``agentcheck`` entry-point group.
"""

from __future__ import annotations

from agentcheck.hookspecs import hookimpl
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.network.client_timeout import ClientTimeoutTooShort
from agentcheck.lint.rules.network.proxy_timeout import ProxyTimeoutTooShort
from agentcheck.lint.rules.network.shutdown_grace import ShutdownGraceTooShort
from agentcheck.lint.rules.network.sse_buffering import SseBuffering
from agentcheck.lint.rules.network.sse_compression import SseCompression
from agentcheck.lint.rules.network.upstream_http_version import UpstreamHttpVersion
from agentcheck.lint.rules.network.worker_timeout import WorkerTimeout

__all__ = [
    "ClientTimeoutTooShort",
    "ProxyTimeoutTooShort",
    "ShutdownGraceTooShort",
    "SseBuffering",
    "SseCompression",
    "UpstreamHttpVersion",
    "WorkerTimeout",
]


@hookimpl
def agentcheck_rules() -> list[type[Rule]]:
    return [
        ProxyTimeoutTooShort,
        SseBuffering,
        SseCompression,
        UpstreamHttpVersion,
        WorkerTimeout,
        ClientTimeoutTooShort,
        ShutdownGraceTooShort,
    ]
