"""Built-in rules: versions, rolling updates and rollback (AC601-AC603).

Each compares the working tree with the last release, read from git (see
:mod:`agentcheck.versions`). Loaded through the ``agentcheck`` entry-point group.
"""

from __future__ import annotations

from agentcheck.hookspecs import hookimpl
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.versions.ac601_state_schema_break import StateSchemaBreak
from agentcheck.lint.rules.versions.ac602_graph_topology_break import GraphTopologyBreak
from agentcheck.lint.rules.versions.ac603_graph_id_removed import GraphIdRemoved

__all__ = ["GraphIdRemoved", "GraphTopologyBreak", "StateSchemaBreak"]


@hookimpl
def agentcheck_rules() -> list[type[Rule]]:
    return [StateSchemaBreak, GraphTopologyBreak, GraphIdRemoved]
