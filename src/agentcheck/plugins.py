"""Loading plugins and the rule registry."""

from __future__ import annotations

import functools

import pluggy

from agentcheck import hookspecs
from agentcheck.lint.rule import Rule

__all__ = ["all_rules", "get_plugin_manager"]

ENTRY_POINT_GROUP = "agentcheck"


def get_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager with the hook specs added and every ``agentcheck`` entry point loaded.

    The built-in rule families are entry points of agentcheck's own distribution, so they load
    on the same path as a third party's plugins.
    """
    pm = pluggy.PluginManager("agentcheck")
    pm.add_hookspecs(hookspecs)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    pm.check_pending()
    return pm


@functools.cache
def _rules(pm_id: int, pm: pluggy.PluginManager) -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for batch in pm.hook.agentcheck_rules():
        for rule in batch:
            other = found.get(rule.code)
            if other is not None and other is not rule:
                raise RuntimeError(
                    f"rule code {rule.code} is defined twice: by {other.__module__} "
                    f"and by {rule.__module__}"
                )
            found[rule.code] = rule
    return tuple(sorted(found.values(), key=lambda r: r.code))


def all_rules(pm: pluggy.PluginManager | None = None) -> tuple[type[Rule], ...]:
    """Every registered rule class, sorted by code (including the runner's own AC100/AC9xx)."""
    pm = pm or _default_pm()
    return _rules(id(pm), pm)


@functools.cache
def _default_pm() -> pluggy.PluginManager:
    return get_plugin_manager()
