"""The ``url`` backend: an existing deployment, checked read-only.

Replica ``i`` is the ``i``-th URL the user gave (the first is the entry point). Starting one
only returns its URL (the orchestrator then waits for its health path); there is nothing to
signal, restart or read a log of, so it has no capability and checks that need one are
skipped. agentcheck does not choose these servers' environment (``managed = False``): no fake
LLM, no sealed egress, and the probe graph only if the deployment serves it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Self

from agentcheck.errors import UsageError
from agentcheck.live.backends.base import Backend, Launch, Unsupported

__all__ = ["UrlBackend"]


class UrlBackend(Backend):
    """A deployment agentcheck did not start and must not break."""

    name = "url"
    managed = False
    needs_urls = True
    options: ClassVar[dict[str, str]] = {
        "url": "the base URL(s) of an existing deployment, for runtime = url",
    }

    def __init__(self, urls: Sequence[str]) -> None:
        if not urls:
            raise UsageError("the url runtime needs the deployment's URL")
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise UsageError(f"not an http(s) URL: {url!r}")
        self.urls = [url.rstrip("/") for url in urls]

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, urls: Sequence[str] = ()) -> Self:
        return cls(urls)

    @property
    def fixed_replicas(self) -> int:
        return len(self.urls)

    def _url(self, index: int) -> str:
        if not 0 <= index < len(self.urls):
            raise IndexError(f"no replica {index}; there are {len(self.urls)}")
        return self.urls[index]

    def start(self, launch: Launch) -> str:
        return self._url(launch.index)

    def signal(self, index: int, sig: int) -> None:
        raise Unsupported("kill refused: the url runtime does not touch an existing deployment")

    def alive(self, index: int) -> bool:
        """Taken to be running (its health path says whether it is ready)."""
        self._url(index)
        return True

    def log(self, index: int) -> str:
        self._url(index)
        return ""

    def close(self) -> None:
        return None
