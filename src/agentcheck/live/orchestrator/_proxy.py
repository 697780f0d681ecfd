"""The proxy in front of the replicas: what runs, and what checks need to know about it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["ProxyInfo", "describe"]


@dataclass(frozen=True)
class ProxyInfo:
    """The user's proxy as the deployment runs it (or, for an existing deployment, as the
    user says it stands in front of it). Checks read this instead of the user's files."""

    #: ``"nginx"``.
    kind: str
    #: The user's config file.
    source: Path
    #: The entry URL through the proxy; None when agentcheck did not start it.
    url: str | None
    #: The effective idle (read) timeout in seconds where it proxies to the agent
    #: (``proxy_read_timeout``); None when it cannot be known (a variable, an unreadable include).
    idle_timeout: float | None
    #: What agentcheck changed to run it here ("TLS directives dropped ...").
    notes: tuple[str, ...] = ()

    @property
    def started(self) -> bool:
        return self.url is not None


def describe(source: Path) -> ProxyInfo:
    """A proxy agentcheck does not start (in front of an existing deployment): its config is
    read once for what the checks need."""
    from agentcheck.deployment.nginx import effective_idle_timeout
    from agentcheck.live.services.nginx import read

    return ProxyInfo("nginx", source, None, effective_idle_timeout(read(source).config))
