"""AC403: gzip or brotli compression applied to ``text/event-stream``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.network._common import agent_proxies

if TYPE_CHECKING:
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

    Why is this bad?
    ----------------
    A compressor keeps a window of output before it emits a block: small SSE events wait in it,
    so the stream arrives late and in bursts (measured behind nginx: the first event arrived
    after 4 s instead of 1 s). Some clients and proxies also mishandle compressed streams.

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
        for proxy, _behind in agent_proxies(project):
            for setting in proxy.compression:
                key = (setting.where.path, setting.where.line, setting.where.column)
                if key in seen:
                    continue  # an http-level gzip_types serves every location below it
                seen.add(key)
                listed = "`*`" if "*" in setting.value.split() else "text/event-stream"
                yield self.finding(
                    setting.where.path,
                    setting.where.line,
                    setting.where.column,
                    message=(
                        f"{setting.name} lists {listed}, so {proxy.name} compresses the "
                        "agent's event stream: events wait in the compressor and arrive in bursts."
                    ),
                    fix=f"Write `{setting.fix}`." if setting.fix else self.fix,
                )
