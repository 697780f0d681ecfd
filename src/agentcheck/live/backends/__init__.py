"""Backends: where a deployment's replicas run, registered through ``agentcheck_runtimes``.

The built-in ones (``local``, ``url``, ``docker``) are returned by this module's hook
implementation, loaded through the ``agentcheck`` entry-point group like any third party's
plugin: a new backend is one module with a :class:`~.base.Backend` subclass and a plugin that
returns it. :func:`runtimes` is the one list of runtime names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

from agentcheck import hookimpl
from agentcheck.live.backends.base import Backend, Capability, Launch, ReplicaStats, Unsupported

if TYPE_CHECKING:
    from agentcheck.live.backends.local import LocalBackend
    from agentcheck.live.backends.url import UrlBackend

__all__ = [
    "Backend",
    "Capability",
    "Launch",
    "LocalBackend",
    "ReplicaStats",
    "Unsupported",
    "UrlBackend",
    "make_backend",
    "runtimes",
]


def __getattr__(name: str) -> Any:
    # The built-in backends import psutil and the process helpers: only when asked for, since
    # every lint loads this module (it is an entry point) without running anything live.
    if name == "LocalBackend":
        from agentcheck.live.backends.local import LocalBackend

        return LocalBackend
    if name == "UrlBackend":
        from agentcheck.live.backends.url import UrlBackend

        return UrlBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@hookimpl
def agentcheck_runtimes() -> list[type[Backend]]:
    from agentcheck.live.backends.docker import DockerBackend
    from agentcheck.live.backends.local import LocalBackend
    from agentcheck.live.backends.url import UrlBackend

    return [LocalBackend, UrlBackend, DockerBackend]


def runtimes(pm: pluggy.PluginManager | None = None) -> dict[str, type[Backend]]:
    """Every registered backend class by runtime name (``local`` first).

    Raises RuntimeError if two plugins claim one name.
    """
    from agentcheck.plugins import get_plugin_manager, unique_by

    batches = (pm or get_plugin_manager()).hook.agentcheck_runtimes()
    found: dict[str, type[Backend]] = unique_by(batches, "runtime", lambda cls: repr(cls.name))
    by_name = {cls.name: cls for cls in found.values()}
    return dict(sorted(by_name.items(), key=lambda item: (item[0] != "local", item[0])))


def make_backend(
    runtime: str,
    options: Mapping[str, Any],
    *,
    urls: Sequence[str] = (),
    pm: pluggy.PluginManager | None = None,
) -> Backend:
    """The backend of ``runtime``, built from its options (``LiveSettings.backend()``)."""
    return runtimes(pm)[runtime].from_options(options, urls=urls)
