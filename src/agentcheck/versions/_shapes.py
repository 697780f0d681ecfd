"""What a thread of each served graph depends on: its schemas, nodes, edges and where it waits.

Starts from the graph reader's :class:`~agentcheck.deployment.model.GraphInfo` (the compile
call a langgraph.json graph resolves to), finds the ``StateGraph(...)`` builder that call
compiles, and reads the builder's ``add_node`` / ``add_edge`` / ``add_conditional_edges`` /
``add_sequence`` calls in its scope. A node is a place where threads wait when it calls
``interrupt()`` (in its body or a project function it calls), or when the compile call names
it in ``interrupt_before``; after a node named in ``interrupt_after``, threads wait to enter
its successors. What cannot be read statically (a builder passed to a helper, a node name
computed at run time, a conditional edge without a path map) makes that part unknown, and
the rules say nothing about it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from agentcheck._astwalk import walk
from agentcheck.deployment._graphs import resolve_expr
from agentcheck.deployment._pynames import call_name, walk_function
from agentcheck.deployment.model import GraphInfo
from agentcheck.versions._schemas import read_schema
from agentcheck.versions._shape_code import _CodeReader, _find_call, _key_reads
from agentcheck.versions._shape_model import (
    _BUILDER_METHODS,
    END,
    SCHEMA_KEYWORDS,
    START,
    Function,
    GraphShape,
    Node,
    _where,
)

if TYPE_CHECKING:
    from agentcheck.project import Project


__all__ = ["GraphShape", "Node", "graph_shape"]


class _Reader(_CodeReader):
    """Reads one graph's shape; ``project`` is the working tree or a release."""

    # ------------------------------------------------------------------ builder

    def builder(
        self, rel: str, compile_call: ast.Call, fn: Function | None
    ) -> tuple[str, ast.Call, str | None, Function | None, list[ast.Call]] | None:
        """``(file, StateGraph call, builder name, scope, chained builder calls)``."""
        func = compile_call.func
        if not isinstance(func, ast.Attribute) or func.attr != "compile":
            return None
        target: ast.expr = func.value
        chained: list[ast.Call] = []
        name: str | None = None
        scope = fn
        if isinstance(target, ast.Name):
            name = target.id
            found = resolve_expr(self.project, rel, target, fn)
            if found is None or not isinstance(found[1], ast.expr):
                return None
            rel, target, scope = found[0], found[1], found[2]
        while isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute):
            if target.func.attr not in _BUILDER_METHODS:
                break
            chained.append(target)
            target = target.func.value
        if not isinstance(target, ast.Call) or not call_name(target.func).endswith("StateGraph"):
            return None
        return rel, target, name, scope, chained

    def calls_on(self, rel: str, name: str, scope: Function | None) -> tuple[list[ast.Call], bool]:
        """The builder method calls on ``name`` in its scope, in source order, and whether the
        builder escapes (passed to another function, which may add nodes)."""
        tree = self.project.python(rel)
        if tree is None:
            return [], True
        nodes: Iterable[ast.AST] = walk_function(scope) if scope is not None else walk(tree)
        calls: list[ast.Call] = []
        escapes = False
        for node in nodes:
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == name
            ):
                if func.attr in _BUILDER_METHODS:
                    calls.append(node)
                continue
            args = [*node.args, *(k.value for k in node.keywords)]
            if any(isinstance(a, ast.Name) and a.id == name for a in args):
                escapes = True
        calls.sort(key=lambda c: (c.lineno, c.col_offset))
        return calls, escapes

    def read(self) -> GraphShape | None:
        graph = self.graph
        if graph.graph_id is None:
            return None
        shape = GraphShape(graph.graph_id, graph.where, graph.spec)
        for rel in graph.files:
            for key, where in _key_reads(self.project, rel).items():
                shape.key_reads.setdefault(key, where)
        site = graph.compile
        if site is None:
            return shape
        tree = self.project.python(site.where.path)
        found = _find_call(tree, site.where) if tree is not None else None
        if found is None:
            return shape
        compile_call, fn = found
        shape.compile = site.where
        if site.kind in ("create_react_agent", "create_agent"):
            for kw in compile_call.keywords:
                if kw.arg == "state_schema":
                    schema = read_schema(self.project, site.where.path, kw.value, fn)
                    if schema is not None:
                        shape.schemas["state"] = schema
            return shape
        built = self.builder(site.where.path, compile_call, fn)
        if built is None:
            return shape
        rel, ctor, name, scope, chained = built
        shape.builder = _where(rel, ctor)
        self._schemas(shape, rel, ctor, scope)
        calls = [(rel, call, scope) for call in reversed(chained)]
        escapes = False
        if name is not None:
            more, escapes = self.calls_on(rel, name, scope)
            calls += [(rel, call, scope) for call in more]
            if rel != site.where.path and fn is None:
                # A builder imported from another module may get nodes where it is compiled.
                here, escapes_here = self.calls_on(site.where.path, name, None)
                calls += [(site.where.path, call, None) for call in here]
                escapes = escapes or escapes_here
        self._interrupt_lists(shape, site.where.path, compile_call, fn)
        nodes: dict[str, Node] | None = {}
        for call_rel, call, call_scope in calls:
            nodes = self._apply(shape, call_rel, call, call_scope, nodes)
        shape.nodes = None if escapes else nodes
        return shape

    def _schemas(self, shape: GraphShape, rel: str, ctor: ast.Call, scope: Function | None) -> None:
        given: dict[str, ast.expr] = {}
        if ctor.args:
            given["state"] = ctor.args[0]
        if len(ctor.args) > 1:
            given["context"] = ctor.args[1]
        for kw in ctor.keywords:
            role = SCHEMA_KEYWORDS.get(kw.arg or "")
            if role is not None:
                given[role] = kw.value
        for role, expr in given.items():
            schema = read_schema(self.project, rel, expr, scope)
            if schema is not None:
                shape.schemas[role] = schema

    def _interrupt_lists(
        self, shape: GraphShape, rel: str, call: ast.Call, fn: Function | None
    ) -> None:
        for kw in call.keywords:
            if kw.arg not in ("interrupt_before", "interrupt_after"):
                continue
            value = kw.value
            items = value.elts if isinstance(value, ast.List | ast.Tuple | ast.Set) else [value]
            names = frozenset(n for item in items if (n := self.string(rel, item, fn)))
            if kw.arg == "interrupt_before":
                shape.interrupt_before = names
            else:
                shape.interrupt_after = names

    # ------------------------------------------------------------------ builder calls

    def _node(
        self,
        rel: str,
        call: ast.Call,
        name_expr: ast.expr | None,
        action: ast.expr | None,
        scope: Function | None,
    ) -> Node | None:
        func = self.function(rel, action, scope) if action is not None else None
        if name_expr is not None:
            name = self.string(rel, name_expr, scope)
        else:
            name = func[1].name if func is not None else None
        if name is None:
            return None
        waits = self.waits(*func) if func is not None else None
        return Node(name, _where(rel, call), func[1].name if func else None, waits)

    def _apply(
        self,
        shape: GraphShape,
        rel: str,
        call: ast.Call,
        scope: Function | None,
        nodes: dict[str, Node] | None,
    ) -> dict[str, Node] | None:
        assert isinstance(call.func, ast.Attribute)
        method = call.func.attr
        kw = {k.arg: k.value for k in call.keywords if k.arg}
        args = list(call.args)
        if method == "add_node":
            first = args[0] if args else kw.get("node")
            action = args[1] if len(args) > 1 else kw.get("action")
            if first is None:
                return None
            is_name = action is not None
            node = self._node(rel, call, first if is_name else None, action or first, scope)
            if node is None or nodes is None:
                return None
            nodes[node.name] = node
        elif method == "add_sequence":
            items = args[0] if args else kw.get("nodes")
            if not isinstance(items, ast.List | ast.Tuple):
                return None
            previous: str | None = None
            for item in items.elts:
                if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                    node = self._node(rel, call, item.elts[0], item.elts[1], scope)
                else:
                    node = self._node(rel, call, None, item, scope)
                if node is None or nodes is None:
                    return None
                nodes[node.name] = node
                if previous is not None:
                    self._edge(shape, previous, {node.name})
                previous = node.name
        elif method == "add_edge":
            start = args[0] if args else kw.get("start_key")
            end = args[1] if len(args) > 1 else kw.get("end_key")
            dest = self.string(rel, end, scope) if end is not None else None
            sources = start.elts if isinstance(start, ast.List | ast.Tuple) else [start]
            for src in sources:
                name = self.string(rel, src, scope) if src is not None else None
                if name is not None:
                    self._edge(shape, name, {dest} if dest else None)
        elif method in ("add_conditional_edges", "set_conditional_entry_point"):
            if method == "add_conditional_edges":
                source = self.string(rel, args[0], scope) if args else None
                path_map = args[2] if len(args) > 2 else kw.get("path_map")
            else:
                source = START
                path_map = args[1] if len(args) > 1 else kw.get("path_map")
            if source is not None:
                self._edge(shape, source, self._destinations(rel, path_map, scope))
        elif method == "set_entry_point" and args:
            dest = self.string(rel, args[0], scope)
            self._edge(shape, START, {dest} if dest else None)
        elif method == "set_finish_point" and args:
            last = self.string(rel, args[0], scope)
            if last is not None:
                self._edge(shape, last, {END})
        return nodes

    def _destinations(
        self, rel: str, path_map: ast.expr | None, scope: Function | None
    ) -> set[str] | None:
        if isinstance(path_map, ast.Dict):
            values: list[ast.expr] = list(path_map.values)
        elif isinstance(path_map, ast.List | ast.Tuple):
            values = list(path_map.elts)
        else:
            return None
        out = {self.string(rel, v, scope) for v in values}
        return None if None in out else {d for d in out if d is not None}

    @staticmethod
    def _edge(shape: GraphShape, source: str, dests: set[str] | None) -> None:
        if source in shape.edges and shape.edges[source] is None:
            return
        if dests is None:
            shape.edges[source] = None
            return
        current = shape.edges.setdefault(source, set())
        assert current is not None
        current.update(dests)


def graph_shape(project: Project, graph: GraphInfo) -> GraphShape | None:
    """The shape of one langgraph.json graph of ``project`` (None for graphs without an id)."""
    return _Reader(project, graph).read()


def shapes_by_id(project: Project, graphs: Iterable[GraphInfo]) -> Mapping[str, GraphShape]:
    """:func:`graph_shape` of every graph with an id; the first of two with one id wins."""
    out: dict[str, GraphShape] = {}
    for graph in graphs:
        shape = graph_shape(project, graph)
        if shape is not None:
            out.setdefault(shape.graph_id, shape)
    return out
