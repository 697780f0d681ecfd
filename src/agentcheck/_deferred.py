"""Importing a library without the heavy modules it imports only for paths agentcheck never
takes (langgraph-cli's PyPI client, detect-secrets' secret verification over the network)."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["deferred"]


class _Deferred(types.ModuleType):
    """Stands in for a module until an attribute is used, then imports the real one."""

    def __getattr__(self, attr: str) -> object:
        return getattr(importlib.import_module(self.__name__), attr)


@contextmanager
def deferred(*modules: str) -> Iterator[None]:
    """While the block runs, each of ``modules`` not yet imported is a stand-in that imports
    the real module on first use; the stand-ins are removed from ``sys.modules`` after, so
    every other import of those modules is untouched. What the block imported keeps its
    stand-in, which still works (it imports the real module when first used)."""
    stand_ins = {m: _Deferred(m) for m in modules if m not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for module, stand_in in stand_ins.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]
