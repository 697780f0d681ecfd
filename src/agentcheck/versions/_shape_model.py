"""A graph as a waiting thread sees it (:class:`GraphShape`, :class:`Node`), and the names the
shape reader shares."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from agentcheck.deployment.model import Where
from agentcheck.versions._schemas import Schema

Function = ast.FunctionDef | ast.AsyncFunctionDef
START, END = "__start__", "__end__"
#: StateGraph keyword -> schema role (both spellings LangGraph has had).
SCHEMA_KEYWORDS = {
    "state_schema": "state",
    "input": "input",
    "input_schema": "input",
    "output": "output",
    "output_schema": "output",
    "config_schema": "config",
    "context_schema": "context",
}
_BUILDER_METHODS = {
    "add_node",
    "add_edge",
    "add_conditional_edges",
    "add_sequence",
    "set_entry_point",
    "set_finish_point",
    "set_conditional_entry_point",
}
_HELPER_DEPTH = 3


@dataclass(frozen=True)
class Node:
    """One node of a graph."""

    name: str
    #: The ``add_node`` call.
    where: Where
    #: The function it runs (its name), when that is a function of the project.
    function: str | None = None
    #: Why threads wait in it (``"interrupt() at graph.py:14"``), or None.
    waits: str | None = None


@dataclass
class GraphShape:
    """One langgraph.json graph as a waiting thread sees it."""

    graph_id: str
    #: The langgraph.json entry, and its target as written (``./agent.py:graph``).
    where: Where
    spec: str | None = None
    #: The ``StateGraph(...)`` call, and the compile call, when found.
    builder: Where | None = None
    compile: Where | None = None
    #: ``"state"``, ``"input"``, ``"output"``, ``"config"``, ``"context"`` -> schema.
    schemas: dict[str, Schema] = field(default_factory=dict)
    #: Nodes by name; None when they cannot all be read.
    nodes: dict[str, Node] | None = None
    #: Static successors of each node (``__start__`` included); a node whose successors
    #: cannot be read maps to None.
    edges: dict[str, set[str] | None] = field(default_factory=dict)
    interrupt_before: frozenset[str] = frozenset()
    interrupt_after: frozenset[str] = frozenset()
    #: Keys the graph's code reads without a default (``state["key"]``), and where first.
    key_reads: dict[str, Where] = field(default_factory=dict)

    def waiting_points(self) -> Iterator[tuple[str, str, str]]:
        """``(node, pending node, why)``: where threads of this graph wait, and the node a
        resumed thread runs next (the node itself, or a successor after ``interrupt_after``)."""
        if self.nodes is None:
            return
        for name, node in self.nodes.items():
            if node.waits:
                yield name, name, node.waits
            elif name in self.interrupt_before or "*" in self.interrupt_before:
                yield name, name, "interrupt_before"
            if name in self.interrupt_after or "*" in self.interrupt_after:
                for succ in sorted(self.edges.get(name) or ()):
                    if succ != END:
                        yield name, succ, f"interrupt_after '{name}'"


def _where(rel: str, node: ast.AST) -> Where:
    return Where(rel, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)
