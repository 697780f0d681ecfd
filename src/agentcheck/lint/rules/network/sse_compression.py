"""AC403: gzip or brotli compression applied to ``text/event-stream``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.network._common import Behind, agent_proxies

if TYPE_CHECKING:
    from agentcheck.deployment.proxies import Proxy
    from agentcheck.project import Project

__all__ = ["SseCompression"]


class SseCompression(Rule):
    """A proxy compresses the agent's event stream.

    What it does
    ------------
    Reports compression that applies to ``text/event-stream`` responses in front of the agent:
    nginx ``gzip on`` or ``brotli on`` with ``gzip_types``/``brotli_types`` listing
    ``text/event-stream`` or ``*`` (inherited from ``http`` or ``server`` blocks too), the
    ingress-nginx ConfigMap's ``use-gzip``/``enable-brotli`` with such ``gzip-types`` or
    ``brotli-types``, and HAProxy ``compression type`` listing it.

    Severity follows what was measured behind nginx: compression together with response
    buffering (``proxy_buffering`` on and the server's ``X-Accel-Buffering: no`` absent or
    ignored, as behind Aegra) holds events: an error. Behind langgraph-api, whose
    ``X-Accel-Buffering: no`` keeps nginx from buffering, gzip alone did not delay the stream:
    info. When agentcheck cannot tell whether the proxy buffers: a warning.

    Why is this bad?
    ----------------
    A compressor keeps a window of output before it emits a block: small SSE events wait in it,
    so the stream arrives late and in bursts (measured behind nginx with buffering: the first
    event of a 6 s run arrived after 4 s, gzip-encoded, cut after 2 of 3 events). Some clients
    and proxies also mishandle compressed streams.

    Example
    -------
    ```nginx
    gzip on;
    gzip_types application/json text/event-stream;
    ```

    Use instead
    -----------
    ```nginx
    gzip on;
    gzip_types application/json;
    ```
    """

    code = "AC403"
    name = "sse-compression"
    severity = Severity.ERROR
    message = "The proxy compresses text/event-stream."
    fix = "Remove text/event-stream (and `*`) from the compressed types."

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int, int]] = set()
        for proxy, behind in agent_proxies(project):
            held = _buffered(proxy, behind)
            for setting in proxy.compression:
                key = (setting.where.path, setting.where.line, setting.where.column)
                if key in seen:
                    continue  # an http-level gzip_types serves every location below it
                seen.add(key)
                listed = "`*`" if "*" in setting.value.split() else "text/event-stream"
                what = f"{setting.name} lists {listed}, so {proxy.name} compresses the event stream"
                if held is not None and held[0]:
                    message = (
                        f"{what}, and {held[1]}: the compressor holds events until its buffer "
                        "fills (measured behind nginx: the first event of a 6 s run after 4 s, "
                        "the stream cut short), so tokens arrive late and in bursts."
                    )
                    severity = Severity.ERROR
                elif held is not None and behind.no_buffering_header:
                    message = (
                        f"{what}. Measured behind nginx, compression alone (gzip) did not delay "
                        f"{behind.label}'s stream: its `X-Accel-Buffering: no` keeps the proxy "
                        "from buffering it. Events are held as soon as buffering applies "
                        "(`proxy_ignore_headers X-Accel-Buffering`, a server that sends no such "
                        "header), and some clients mishandle compressed streams."
                    )
                    severity = Severity.INFO
                else:
                    message = (
                        f"{what}: when the proxy also buffers it (nginx does unless the server "
                        "sends `X-Accel-Buffering: no`), events wait in the compressor and "
                        "arrive in bursts."
                    )
                    severity = Severity.WARNING
                yield self.finding(
                    setting.where.path,
                    setting.where.line,
                    setting.where.column,
                    message=message,
                    fix=f"Write `{setting.fix}`." if setting.fix else self.fix,
                    severity=severity,
                )


def _buffered(proxy: Proxy, behind: Behind) -> tuple[bool, str] | None:
    """Whether the proxy also buffers the stream, and why; None when unknown."""
    buffering = proxy.buffering
    if buffering is None:
        return None
    if buffering.value != "on":
        return False, ""
    on = f"{buffering.name} is on" + ("" if buffering.explicit else " by default")
    if proxy.ignores_accel_buffering is not None:
        return True, f"{on} with X-Accel-Buffering ignored"
    if behind.no_buffering_header is False:
        return True, f"{on} and {behind.label} sends no `X-Accel-Buffering: no`"
    if behind.no_buffering_header is True:
        return False, ""
    return None
