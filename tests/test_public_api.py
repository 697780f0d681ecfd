"""The public API: every package's ``__all__`` is sorted and names only what exists."""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

import pytest

import agentcheck


def _packages() -> list[str]:
    names = ["agentcheck"]
    for info in pkgutil.walk_packages(agentcheck.__path__, "agentcheck."):
        if info.ispkg:
            names.append(info.name)
    return sorted(names)


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


PACKAGES = [name for name in _packages() if hasattr(_module(name), "__all__")]


def isort_style(name: str) -> tuple[int, list[int | str]]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then the rest,
    each in natural order."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    natural = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
    return kind, natural


def test_isort_style_order() -> None:
    names = ["hookimpl", "Rule", "__version__", "MAX_2", "MAX_10", "Finding", "all_rules"]
    assert sorted(names, key=isort_style) == [
        "MAX_2", "MAX_10", "Finding", "Rule", "__version__", "all_rules", "hookimpl",
    ]  # fmt: skip


def test_agentcheck_has_a_public_api() -> None:
    assert "agentcheck" in PACKAGES
    assert {"Finding", "Rule", "Severity", "hookimpl", "__version__"} <= set(agentcheck.__all__)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_unique_and_importable(name: str) -> None:
    module = _module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=isort_style), f"{name}.__all__ is not sorted"
    assert len(exported) == len(set(exported)), f"{name}.__all__ has duplicates"
    missing = [attr for attr in exported if not hasattr(module, attr)]
    assert not missing, f"{name}.__all__ names what it does not define: {missing}"
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert set(exported) <= set(namespace)
