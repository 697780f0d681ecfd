"""Built-in rules: state. Loaded through the `agentcheck` entry-point group."""

from __future__ import annotations

from agentcheck.hookspecs import hookimpl
from agentcheck.lint.rule import Rule

__all__: list[str] = []


@hookimpl
def agentcheck_rules() -> list[type[Rule]]:
    return []
