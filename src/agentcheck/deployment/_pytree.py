"""Walking a served module's AST: how it names ``os.environ``, ``getenv`` and ``logging``,
and every node's parent outside ``if __name__ == "__main__":`` blocks (code there never runs in
a server). Shared by :mod:`.envreads` and :mod:`.appcode`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from agentcheck._astwalk import statements

__all__ = ["ModuleNames", "ancestors", "function_of", "parents_of", "str_const"]


class ModuleNames:
    """How a module refers to ``os``, ``os.environ``, ``os.getenv`` and ``logging``."""

    def __init__(self, tree: ast.Module) -> None:
        self.os: set[str] = set()
        self.environ: set[str] = set()
        self.getenv: set[str] = set()
        self.logging: set[str] = set()
        self.logging_attrs: dict[str, str] = {}
        for node in statements(tree):
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


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    parts = [node.test.left, *node.test.comparators]
    return any(isinstance(p, ast.Name) and p.id == "__name__" for p in parts) and any(
        isinstance(p, ast.Constant) and p.value == "__main__" for p in parts
    )


#: Where :func:`parents_of` keeps its map on the tree: the environment, logging and CORS
#: readers each ask for it (AC501, AC510, AC511), and the map lives exactly as long as the tree.
_PARENTS = "_agentcheck_parents"


def parents_of(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    """Child -> parent for every node outside ``if __name__ == "__main__":`` blocks, built
    once per tree (callers must not change it)."""
    known: dict[ast.AST, ast.AST] | None = tree.__dict__.get(_PARENTS)
    if known is not None:
        return known
    parents: dict[ast.AST, ast.AST] = {}
    stack: list[ast.AST] = [tree]
    push = stack.append
    node_type, if_type = ast.AST, ast.If
    while stack:
        node = stack.pop()
        # The children in ast.iter_child_nodes order, inlined: this runs on every node of
        # every served module that reads the environment, logs or sets up CORS. Only an
        # `if` can be a main guard.
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for child in value:
                    if isinstance(child, node_type) and not (
                        child.__class__ is if_type and _is_main_guard(child)
                    ):
                        parents[child] = node
                        push(child)
            elif isinstance(value, node_type):
                if value.__class__ is if_type and _is_main_guard(value):
                    continue
                parents[value] = node
                push(value)
    tree.__dict__[_PARENTS] = parents
    return parents


def ancestors(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> Iterator[ast.AST]:
    """``node``'s parent, its parent's parent ... up to the module."""
    current = parents.get(node)
    while current is not None:
        yield current
        current = parents.get(current)


def function_of(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    """The name of the function ``node`` is in, None at module or class level."""
    for anc in ancestors(node, parents):
        if isinstance(anc, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return anc.name if not isinstance(anc, ast.Lambda) else "<lambda>"
    return None


def str_const(node: ast.expr | None) -> str | None:
    """A string constant's value, else None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
