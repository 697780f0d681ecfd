"""Runtimes: where the live checks get a running deployment (see :mod:`.base`)."""

from __future__ import annotations

from collections.abc import Sequence

from agentcheck.errors import UsageError
from agentcheck.live.runtimes.base import DeploymentSpec, Progress, Runtime

__all__ = ["RUNTIMES", "DeploymentSpec", "Progress", "Runtime", "make_runtime"]

#: The runtimes ``--agentcheck-runtime`` accepts.
RUNTIMES = ("local", "url")


def make_runtime(
    kind: str,
    spec: DeploymentSpec,
    urls: Sequence[str] = (),
    *,
    progress: Progress | None = None,
) -> Runtime:
    """Build (not start) the runtime named ``kind`` for ``spec``.

    ``urls`` are the existing deployment's base URLs for ``kind="url"`` (the first one is the
    entry point; give several to address replicas directly); other runtimes ignore them.
    Raises UsageError for an unknown kind or a url runtime without URLs.
    """
    if kind == "local":
        from agentcheck.live.runtimes.local import LocalRuntime

        return LocalRuntime(spec, progress=progress)
    if kind == "url":
        from agentcheck.live.runtimes.url import UrlRuntime

        return UrlRuntime(spec, urls, progress=progress)
    raise UsageError(f"unknown runtime {kind!r}; choose one of: {', '.join(RUNTIMES)}")
