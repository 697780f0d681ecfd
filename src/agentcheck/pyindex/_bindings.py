"""What a module-level name is bound to, following aliases and imports across the project's
modules."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING

from agentcheck.pyindex._imports import (
    ImportRef,
    _is_type_checking,
    _locate,
    _module_file,
    _python,
    _submodule_file,
    imports,
)

if TYPE_CHECKING:
    from agentcheck.project import Project


__all__ = ["resolve_name", "top_level_bindings"]

#: How many ``from x import y`` / alias hops :func:`resolve_name` follows before giving up.
_MAX_HOPS = 32


# --------------------------------------------------------------------------- bindings


def _bind_targets(target: ast.expr, value: ast.expr, out: dict[str, ast.AST]) -> None:
    if isinstance(target, ast.Name):
        out[target.id] = value
    elif isinstance(target, ast.Tuple | ast.List):
        elts = value.elts if isinstance(value, ast.Tuple | ast.List) else None
        if elts is not None and len(elts) == len(target.elts):
            for t, v in zip(target.elts, elts, strict=True):
                _bind_targets(t, v, out)
        else:
            for t in target.elts:
                _bind_targets(t.value if isinstance(t, ast.Starred) else t, value, out)


def _collect_bindings(body: Sequence[ast.stmt], out: dict[str, ast.AST]) -> None:
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                _bind_targets(target, stmt.value, out)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None and isinstance(stmt.target, ast.Name):
                out[stmt.target.id] = stmt.value
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out[stmt.name] = stmt
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                out[alias.asname or alias.name.split(".", 1)[0]] = stmt
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = stmt
        elif isinstance(stmt, ast.If):
            if _is_type_checking(stmt.test):
                _collect_bindings(stmt.orelse, out)
                continue
            _collect_bindings(stmt.body, out)
            _collect_bindings(stmt.orelse, out)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            _collect_bindings(stmt.body, out)
            for handler in stmt.handlers:
                _collect_bindings(handler.body, out)
            _collect_bindings(stmt.orelse, out)
            _collect_bindings(stmt.finalbody, out)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None:
                    _bind_targets(item.optional_vars, item.context_expr, out)
            _collect_bindings(stmt.body, out)


def top_level_bindings(project: Project, rel: str) -> dict[str, ast.AST]:
    """Module-level names of ``rel`` and what binds them, the last binding in source order
    winning: an assignment's value expression, a ``def``/``class`` node, or the ``Import`` /
    ``ImportFrom`` statement. Bindings inside top-level ``if``/``try``/``with`` blocks count;
    those only under ``if TYPE_CHECKING`` do not. {} if the file does not parse."""

    def build() -> dict[str, ast.AST]:
        tree = _python(project, rel)
        out: dict[str, ast.AST] = {}
        if tree is not None:
            _collect_bindings(tree.body, out)
        return out

    return project.memo(f"pyindex:bindings:{rel}", build)


def _star_imports(project: Project, rel: str) -> list[ast.ImportFrom]:
    tree = _python(project, rel)
    if tree is None:
        return []
    return [
        s
        for s in tree.body
        if isinstance(s, ast.ImportFrom) and any(a.name == "*" for a in s.names)
    ]


def _import_source(
    project: Project, rel: str, stmt: ast.Import | ast.ImportFrom, name: str
) -> tuple[ImportRef, str] | None:
    """The ImportRef of ``stmt`` that binds ``name`` and the original imported name."""
    for ref in imports(project, rel):
        if ref.line != stmt.lineno or ref.col != stmt.col_offset + 1:
            continue
        if name in ref.bound:
            original = ref.names[ref.bound.index(name)] if ref.is_from else ref.module
            return ref, original
    return None


def resolve_name(project: Project, rel: str, name: str) -> tuple[str, ast.AST] | None:
    """Where the module-level ``name`` of ``rel`` is defined, following project code.

    Follows ``x = y`` aliases within a module, ``from .mod import y`` and ``import pkg.mod``
    into the project's own modules, ``mod.attr`` where ``mod`` is a project module, and star
    imports. Returns ``(file, node)``: the node is the value expression, the ``def``/``class``,
    an ``ast.Module`` when the name is a project module (``from pkg import sub``), or the
    ``Import``/``ImportFrom`` statement when the name comes from outside the project. None when
    the name is not bound at module level (or a cycle or hop limit is hit).
    """
    return _resolve(project, rel, name, set())


def _resolve(
    project: Project, rel: str, name: str, seen: set[tuple[str, str]]
) -> tuple[str, ast.AST] | None:
    if (rel, name) in seen or len(seen) > _MAX_HOPS:
        return None
    seen.add((rel, name))
    bindings = top_level_bindings(project, rel)
    node = bindings.get(name)
    if node is None:
        for star in _star_imports(project, rel):
            src = _import_source(project, rel, star, "*")
            ref = src[0] if src else None
            if ref is None:
                continue
            located = _locate(project, rel, ref.level, ref.module)
            target = _module_file(project, *located) if located else None
            if target is not None:
                found = _resolve(project, target, name, seen)
                if found is not None:
                    return found
        return None
    if isinstance(node, ast.Name):
        return _resolve(project, rel, node.id, seen) or (rel, node)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        base = _resolve(project, rel, node.value.id, seen)
        if base is not None and isinstance(base[1], ast.Module):
            return _resolve(project, base[0], node.attr, seen) or (rel, node)
        return (rel, node)
    if isinstance(node, ast.Import | ast.ImportFrom):
        return _resolve_import_binding(project, rel, node, name, seen)
    return (rel, node)


def _resolve_import_binding(
    project: Project,
    rel: str,
    node: ast.Import | ast.ImportFrom,
    name: str,
    seen: set[tuple[str, str]],
) -> tuple[str, ast.AST]:
    src = _import_source(project, rel, node, name)
    if src is None:
        return (rel, node)
    ref, original = src
    if not ref.is_from:
        # ``import a.b as c`` binds c to module a.b; ``import a.b`` binds a to package a.
        alias = next((a for a in node.names if (a.asname or a.name.split(".")[0]) == name), None)
        dotted = ref.module if alias is not None and alias.asname else (ref.top or "")
        found = _locate(project, rel, 0, dotted)
        path = _module_file(project, *found) if found else None
        tree = project.python(path) if path else None
        return (path, tree) if path and tree is not None else (rel, node)
    found = _locate(project, rel, ref.level, ref.module)
    if found is None:
        return (rel, node)
    root, parts = found
    module_file = _module_file(project, root, parts)
    # ``from pkg import item``: an attribute of pkg wins over a submodule named item.
    if module_file is not None and original in top_level_bindings(project, module_file):
        resolved = _resolve(project, module_file, original, seen)
        if resolved is not None:
            return resolved
    sub = _submodule_file(project, root, parts, original)
    if sub is not None:
        tree = project.python(sub)
        if tree is not None:
            return (sub, tree)
    if module_file is not None:
        resolved = _resolve(project, module_file, original, seen)
        if resolved is not None:
            return resolved
    return (rel, node)
