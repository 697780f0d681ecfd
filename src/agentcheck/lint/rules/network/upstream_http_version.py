"""AC404: nginx proxies the agent with HTTP/1.0."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.network._common import agent_proxies

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["UpstreamHttpVersion"]

#: nginx 1.29.7 (and stable 1.30) made ``proxy_http_version 1.1`` the default.
_HTTP11_DEFAULT = (1, 29, 7)
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


class UpstreamHttpVersion(Rule):
    """nginx proxies the agent with HTTP/1.0.

    What it does
    ------------
    Reports nginx locations in front of the agent whose ``proxy_http_version`` is 1.0, written
    or by default. nginx's default was 1.0 until 1.29.7 (stable 1.30); when every nginx image
    the project runs is that version or newer, the default is not reported.

    Why is this bad?
    ----------------
    With HTTP/1.0 nginx opens a new connection to the agent for every request (no keep-alive)
    and the agent cannot use chunked transfer encoding, so a stream can only end by closing
    the connection. It works, slower, and fails with servers that require HTTP/1.1.

    Example
    -------
    ```nginx
    location / {
        proxy_pass http://agent:8000;
    }
    ```

    Use instead
    -----------
    ```nginx
    location / {
        proxy_pass http://agent:8000;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
    }
    ```
    """

    code = "AC404"
    name = "upstream-http-version"
    severity = Severity.INFO
    message = "nginx proxies the agent with HTTP/1.0."
    fix = 'Add `proxy_http_version 1.1;` and `proxy_set_header Connection "";`.'

    def check(self, project: Project) -> Iterator[Finding]:
        modern = _runs_modern_nginx(project)
        for proxy, _behind in agent_proxies(project):
            version = proxy.http_version
            if proxy.kind != "nginx" or version is None or version.value != "1.0":
                continue
            if not version.explicit and modern:
                continue
            how = "proxy_http_version 1.0" if version.explicit else "nginx's default before 1.29.7"
            yield self.finding(
                version.where.path,
                version.where.line,
                version.where.column,
                message=(
                    f"{proxy.name} proxies with HTTP/1.0 ({how}): no keep-alive to the agent "
                    "and no chunked responses."
                ),
                fix=(
                    'Write `proxy_http_version 1.1;` (with `proxy_set_header Connection "";`).'
                    if version.explicit
                    else f'Add `proxy_http_version 1.1;` and `proxy_set_header Connection "";` '
                    f"to {proxy.name}."
                ),
            )


def _runs_modern_nginx(project: Project) -> bool:
    """Every nginx image the project runs is 1.29.7 or newer (or a moving tag such as
    ``stable``); False when the project names no nginx image."""
    dep = deployment(project)
    images = [image for info in dep.dockerfiles.values() for image, _where in info.froms]
    images.extend(c.image for w in dep.workloads for c in w.containers if c.image)
    tags = []
    for image in images:
        ref = image.split("@", 1)[0]
        name, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
        base = name.rsplit("/", 1)[-1]
        if base in ("nginx", "nginx-unprivileged", "openresty"):
            tags.append(tag)
    if not tags:
        return False
    for tag in tags:
        match = _VERSION.match(tag)
        if match is None:
            continue  # latest, stable, mainline, alpine: current releases
        version = tuple(int(part or 0) for part in match.groups())
        if version < _HTTP11_DEFAULT:
            return False
    return True
