"""Names and scopes in a module's AST, as the graph reader follows them: the dotted name a call
is made through and what the module's imports make of it, a function's own nodes (not those of
functions nested in it), the names it binds and what it returns."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck import pyindex
from agentcheck._astwalk import child_nodes

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["call_name", "qualified_name", "walk_function"]


def call_name(func: ast.expr) -> str:
    """``a.b.c(...)`` -> ``"a.b.c"``; ``f(...)`` -> ``"f"``; ``""`` for anything else."""
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
        return ".".join(reversed(parts))
    return ""


def qualified_name(project: Project, rel: str, dotted: str) -> str:
    """``dotted`` as written in ``rel`` with its first name resolved through the file's
    imports: ``MS`` -> ``langgraph.checkpoint.memory.MemorySaver`` (for
    ``from langgraph.checkpoint.memory import MemorySaver as MS``)."""
    if not dotted:
        return ""
    head, _, rest = dotted.partition(".")
    for ref in pyindex.imports(project, rel):
        if head not in ref.bound:
            continue
        i = ref.bound.index(head)
        if ref.is_from:
            base = f"{ref.absolute or ref.module}.{ref.names[i]}"
        else:
            base = ref.module if ref.bound[0] != ref.module.split(".", 1)[0] else head
        return f"{base}.{rest}" if rest else base
    return dotted


def _function_bindings(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """Local names of a function bound by assignment or ``with ... as`` (last one wins)."""
    out: dict[str, ast.expr] = {}
    for node in walk_function(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            if isinstance(node.target, ast.Name):
                out[node.target.id] = node.value
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name):
                    out[item.optional_vars.id] = item.context_expr
    return out


def walk_function(fn: ast.AST) -> Iterator[ast.AST]:
    """Nodes of a function body, not descending into nested functions, lambdas or classes."""
    stack = list(child_nodes(fn))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        stack.extend(child_nodes(node))


def _returns(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    """Returned (or yielded, for context-manager factories) expressions."""
    out: list[ast.expr] = []
    for node in walk_function(fn):
        if isinstance(node, ast.Return | ast.Yield) and node.value is not None:
            out.append(node.value)
    return out


def _is_string(expr: ast.expr) -> bool:
    return isinstance(expr, ast.JoinedStr) or (
        isinstance(expr, ast.Constant) and isinstance(expr.value, str)
    )


def _is_empty(expr: ast.expr) -> bool:
    return (isinstance(expr, ast.List | ast.Tuple) and not expr.elts) or (
        isinstance(expr, ast.Constant) and expr.value is None
    )
