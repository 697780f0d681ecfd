"""What agentcheck is distributed as, and the optional parts a command needs installed.

The distribution is ``langgraph-agentcheck``; the import package, the ``agentcheck`` command
and its pytest options are called ``agentcheck``. ``agentcheck lint`` needs no extra. The live
checks need ``[live]`` (pytest, httpx, httpx-sse, langgraph-sdk, psutil, and ``langgraph dev``
to run the agent locally), load runs ``[load]`` (Locust), the Docker runtime ``[docker]``
(testcontainers). A command that lacks one says which, and the ``pip install`` line that brings
it, instead of failing on an import deep inside.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable

from agentcheck.errors import UsageError

__all__ = ["DISTRIBUTION", "install_line", "missing", "require"]

#: The name agentcheck is published under on the package registry.
DISTRIBUTION = "langgraph-agentcheck"

#: What the live checks import whatever the runtime.
LIVE_MODULES = ("pytest", "httpx", "httpx_sse", "langgraph_sdk", "psutil", "pydantic")
#: What ``langgraph dev`` (the default local server) needs besides: ``langgraph-cli[inmem]``.
LANGGRAPH_DEV_MODULES = ("langgraph_cli", "langgraph_api", "langgraph_runtime_inmem", "langgraph")


def install_line(extra: str | None = None) -> str:
    """``pip install 'langgraph-agentcheck[extra]'`` (no brackets without ``extra``)."""
    spec = f"{DISTRIBUTION}[{extra}]" if extra else DISTRIBUTION
    return f"pip install '{spec}'" if extra else f"pip install {spec}"


def missing(modules: Iterable[str]) -> list[str]:
    """The top-level ``modules`` that cannot be imported here (found without importing them)."""
    gone = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a broken install, or blocked in sys.modules
            found = False
        if not found:
            gone.append(name)
    return gone


def require(modules: Iterable[str], what: str, extra: str) -> None:
    """Raise :class:`UsageError` when some of ``modules`` cannot be imported: it names them,
    ``what`` needed them, and the line installing ``extra``, which brings them."""
    gone = missing(modules)
    if gone:
        verb = "is" if len(gone) == 1 else "are"
        raise UsageError(
            f"{what}: {', '.join(gone)} {verb} not installed; {install_line(extra)} brings "
            f"{'it' if len(gone) == 1 else 'them'}"
        )
