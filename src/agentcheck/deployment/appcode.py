"""What served Python code sets up for the whole app, from the AST alone: DEBUG logging on the
root logger (AC501) and a CORS middleware allowing every origin with credentials (AC510). Code
under ``if __name__ == "__main__":`` never runs in a server and is skipped.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from agentcheck.deployment._pytree import ModuleNames, parents_of, str_const

__all__ = [
    "CORS_WORDS",
    "DEBUG_LOGGING_WORDS",
    "MATCH_ALL_REGEXES",
    "CorsSite",
    "DebugSite",
    "cors_allow_all",
    "debug_logging",
]

_DEBUG_NAMES = frozenset({"DEBUG", "NOTSET"})
MATCH_ALL_REGEXES = frozenset({".*", ".+", "^.*$", "^.+$", "https?://.*", "^https?://.*$"})
# Names a module's text must contain for each analysis to find anything in it (see
# :func:`agentcheck.pyindex.python_naming`).
#: :func:`debug_logging`: ``logging.basicConfig``, ``setLevel``.
DEBUG_LOGGING_WORDS = ("basicConfig", "setLevel")
#: :func:`cors_allow_all`.
CORS_WORDS = ("CORSMiddleware",)


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


def debug_logging(tree: ast.Module) -> list[DebugSite]:
    """``logging.basicConfig(level=DEBUG)`` and ``logging.getLogger().setLevel(DEBUG)`` (the
    root logger) outside ``__main__`` blocks."""
    names = ModuleNames(tree)
    parents = parents_of(tree)
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


def _is_debug_level(node: ast.expr, names: ModuleNames) -> bool:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value.strip().upper() in _DEBUG_NAMES
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value <= 10
        return False
    return names.logging_attr(node) in _DEBUG_NAMES


def _is_root_logger(node: ast.expr, names: ModuleNames) -> bool:
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
    parents = parents_of(tree)
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
            str_const(e) == "*" for e in origins.elts
        ):
            found.append(CorsSite(origins.lineno, origins.col_offset + 1, "allow_origins=['*']"))
        elif str_const(regex) in MATCH_ALL_REGEXES and regex is not None:
            found.append(
                CorsSite(
                    regex.lineno, regex.col_offset + 1, f"allow_origin_regex={str_const(regex)!r}"
                )
            )
    return sorted(found, key=lambda s: (s.line, s.column))
