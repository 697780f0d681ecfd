"""Where a graph's shape is read from in the code: the compile call, the keys the code reads,
and node names, the functions nodes run and whether they wait (``interrupt()``)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from agentcheck._astwalk import child_nodes, walk
from agentcheck.deployment._graphs import resolve_expr
from agentcheck.deployment._pynames import call_name, qualified_name, walk_function
from agentcheck.deployment.model import GraphInfo, Where
from agentcheck.versions._shape_model import _HELPER_DEPTH, END, START, Function, _where

if TYPE_CHECKING:
    from agentcheck.project import Project


def _find_call(tree: ast.Module, where: Where) -> tuple[ast.Call, Function | None] | None:
    """The compile (or agent factory) call at ``where`` and the innermost function it is in.
    Calls chained on it (``builder.compile().with_config(...)``) and the builder it is called
    on (``StateGraph(S).compile()``) start at the same place."""
    found: list[tuple[ast.Call, Function | None]] = []

    def visit(node: ast.AST, fn: Function | None) -> None:
        for child in child_nodes(node):
            start = getattr(child, "lineno", None)
            end = getattr(child, "end_lineno", None)
            if start is not None and end is not None and not start <= where.line <= end:
                continue
            if (
                isinstance(child, ast.Call)
                and child.lineno == where.line
                and child.col_offset + 1 == where.column
            ):
                found.append((child, fn))
            visit(child, child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else fn)

    visit(tree, None)
    for call, fn in found:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else call_name(func)
        if name in ("compile", "create_react_agent", "create_agent", "entrypoint"):
            return call, fn
    return found[-1] if found else None


def _key_reads(project: Project, rel: str) -> dict[str, Where]:
    """``x["key"]`` reads of a module, by key, the first of each (memoized per project)."""

    def build() -> dict[str, Where]:
        text = project.text(rel, report=False) or ""
        tree = project.python(rel) if "[" in text else None
        out: dict[str, Where] = {}
        for node in walk(tree) if tree is not None else ():
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Load)
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                out.setdefault(node.slice.value, _where(rel, node))
        return out

    return project.memo(f"agentcheck.versions:key-reads:{rel}", build)


class _CodeReader:
    """What :class:`~agentcheck.versions._shapes._Reader` looks up in the code of one graph:
    names, functions and where they interrupt."""

    def __init__(self, project: Project, graph: GraphInfo) -> None:
        self.project = project
        self.graph = graph
        self.interrupts: dict[str, list[int]] = {}
        for w in graph.interrupts:
            self.interrupts.setdefault(w.path, []).append(w.line)

    # ------------------------------------------------------------------ names

    def string(self, rel: str, expr: ast.expr, fn: Function | None) -> str | None:
        """A node name as the code writes it: a literal, ``START``/``END`` or a constant."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return expr.value
        if isinstance(expr, ast.Name | ast.Attribute):
            qualified = qualified_name(self.project, rel, call_name(expr))
            if qualified.startswith("langgraph.") or qualified in ("START", "END"):
                tail = qualified.rsplit(".", 1)[-1]
                if tail in ("START", "END"):
                    return START if tail == "START" else END
            found = resolve_expr(self.project, rel, expr, fn)
            if found is not None and isinstance(found[1], ast.Constant):
                value = found[1].value
                return value if isinstance(value, str) else None
        return None

    def function(
        self, rel: str, expr: ast.expr, fn: Function | None
    ) -> tuple[str, Function] | None:
        """The project function ``expr`` names, where it is defined."""
        if fn is not None and isinstance(expr, ast.Name):
            for node in walk_function(fn):
                if (
                    isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                    and node.name == expr.id
                ):
                    return rel, node
        found = resolve_expr(self.project, rel, expr, fn)
        if found is not None and isinstance(found[1], ast.FunctionDef | ast.AsyncFunctionDef):
            return found[0], found[1]
        return None

    # ------------------------------------------------------------------ waiting

    def waits(
        self, rel: str, fn: Function, depth: int = 0, seen: set[int] | None = None
    ) -> str | None:
        """``"interrupt() at file:line"`` when ``fn`` or a project function it calls
        interrupts."""
        seen = seen if seen is not None else set()
        if id(fn) in seen or depth > _HELPER_DEPTH:
            return None
        seen.add(id(fn))
        end = fn.end_lineno or fn.lineno
        for line in self.interrupts.get(rel, ()):
            if fn.lineno <= line <= end:
                return f"interrupt() at {rel}:{line}"
        for node in walk_function(fn):
            if isinstance(node, ast.Call):
                callee = self.function(rel, node.func, fn)
                if callee is not None:
                    found = self.waits(callee[0], callee[1], depth + 1, seen)
                    if found:
                        return found
        return None
