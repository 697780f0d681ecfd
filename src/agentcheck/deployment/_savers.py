"""The half of the graph reader that follows a name to what binds it, and a ``checkpointer=``
or ``store=`` argument to the class that constructs it (a saver class by name, a project factory
or subclass, a choice between branches), and finds where a file falls back when persistence
fails. :class:`~agentcheck.deployment._graphs._Analyzer` builds on it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from agentcheck import pyindex
from agentcheck.deployment._pynames import (
    _function_bindings,
    _returns,
    call_name,
    qualified_name,
)
from agentcheck.deployment._pyscan import keyword_lines, walk_lines
from agentcheck.deployment.model import NO_SAVER, CheckpointerInfo, SaverKind, Where

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["SAVER_CLASSES"]

#: Checkpointer and store classes by name: (backend, role).
SAVER_CLASSES: dict[str, tuple[SaverKind, str]] = {
    "MemorySaver": ("memory", "checkpointer"),
    "InMemorySaver": ("memory", "checkpointer"),
    "PersistentDict": ("memory", "checkpointer"),
    "SqliteSaver": ("sqlite", "checkpointer"),
    "AsyncSqliteSaver": ("sqlite", "checkpointer"),
    "PostgresSaver": ("postgres", "checkpointer"),
    "AsyncPostgresSaver": ("postgres", "checkpointer"),
    "ShallowPostgresSaver": ("postgres", "checkpointer"),
    "AsyncShallowPostgresSaver": ("postgres", "checkpointer"),
    "RedisSaver": ("redis", "checkpointer"),
    "AsyncRedisSaver": ("redis", "checkpointer"),
    "ShallowRedisSaver": ("redis", "checkpointer"),
    "AsyncShallowRedisSaver": ("redis", "checkpointer"),
    "MongoDBSaver": ("mongodb", "checkpointer"),
    "AsyncMongoDBSaver": ("mongodb", "checkpointer"),
    "InMemoryStore": ("memory", "store"),
    "SqliteStore": ("sqlite", "store"),
    "AsyncSqliteStore": ("sqlite", "store"),
    "PostgresStore": ("postgres", "store"),
    "AsyncPostgresStore": ("postgres", "store"),
    "RedisStore": ("redis", "store"),
    "AsyncRedisStore": ("redis", "store"),
    "MongoDBStore": ("mongodb", "store"),
}
_SAVER_BASES = {"BaseCheckpointSaver", "BaseStore"}
_MAX_DEPTH = 12


class _SaverReader:
    """Names and savers, for :class:`~agentcheck.deployment._graphs._Analyzer` (which sets
    :attr:`project`)."""

    project: Project

    def where(self, rel: str, node: ast.AST) -> Where:
        return Where(rel, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)

    # ------------------------------------------------------------------ names

    def resolve(
        self,
        rel: str,
        expr: ast.expr,
        fn: ast.FunctionDef | ast.AsyncFunctionDef | None,
        depth: int,
    ) -> tuple[str, ast.AST, ast.FunctionDef | ast.AsyncFunctionDef | None] | None:
        """Follow a name (local, then module level, then imports) to what binds it."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Name):
            if fn is not None:
                local = _function_bindings(fn).get(expr.id)
                if local is not None:
                    if isinstance(local, ast.Name) and local.id == expr.id:
                        return None
                    return self.resolve(rel, local, fn, depth + 1) or (rel, local, fn)
            found = pyindex.resolve_name(self.project, rel, expr.id)
            if found is None:
                return None
            target_rel, node = found
            # pyindex resolves module-level bindings: no enclosing function.
            return target_rel, node, None
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            base = pyindex.resolve_name(self.project, rel, expr.value.id)
            if base is not None and isinstance(base[1], ast.Module):
                found = pyindex.resolve_name(self.project, base[0], expr.attr)
                if found is not None:
                    return found[0], found[1], None
        return None

    # ------------------------------------------------------------------ savers

    def saver(
        self,
        rel: str,
        expr: ast.expr | None,
        fn: ast.FunctionDef | ast.AsyncFunctionDef | None,
        where: Where | None,
        depth: int = 0,
    ) -> CheckpointerInfo:
        """What ``expr`` (a ``checkpointer=``/``store=`` argument) constructs."""
        if expr is None:
            return NO_SAVER
        where = where or self.where(rel, expr)
        if depth > _MAX_DEPTH:
            return CheckpointerInfo("unknown", where)
        if isinstance(expr, ast.Constant) and expr.value in (None, True, False):
            return CheckpointerInfo("none", where)
        if isinstance(expr, ast.Await):
            return self.saver(rel, expr.value, fn, where, depth + 1)
        if isinstance(expr, ast.IfExp | ast.BoolOp):
            return self._saver_choice(rel, expr, fn, where, depth)
        if isinstance(expr, ast.Call):
            return self._saver_call(rel, expr, fn, where, depth)
        resolved = self.resolve(rel, expr, fn, depth + 1)
        if resolved is None:
            return CheckpointerInfo("unknown", where, call_name(expr))
        target_rel, node, scope = resolved
        if isinstance(node, ast.expr):
            info = self.saver(target_rel, node, scope, where, depth + 1)
            if info.origin is None and info.kind != "unknown":
                return CheckpointerInfo(
                    info.kind, where, info.constructor, self.where(target_rel, node)
                )
            return info
        if isinstance(node, ast.ClassDef):
            return self._class_kind(target_rel, node, where)
        return CheckpointerInfo("unknown", where, call_name(expr))

    def _saver_choice(
        self,
        rel: str,
        expr: ast.IfExp | ast.BoolOp,
        fn: ast.FunctionDef | ast.AsyncFunctionDef | None,
        where: Where,
        depth: int,
    ) -> CheckpointerInfo:
        """``a if cond else b`` and ``a or b``: the saver of a branch; ``conditional`` when
        another branch gives none (``MemorySaver() if interrupts else None``)."""
        branches = [expr.body, expr.orelse] if isinstance(expr, ast.IfExp) else expr.values
        infos = [self.saver(rel, b, fn, where, depth + 1) for b in branches]
        chosen = [i for i in infos if i.kind != "none"]
        if not chosen:
            return CheckpointerInfo("none", where)
        first = next((i for i in chosen if i.kind != "unknown"), chosen[0])
        return replace(first, conditional=first.conditional or len(chosen) < len(infos))

    def _saver_call(
        self,
        rel: str,
        call: ast.Call,
        fn: ast.FunctionDef | ast.AsyncFunctionDef | None,
        where: Where,
        depth: int,
    ) -> CheckpointerInfo:
        name = call_name(call.func)
        origin = self.where(rel, call)
        parts = name.split(".")
        # SomeSaver(...), SomeSaver.from_conn_string(...), module.SomeSaver(...)
        for i in range(len(parts) - 1, -1, -1):
            if parts[i] in SAVER_CLASSES:
                return CheckpointerInfo(SAVER_CLASSES[parts[i]][0], where, name, origin)
        qualified = qualified_name(self.project, rel, name)
        tail = qualified.rsplit(".", 2)
        for part in tail:
            if part in SAVER_CLASSES:
                return CheckpointerInfo(SAVER_CLASSES[part][0], where, name, origin)
        # A project factory or class: follow it.
        resolved = self.resolve(rel, call.func, fn, depth + 1)
        if resolved is not None:
            target_rel, node, _ = resolved
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for ret in _returns(node):
                    info = self.saver(target_rel, ret, node, where, depth + 1)
                    if info.kind not in ("unknown", "none"):
                        return info
                return CheckpointerInfo("custom", where, name, origin)
            if isinstance(node, ast.ClassDef):
                return self._class_kind(target_rel, node, where)
        if len(parts) > 1 and parts[-1] in ("from_conn_string", "from_url"):
            return CheckpointerInfo("custom", where, name, origin)
        return CheckpointerInfo("custom" if name else "unknown", where, name, origin)

    def _class_kind(self, rel: str, cls: ast.ClassDef, where: Where) -> CheckpointerInfo:
        for base in cls.bases:
            base_name = call_name(base).rsplit(".", 1)[-1]
            if base_name in SAVER_CLASSES:
                kind = SAVER_CLASSES[base_name][0]
                return CheckpointerInfo(kind, where, cls.name, self.where(rel, cls))
        return CheckpointerInfo("custom", where, cls.name, self.where(rel, cls))


#: Words in a ``try`` body that say it sets up persistence.
_PERSISTENCE_WORDS = ("Saver", "Store", "checkpoint", "postgres", "Postgres", "redis", "Redis")


@dataclass(frozen=True)
class _Fallbacks:
    """The ``except`` handlers of a file whose ``try`` sets up persistence."""

    spans: tuple[tuple[int, int], ...]
    #: ``checkpointer = None`` (or ``saver = None``) in those handlers.
    nones: tuple[Where, ...]

    def holds(self, node: ast.AST) -> bool:
        line = getattr(node, "lineno", 0)
        return any(start <= line <= end for start, end in self.spans)


_NO_FALLBACKS = _Fallbacks((), ())
_UNSET_SAVER = re.compile(r"(?i)(checkpointer|saver)\w*\s*(:[^=\n]*)?=\s*None\b")


def _fallback_handlers(project: Project, rel: str) -> _Fallbacks:
    """Where a file falls back when persistence fails: handlers of a ``try`` whose body
    mentions a saver, a store, checkpoints, Postgres or Redis."""

    def build() -> _Fallbacks:
        text = project.text(rel, report=False) or ""
        tree = project.python(rel) if "except" in text else None
        if tree is None:
            return _Fallbacks((), ())
        lines = text.splitlines()
        spans: list[tuple[int, int]] = []
        nones: list[Where] = []
        for node, _, _, _ in walk_lines(tree, keyword_lines(text, ["try:"])):
            if not isinstance(node, ast.Try | ast.TryStar) or not node.body:
                continue
            body = "\n".join(lines[node.body[0].lineno - 1 : node.body[-1].end_lineno or 0])
            if not any(w in body for w in _PERSISTENCE_WORDS):
                continue
            for handler in node.handlers:
                if not handler.body:
                    continue
                spans.append((handler.body[0].lineno, handler.body[-1].end_lineno or 0))
                for stmt in handler.body:
                    if _assigns_no_saver(stmt):
                        nones.append(Where(rel, stmt.lineno, stmt.col_offset + 1))
        return _Fallbacks(tuple(spans), tuple(nones))

    return project.memo(f"graphs:fallbacks:{rel}", build)


def _assigns_no_saver(stmt: ast.stmt) -> bool:
    """``checkpointer = None`` / ``self.saver = None``."""
    if not isinstance(stmt, ast.Assign | ast.AnnAssign) or stmt.value is None:
        return False
    if not (isinstance(stmt.value, ast.Constant) and stmt.value.value is None):
        return False
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    for target in targets:
        name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
        if "checkpointer" in name.lower() or "saver" in name.lower():
            return True
    return False
