"""AC402: a proxy that buffers or caches the event stream."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.network._common import agent_proxies

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["SseBuffering"]

_NGINX_FAMILY = ("nginx", "ingress-nginx", "nginx-ingress")


class SseBuffering(Rule):
    """A proxy buffers or caches the agent's event stream.

    What it does
    ------------
    For nginx, ingress-nginx and the NGINX Ingress Controller in front of the agent, reports
    response buffering that applies to the stream: ``proxy_buffering on`` (written, or nginx's
    default) when the server behind does not send ``X-Accel-Buffering: no`` (langgraph-api
    sends it, Aegra does not), or when nginx is told to ignore that header
    (``proxy_ignore_headers X-Accel-Buffering``). Also reports ``proxy_cache`` on the routes
    that stream. ingress-nginx turns buffering off by default; an Ingress without annotations is
    not reported.

    Why is this bad?
    ----------------
    A buffering proxy holds the stream's events until its buffer fills or the run ends: tokens
    arrive in bursts or all at once, time to first token becomes the run's duration, and
    clients that expect progress time out. A cache can replay one user's stream to another.

    Example
    -------
    ```nginx
    location / {
        proxy_pass http://aegra:8000;
    }
    ```

    Use instead
    -----------
    ```nginx
    location / {
        proxy_pass http://aegra:8000;
        proxy_buffering off;
    }
    ```
    """

    code = "AC402"
    name = "sse-buffering"
    severity = Severity.ERROR
    message = "The proxy buffers the event stream."
    fix = "Turn response buffering off for the stream routes (`proxy_buffering off;`)."

    def check(self, project: Project) -> Iterator[Finding]:
        for proxy, behind in agent_proxies(project):
            if proxy.kind not in _NGINX_FAMILY:
                continue
            if proxy.cache is not None:
                cache = proxy.cache
                yield self.finding(
                    cache.where.path,
                    cache.where.line,
                    cache.where.column,
                    message=(
                        f"proxy_cache {cache.value} caches {proxy.name}, which streams runs: "
                        "caching buffers every event and can replay one user's stream to another."
                    ),
                    fix=f"Set `{cache.fix}` in the routes that stream.",
                )
            buffering = proxy.buffering
            if buffering is None or buffering.value != "on":
                continue
            written = (
                f"{buffering.name} is on"
                if buffering.explicit
                else f"{buffering.name} is on by default"
            )
            ignores = proxy.ignores_accel_buffering
            if ignores is not None and behind.no_buffering_header is not False:
                yield self.finding(
                    ignores.where.path,
                    ignores.where.line,
                    ignores.where.column,
                    message=(
                        f"{proxy.name} ignores X-Accel-Buffering ({ignores.name} "
                        f"{ignores.value}) and {written}: the server's `X-Accel-Buffering: no` "
                        "no longer turns buffering off, so events arrive in bursts."
                    ),
                    fix=(f"Write `{ignores.fix}`" if ignores.fix else "Remove that line")
                    + f", or add `{buffering.fix}` for the stream routes.",
                )
            elif behind.no_buffering_header is False:
                fix = (
                    f"Set `{buffering.fix}` instead."
                    if buffering.explicit
                    else f"Add `{buffering.fix}` to {proxy.name}."
                )
                yield self.finding(
                    buffering.where.path,
                    buffering.where.line,
                    buffering.where.column,
                    message=(
                        f"{written} for {proxy.name} and {behind.label} sends no "
                        "`X-Accel-Buffering: no`: the proxy holds events until its buffer "
                        "fills, so tokens arrive in bursts."
                    ),
                    fix=fix,
                )
