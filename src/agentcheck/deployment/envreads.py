"""Environment variables served Python code reads with no fallback (AC511), from the AST alone.

:func:`env_reads` finds ``os.environ["X"]``, ``os.getenv("X")`` whose ``None`` is used where it
fails, and pydantic ``BaseSettings`` fields without a default. Code under
``if __name__ == "__main__":`` never runs in a server and is skipped.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from agentcheck._astwalk import walk
from agentcheck.deployment._pytree import (
    ModuleNames,
    ancestors,
    function_of,
    parents_of,
    str_const,
)

__all__ = ["ENV_READ_WORDS", "EnvRead", "env_reads"]

#: Calls that take a possibly-``None`` value without failing.
_NONE_SAFE_CALLS = frozenset({"bool", "str", "repr", "print", "isinstance", "type", "id"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical"})
_KEY_ERRORS = frozenset({"KeyError", "LookupError", "Exception", "BaseException"})
_SETTINGS_BASES = frozenset({"BaseSettings"})
#: Names a module's text must contain for :func:`env_reads` to find anything in it (see
#: :func:`agentcheck.pyindex.python_naming`): ``os.environ``, ``getenv``, pydantic
#: ``BaseSettings``.
ENV_READ_WORDS = ("environ", "getenv", "BaseSettings")


@dataclass(frozen=True)
class EnvRead:
    """A read of an environment variable that fails (or yields ``None``) when it is unset."""

    name: str
    line: int
    column: int
    #: ``"subscript"`` (``os.environ["X"]``), ``"get"`` (``os.getenv("X")`` used unguarded) or
    #: ``"settings"`` (a pydantic settings field without a default).
    kind: Literal["subscript", "get", "settings"]
    #: The enclosing function, or None at module or class level (runs at import).
    function: str | None = None
    #: Settings fields match env names case-insensitively unless the class says otherwise.
    case_sensitive: bool = True
    #: For settings: ``Settings.field``.
    detail: str = ""


def _mentions(node: ast.AST, name: str, aliases: dict[str, set[str]] | None = None) -> bool:
    """Whether ``node`` names the variable: its name as a string, or a Python name bound to
    a read of it (``url = os.getenv("X")`` ... ``if url:``)."""
    return any(
        (isinstance(n, ast.Constant) and n.value == name)
        or (aliases is not None and isinstance(n, ast.Name) and name in aliases.get(n.id, ()))
        for n in walk(node)
    )


def _read_aliases(names: ModuleNames, parents: dict[ast.AST, ast.AST]) -> dict[str, set[str]]:
    """Python names assigned a read of an environment variable (``url = os.getenv("X")``),
    each with every variable it is bound to anywhere in the module (scopes are not told
    apart: a name that may hold the variable counts as naming it)."""
    out: dict[str, set[str]] = {}
    for node in parents:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target, value = node.targets[0], node.value
        if not isinstance(target, ast.Name):
            continue
        var = None
        if isinstance(value, ast.Call) and names.is_getenv(value.func) and value.args:
            var = str_const(value.args[0])
        elif isinstance(value, ast.Subscript) and names.is_environ(value.value):
            var = str_const(value.slice)
        if var:
            out.setdefault(target.id, set()).add(var)
    return out


def _handler_names(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {"BaseException"}
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    out = set()
    for t in types:
        if isinstance(t, ast.Name):
            out.add(t.id)
        elif isinstance(t, ast.Attribute):
            out.add(t.attr)
    return out


def _guarded_by_context(
    node: ast.AST,
    name: str,
    parents: dict[ast.AST, ast.AST],
    aliases: dict[str, set[str]] | None = None,
) -> bool:
    """Inside ``try: ... except KeyError`` or a branch whose condition names the variable
    (``if "X" in os.environ:``)."""
    child: ast.AST = node
    for anc in ancestors(node, parents):
        if (
            isinstance(anc, ast.Try | ast.TryStar)
            and child in anc.body
            and any(_handler_names(h) & _KEY_ERRORS for h in anc.handlers)
        ):
            return True
        if (
            isinstance(anc, ast.If | ast.While | ast.IfExp)
            and child is not anc.test
            and _mentions(anc.test, name, aliases)
        ):
            return True
        if isinstance(anc, ast.BoolOp) and any(
            _mentions(v, name, aliases) for v in anc.values[: _index(anc.values, child)]
        ):
            return True
        if _checked_before(anc, child, name, aliases):
            return True
        if isinstance(anc, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            break
        child = anc
    return False


def _checked_before(
    block: ast.AST, child: ast.AST, name: str, aliases: dict[str, set[str]] | None = None
) -> bool:
    """Whether a statement before ``child`` in ``block`` checks the variable and leaves when
    it is missing (``if not os.getenv("X"): raise ...``, ``if "X" not in os.environ:
    return``): the read after it runs only when the variable is set."""
    for field in ("body", "orelse", "finalbody"):
        stmts = getattr(block, field, None)
        if not isinstance(stmts, list) or child not in stmts:
            continue
        for stmt in stmts[: stmts.index(child)]:
            if (
                isinstance(stmt, ast.If)
                and _mentions(stmt.test, name, aliases)
                and stmt.body
                and isinstance(stmt.body[-1], ast.Raise | ast.Return | ast.Continue | ast.Break)
            ):
                return True
    return False


def _index(items: list[ast.expr], node: ast.AST) -> int:
    return next((i for i, item in enumerate(items) if item is node), 0)


def _none_used_unguarded(
    node: ast.expr, parents: dict[ast.AST, ast.AST], names: ModuleNames | None = None
) -> bool:
    """Whether a value that may be ``None`` is used where ``None`` fails: a positional call
    argument (but ``bool()``, ``str()``, logging ...), a method call or index on it,
    arithmetic. A keyword argument is not: keyword parameters are mostly optional
    (``Langfuse(public_key=os.getenv("X"))`` falls back on its own), and neither is the
    default of another read (``os.getenv("A", os.getenv("B"))``)."""
    parent = parents.get(node)
    if isinstance(parent, ast.keyword):
        return False
    if isinstance(parent, ast.Call):
        if names is not None and names.is_getenv(parent.func):
            return False
        return node is not parent.func and not _none_safe_call(parent)
    if isinstance(parent, ast.Attribute | ast.Subscript):
        return parent.value is node
    if isinstance(parent, ast.BinOp):
        return True
    if isinstance(parent, ast.FormattedValue):
        return False
    return False


def _none_safe_call(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in _NONE_SAFE_CALLS
    return isinstance(func, ast.Attribute) and func.attr in _LOG_METHODS


def env_reads(tree: ast.Module) -> list[EnvRead]:
    """Reads of environment variables that fail when the variable is unset, sorted by line.

    ``os.environ["X"]`` (unless inside ``try/except KeyError``, under a condition naming
    ``"X"`` or a name bound to a read of it, or after a check of it that raises or returns);
    ``os.getenv("X")`` / ``os.environ.get("X")`` with no default whose ``None`` is used where
    it fails (a positional argument, a method call, arithmetic); pydantic ``BaseSettings``
    fields without a default.
    """
    names = ModuleNames(tree)
    parents = parents_of(tree)
    aliases = _read_aliases(names, parents)
    found: list[EnvRead] = []
    for node in parents:
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            var = str_const(node.slice)
            if (
                var
                and names.is_environ(node.value)
                and not _guarded_by_context(node, var, parents, aliases)
            ):
                function = function_of(node, parents)
                found.append(EnvRead(var, node.lineno, node.col_offset + 1, "subscript", function))
        elif isinstance(node, ast.Call) and names.is_getenv(node.func):
            var = str_const(node.args[0]) if node.args else None
            if var is None or _has_default(node):
                continue
            if _none_used_unguarded(node, parents, names) and not _guarded_by_context(
                node, var, parents, aliases
            ):
                found.append(
                    EnvRead(
                        var, node.lineno, node.col_offset + 1, "get", function_of(node, parents)
                    )
                )
        elif isinstance(node, ast.ClassDef) and _is_settings(node):
            found.extend(_settings_fields(node))
    return sorted(found, key=lambda r: (r.line, r.column, r.name))


def _has_default(call: ast.Call) -> bool:
    default: ast.expr | None = call.args[1] if len(call.args) > 1 else None
    for kw in call.keywords:
        if kw.arg in ("default", "value"):
            default = kw.value
    return default is not None and not (isinstance(default, ast.Constant) and default.value is None)


def _is_settings(cls: ast.ClassDef) -> bool:
    for base in cls.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
        if name in _SETTINGS_BASES:
            return True
    return False


def _settings_options(cls: ast.ClassDef) -> tuple[str, bool]:
    """``env_prefix`` and ``case_sensitive`` from ``model_config = SettingsConfigDict(...)``
    or a v1 ``class Config:``."""
    prefix, case_sensitive = "", False

    def take(key: str | None, value: ast.expr) -> None:
        nonlocal prefix, case_sensitive
        if key == "env_prefix" and isinstance(value, ast.Constant) and isinstance(value.value, str):
            prefix = value.value
        elif key == "case_sensitive" and isinstance(value, ast.Constant):
            case_sensitive = bool(value.value)

    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets
        ):
            if isinstance(stmt.value, ast.Call):
                for kw in stmt.value.keywords:
                    take(kw.arg, kw.value)
            elif isinstance(stmt.value, ast.Dict):
                for k, v in zip(stmt.value.keys, stmt.value.values, strict=False):
                    take(str_const(k), v)
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                if isinstance(inner, ast.Assign):
                    for t in inner.targets:
                        if isinstance(t, ast.Name):
                            take(t.id, inner.value)
    return prefix, case_sensitive


def _settings_fields(cls: ast.ClassDef) -> Iterator[EnvRead]:
    prefix, case_sensitive = _settings_options(cls)
    for stmt in cls.body:
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        field = stmt.target.id
        if field.startswith("_") or field == "model_config" or _is_classvar(stmt.annotation):
            continue
        env_name: str | None = prefix + field
        if stmt.value is not None:
            required, alias = _field_call(stmt.value)
            if not required:
                continue
            if alias is not None:
                env_name = alias
        yield EnvRead(
            env_name or field,
            stmt.lineno,
            stmt.col_offset + 1,
            "settings",
            None,
            case_sensitive=case_sensitive,
            detail=f"{cls.name}.{field}",
        )


def _is_classvar(annotation: ast.expr) -> bool:
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "ClassVar"


def _field_call(value: ast.expr) -> tuple[bool, str | None]:
    """For a field's value: whether it is required (``Field(...)`` or ``Field()`` with no
    default) and the env alias it names (``validation_alias``, ``alias``, v1 ``env``)."""
    if not isinstance(value, ast.Call):
        return False, None
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name != "Field":
        return False, None
    required = True
    if value.args:
        first = value.args[0]
        required = isinstance(first, ast.Constant) and first.value is Ellipsis
    alias: str | None = None
    for kw in value.keywords:
        if kw.arg in ("default", "default_factory"):
            required = isinstance(kw.value, ast.Constant) and kw.value.value is Ellipsis
        elif kw.arg in ("validation_alias", "alias", "env") and str_const(kw.value):
            alias = str_const(kw.value)
    return required, alias
