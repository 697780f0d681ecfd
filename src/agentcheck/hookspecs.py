"""The hooks through which plugins extend agentcheck.

Built-in rules load through these hooks exactly as a third party's do: a plugin module is
named in the ``agentcheck`` entry-point group of its distribution and implements any of the
hooks below, decorated with :data:`agentcheck.hookimpl`. Hooks are always called with keyword
arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from agentcheck.lint.rule import Rule
    from agentcheck.project import Project

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("agentcheck")
hookimpl = pluggy.HookimplMarker("agentcheck")


@hookspec
def agentcheck_rules() -> list[type[Rule]]:  # type: ignore[empty-body]
    """Return the lint rule classes this plugin provides.

    Every plugin's list is collected; codes must be unique across all plugins.
    """


@hookspec
def agentcheck_live_checks() -> list[Any]:  # type: ignore[empty-body]
    """Return the live check classes this plugin provides (see :mod:`agentcheck.live`)."""


@hookspec
def agentcheck_runtimes() -> list[Any]:  # type: ignore[empty-body]
    """Return the live runtimes this plugin provides: subclasses of
    :class:`agentcheck.live.backends.Backend`, each with a unique ``name`` (the value of
    ``--agentcheck-runtime``).
    """


@hookspec
def agentcheck_project_loaded(project: Project) -> None:
    """Called once a project is constructed, before any rule runs.

    :param project: the project about to be linted; plugins may warm caches on it.
    """
