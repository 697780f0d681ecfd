"""Loading plugins and the rule registry."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import ClassVar, Protocol, TypeVar

import pluggy

from agentcheck import hookspecs
from agentcheck.lint.rule import Rule

__all__ = ["all_rules", "by_code", "get_plugin_manager", "unique_by"]

ENTRY_POINT_GROUP = "agentcheck"


#: agentcheck's own entry points that add no lint rule (the live checks, the load checks, the
#: runtimes): a lint does not import them (40 modules, 25 ms of a lint's start).
_NOT_RULES = frozenset(
    {"agentcheck.live.checks", "agentcheck.load.checks", "agentcheck.live.backends"}
)


def get_plugin_manager(*, lint: bool = False) -> pluggy.PluginManager:
    """A plugin manager with the hook specs added and every ``agentcheck`` entry point loaded.

    The built-in rule families are entry points of agentcheck's own distribution, so they load
    on the same path as a third party's plugins. With ``lint``, agentcheck's own entry points
    that add no rule are left out (a third party's are all loaded).
    """
    pm = pluggy.PluginManager("agentcheck")
    pm.add_hookspecs(hookspecs)
    if lint:
        _load_entry_points(pm, skip=_NOT_RULES)
    else:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    pm.check_pending()
    return pm


def _load_entry_points(pm: pluggy.PluginManager, skip: frozenset[str]) -> None:
    """``pm.load_setuptools_entrypoints``, in the same order and with the same rule for names
    met twice (the first wins), except that the entry points naming a module of ``skip`` are
    not loaded (their names still count as taken)."""
    import importlib.metadata

    taken: set[str] = set()
    for dist in list(importlib.metadata.distributions()):
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP or ep.name in taken or pm.has_plugin(ep.name):
                continue
            if pm.is_blocked(ep.name):
                continue
            if ep.value in skip:
                taken.add(ep.name)
                continue
            pm.register(ep.load(), name=ep.name)


class _Coded(Protocol):
    code: ClassVar[str]


_C = TypeVar("_C", bound=type[_Coded])


_T = TypeVar("_T", bound=type)


def unique_by(
    batches: Iterable[Iterable[_T]], what: str, key: Callable[[_T], str]
) -> dict[str, _T]:
    """The classes a hook returned (one batch per plugin), keyed by ``key(cls)``.

    A class listed twice is kept once; two different classes claiming one key raise
    RuntimeError naming both modules (*what* names the kind of thing, e.g. ``"rule code"``).
    """
    found: dict[str, _T] = {}
    for batch in batches:
        for cls in batch:
            name = key(cls)
            other = found.get(name)
            if other is not None and other is not cls:
                raise RuntimeError(
                    f"{what} {name} is defined twice: by {other.__module__} and by {cls.__module__}"
                )
            found[name] = cls
    return found


def by_code(batches: Iterable[Iterable[_C]], what: str) -> dict[str, _C]:
    """The classes a hook returned (one batch per plugin), keyed by their ``code``.

    A class listed twice is kept once; two different classes claiming one code raise
    RuntimeError naming both modules (*what* names the kind of thing, e.g. ``"rule"``).
    """
    return unique_by(batches, f"{what} code", lambda cls: cls.code)


@functools.cache
def _rules(pm_id: int, pm: pluggy.PluginManager) -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = by_code(pm.hook.agentcheck_rules(), "rule")
    return tuple(sorted(found.values(), key=lambda r: r.code))


def all_rules(pm: pluggy.PluginManager | None = None) -> tuple[type[Rule], ...]:
    """Every registered rule class, sorted by code (including the runner's own AC100/AC9xx)."""
    pm = pm or _default_pm()
    return _rules(id(pm), pm)


@functools.cache
def _default_pm() -> pluggy.PluginManager:
    return get_plugin_manager()
