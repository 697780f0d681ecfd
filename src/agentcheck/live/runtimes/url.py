"""The ``url`` runtime: an existing deployment, checked read-only."""

from __future__ import annotations

import signal
import time
from collections.abc import Sequence

from agentcheck.errors import LiveError, UsageError
from agentcheck.live.runtimes.base import DeploymentSpec, Progress, Runtime
from agentcheck.live.services import http

__all__ = ["UrlRuntime"]


class UrlRuntime(Runtime):
    """A deployment agentcheck did not start and must not break.

    ``urls[0]`` is the entry point (``url``); further URLs address replicas directly when the
    user gives them. ``start()`` waits until every URL answers the health path, ``stop()`` does
    nothing, and ``kill`` / ``restart`` raise :class:`LiveError`. ``logs()`` is empty: the
    server's logs are not reachable from here.
    """

    name = "url"
    destructive = False

    def __init__(
        self,
        spec: DeploymentSpec,
        urls: Sequence[str],
        *,
        progress: Progress | None = None,
    ) -> None:
        super().__init__(spec, progress=progress)
        if not urls:
            raise UsageError("the url runtime needs the deployment's URL")
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise UsageError(f"not an http(s) URL: {url!r}")
        self._urls = [url.rstrip("/") for url in urls]

    def start(self) -> None:
        deadline = time.monotonic() + self.spec.startup_timeout
        for url in self._urls:
            target = url + self.spec.health
            self.report(f"waiting for {target}")
            while (code := http.status(target)) != 200:
                if time.monotonic() >= deadline:
                    answer = f"HTTP {code}" if code else "no answer"
                    raise LiveError(
                        f"{target} is not healthy ({answer}) after {self.spec.startup_timeout:g} s"
                    )
                time.sleep(0.5)
            self.report(f"{url} healthy")

    def stop(self) -> None:
        return None

    @property
    def urls(self) -> list[str]:
        return list(self._urls)

    def kill(self, index: int, sig: int = signal.SIGTERM, *, wait: bool = True) -> None:
        raise self._refused("kill")

    def restart(self, index: int) -> None:
        raise self._refused("restart")

    def alive(self, index: int) -> bool:
        return http.status(self._urls[index] + self.spec.health) == 200

    def logs(self, index: int) -> str:
        if not 0 <= index < len(self._urls):
            raise IndexError(f"no replica {index}; there are {len(self._urls)}")
        return ""

    def _refused(self, what: str) -> LiveError:
        return LiveError(f"{what} refused: the url runtime does not touch an existing deployment")
