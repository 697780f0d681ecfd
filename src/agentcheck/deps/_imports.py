"""Which distributions an import needs, and what declared distributions bring with them."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from agentcheck._distributions import IMPORT_TO_DISTS, NAMESPACES, PROVIDES
from agentcheck.deps._model import Declared, normalize


def is_stdlib(module: str) -> bool:
    """Whether the top-level module of ``module`` is in the standard library."""
    top = module.split(".", 1)[0]
    return top in sys.stdlib_module_names or top == "__future__"


def distributions_for_import(module: str) -> tuple[str, ...]:
    """Normalized names of the distributions that can provide the absolute import ``module``.

    The curated table decides for the longest matching dotted prefix; namespace packages
    (``google.cloud.*``, ``azure.*``) map by their first components; anything else maps to its
    normalized top-level name.
    """
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        prefix = ".".join(parts[:depth])
        if prefix in IMPORT_TO_DISTS:
            return tuple(normalize(d) for d in IMPORT_TO_DISTS[prefix])
    for prefix, depth in NAMESPACES.items():
        if module == prefix or module.startswith(prefix + "."):
            if len(parts) >= depth:
                return (normalize("-".join(parts[:depth])),)
            return ()
    return (normalize(parts[0]),)


def provided(declared: Iterable[Declared | str]) -> frozenset[str]:
    """Normalized names of the distributions that ``declared`` puts in the environment: the
    declared ones, what their extras add, and what :data:`PROVIDES` says they bring."""
    todo: list[str] = []
    for item in declared:
        if isinstance(item, str):
            todo.append(normalize(item))
            continue
        todo.append(item.key)
        todo += [f"{item.key}[{extra}]" for extra in item.extras]
    out: set[str] = set()
    while todo:
        key = todo.pop()
        if key in out:
            continue
        out.add(key)
        todo += [normalize(d) if "[" not in d else d for d in PROVIDES.get(key, ())]
    return frozenset(k for k in out if "[" not in k)
