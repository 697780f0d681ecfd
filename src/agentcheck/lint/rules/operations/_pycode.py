"""What the operations rules read from served Python code, from the AST alone.

- :func:`env_reads`: environment variables a module reads with no default (AC511).
- :func:`debug_logging`: ``logging.basicConfig(level=DEBUG)`` and root-logger ``setLevel(DEBUG)``
  (AC501).
- :func:`cors_allow_all`: a CORS middleware allowing every origin with credentials (AC510).

Code under ``if __name__ == "__main__":`` never runs in a server and is skipped.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CORS_WORDS",
    "DEBUG_LOGGING_WORDS",
    "ENV_READ_WORDS",
    "MATCH_ALL_REGEXES",
    "CorsSite",
    "DebugSite",
    "EnvRead",
    "cors_allow_all",
    "debug_logging",
    "env_reads",
]

#: Calls that take a possibly-``None`` value without failing.
_NONE_SAFE_CALLS = frozenset({"bool", "str", "repr", "print", "isinstance", "type", "id"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical"})
_KEY_ERRORS = frozenset({"KeyError", "LookupError", "Exception", "BaseException"})
_DEBUG_NAMES = frozenset({"DEBUG", "NOTSET"})
_SETTINGS_BASES = frozenset({"BaseSettings"})
MATCH_ALL_REGEXES = frozenset({".*", ".+", "^.*$", "^.+$", "https?://.*", "^https?://.*$"})

# Names a module's text must contain for each analysis to find anything in it (see
# :func:`agentcheck.pyindex.python_naming`).
#: :func:`env_reads`: ``os.environ``, ``getenv``, pydantic ``BaseSettings``.
ENV_READ_WORDS = ("environ", "getenv", "BaseSettings")
#: :func:`debug_logging`: ``logging.basicConfig``, ``setLevel``.
DEBUG_LOGGING_WORDS = ("basicConfig", "setLevel")
#: :func:`cors_allow_all`.
CORS_WORDS = ("CORSMiddleware",)


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


@dataclass(frozen=True)
class DebugSite:
    """A call that sets the log level to DEBUG."""

    line: int
    column: int
    call: str


@dataclass(frozen=True)
class CorsSite:
    """A CORS middleware that allows every origin with credentials."""

    line: int
    column: int
    origins: str


# --------------------------------------------------------------------------- module names


class _Names:
    """How a module refers to ``os``, ``os.environ``, ``os.getenv`` and ``logging``."""

    def __init__(self, tree: ast.Module) -> None:
        self.os: set[str] = set()
        self.environ: set[str] = set()
        self.getenv: set[str] = set()
        self.logging: set[str] = set()
        self.logging_attrs: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "os":
                        self.os.add(alias.asname or "os")
                    elif alias.name == "logging":
                        self.logging.add(alias.asname or "logging")
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                for alias in node.names:
                    bound = alias.asname or alias.name
                    if node.module == "os" and alias.name == "environ":
                        self.environ.add(bound)
                    elif node.module == "os" and alias.name == "getenv":
                        self.getenv.add(bound)
                    elif node.module == "logging":
                        self.logging_attrs[bound] = alias.name

    def is_environ(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.environ
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "environ"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.os
        )

    def is_getenv(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.getenv
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr == "getenv":
            return isinstance(func.value, ast.Name) and func.value.id in self.os
        return func.attr == "get" and self.is_environ(func.value)

    def logging_attr(self, node: ast.expr) -> str | None:
        """``logging.X`` or a name imported from logging -> ``X``."""
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in self.logging
        ):
            return node.attr
        if isinstance(node, ast.Name):
            return self.logging_attrs.get(node.id)
        return None


# --------------------------------------------------------------------------- tree walking


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    parts = [node.test.left, *node.test.comparators]
    return any(isinstance(p, ast.Name) and p.id == "__name__" for p in parts) and any(
        isinstance(p, ast.Constant) and p.value == "__main__" for p in parts
    )


def _parents(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    """Child -> parent for every node outside ``if __name__ == "__main__":`` blocks."""
    parents: dict[ast.AST, ast.AST] = {}
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt) and _is_main_guard(child):
                continue
            parents[child] = node
            stack.append(child)
    return parents


def _ancestors(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> Iterator[ast.AST]:
    current = parents.get(node)
    while current is not None:
        yield current
        current = parents.get(current)


def _function_of(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    for anc in _ancestors(node, parents):
        if isinstance(anc, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return anc.name if not isinstance(anc, ast.Lambda) else "<lambda>"
    return None


def _str_const(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _mentions(node: ast.AST, name: str, aliases: dict[str, set[str]] | None = None) -> bool:
    """Whether ``node`` names the variable: its name as a string, or a Python name bound to
    a read of it (``url = os.getenv("X")`` ... ``if url:``)."""
    return any(
        (isinstance(n, ast.Constant) and n.value == name)
        or (aliases is not None and isinstance(n, ast.Name) and name in aliases.get(n.id, ()))
        for n in ast.walk(node)
    )


def _read_aliases(names: _Names, parents: dict[ast.AST, ast.AST]) -> dict[str, set[str]]:
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
            var = _str_const(value.args[0])
        elif isinstance(value, ast.Subscript) and names.is_environ(value.value):
            var = _str_const(value.slice)
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
    for anc in _ancestors(node, parents):
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
    node: ast.expr, parents: dict[ast.AST, ast.AST], names: _Names | None = None
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


# --------------------------------------------------------------------------- env reads


def env_reads(tree: ast.Module) -> list[EnvRead]:
    """Reads of environment variables that fail when the variable is unset, sorted by line.

    ``os.environ["X"]`` (unless inside ``try/except KeyError``, under a condition naming
    ``"X"`` or a name bound to a read of it, or after a check of it that raises or returns);
    ``os.getenv("X")`` / ``os.environ.get("X")`` with no default whose ``None`` is used where
    it fails (a positional argument, a method call, arithmetic); pydantic ``BaseSettings``
    fields without a default.
    """
    names = _Names(tree)
    parents = _parents(tree)
    aliases = _read_aliases(names, parents)
    found: list[EnvRead] = []
    for node in parents:
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            var = _str_const(node.slice)
            if (
                var
                and names.is_environ(node.value)
                and not _guarded_by_context(node, var, parents, aliases)
            ):
                function = _function_of(node, parents)
                found.append(EnvRead(var, node.lineno, node.col_offset + 1, "subscript", function))
        elif isinstance(node, ast.Call) and names.is_getenv(node.func):
            var = _str_const(node.args[0]) if node.args else None
            if var is None or _has_default(node):
                continue
            if _none_used_unguarded(node, parents, names) and not _guarded_by_context(
                node, var, parents, aliases
            ):
                found.append(
                    EnvRead(
                        var, node.lineno, node.col_offset + 1, "get", _function_of(node, parents)
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
                    take(_str_const(k), v)
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
        elif kw.arg in ("validation_alias", "alias", "env") and _str_const(kw.value):
            alias = _str_const(kw.value)
    return required, alias


# --------------------------------------------------------------------------- logging


def debug_logging(tree: ast.Module) -> list[DebugSite]:
    """``logging.basicConfig(level=DEBUG)`` and ``logging.getLogger().setLevel(DEBUG)`` (the
    root logger) outside ``__main__`` blocks."""
    names = _Names(tree)
    parents = _parents(tree)
    found: list[DebugSite] = []
    for node in parents:
        if not isinstance(node, ast.Call):
            continue
        if names.logging_attr(node.func) == "basicConfig":
            for kw in node.keywords:
                if kw.arg == "level" and _is_debug_level(kw.value, names):
                    found.append(
                        DebugSite(kw.value.lineno, kw.value.col_offset + 1, "logging.basicConfig")
                    )
        elif (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "setLevel"
            and node.args
            and _is_root_logger(node.func.value, names)
            and _is_debug_level(node.args[0], names)
        ):
            arg = node.args[0]
            found.append(DebugSite(arg.lineno, arg.col_offset + 1, "root logger setLevel"))
    return sorted(found, key=lambda s: (s.line, s.column))


def _is_debug_level(node: ast.expr, names: _Names) -> bool:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value.strip().upper() in _DEBUG_NAMES
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value <= 10
        return False
    return names.logging_attr(node) in _DEBUG_NAMES


def _is_root_logger(node: ast.expr, names: _Names) -> bool:
    if names.logging_attr(node) == "root":
        return True
    if isinstance(node, ast.Call) and names.logging_attr(node.func) == "getLogger":
        if not node.args and not node.keywords:
            return True
        arg = node.args[0] if node.args else None
        return isinstance(arg, ast.Constant) and arg.value in (None, "", "root")
    return False


# --------------------------------------------------------------------------- CORS


def cors_allow_all(tree: ast.Module) -> list[CorsSite]:
    """CORS middlewares (Starlette/FastAPI ``CORSMiddleware``, added with ``add_middleware`` or
    ``Middleware(...)``) that allow every origin and credentials."""
    parents = _parents(tree)
    found: list[CorsSite] = []
    for node in parents:
        if not isinstance(node, ast.Call) or not node.args:
            continue
        target = node.args[0]
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name != "CORSMiddleware":
            continue
        kws = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        creds = kws.get("allow_credentials")
        if not (isinstance(creds, ast.Constant) and creds.value is True):
            continue
        origins = kws.get("allow_origins")
        regex = kws.get("allow_origin_regex")
        if isinstance(origins, ast.List | ast.Tuple | ast.Set) and any(
            _str_const(e) == "*" for e in origins.elts
        ):
            found.append(CorsSite(origins.lineno, origins.col_offset + 1, "allow_origins=['*']"))
        elif _str_const(regex) in MATCH_ALL_REGEXES and regex is not None:
            found.append(
                CorsSite(
                    regex.lineno, regex.col_offset + 1, f"allow_origin_regex={_str_const(regex)!r}"
                )
            )
    return sorted(found, key=lambda s: (s.line, s.column))
