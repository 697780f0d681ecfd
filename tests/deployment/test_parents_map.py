"""parents_of maps each node to the parent ast.iter_child_nodes gives it, outside
``if __name__ == "__main__":`` blocks."""

from __future__ import annotations

import ast
from pathlib import Path

import agentcheck
from agentcheck.deployment._pytree import _is_main_guard, parents_of

MAIN_GUARDED = """
import os
x = os.getenv("A")
if __name__ == "__main__":
    y = os.getenv("B")
def f():
    if "__main__" == __name__:
        return os.environ["C"]
    return [os.environ.get(k) for k in ("D",)]
"""


def _reference(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    parents: dict[ast.AST, ast.AST] = {}
    todo = [tree]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt) and _is_main_guard(child):
                continue
            parents[child] = node
            todo.append(child)
    return parents


def test_the_map_is_iter_child_nodes_less_main_guards() -> None:
    sources = [MAIN_GUARDED]
    sources += [p.read_text() for p in sorted(Path(agentcheck.__file__).parent.rglob("*.py"))[:60]]
    for source in sources:
        tree = ast.parse(source)
        assert _no_context(parents_of(tree)) == _no_context(_reference(tree))


def _no_context(parents: dict[ast.AST, ast.AST]) -> dict[ast.AST, ast.AST]:
    """Without ``Load``/``Store``: one shared object each, whose "parent" is whichever name
    was visited last."""
    return {k: v for k, v in parents.items() if not isinstance(k, ast.expr_context)}


def test_main_guard_bodies_have_no_parents() -> None:
    tree = ast.parse(MAIN_GUARDED)
    parents = parents_of(tree)
    names = {
        node.value: node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert names["A"] in parents
    assert names["D"] in parents
    assert names["B"] not in parents
    assert names["C"] not in parents
    assert parents_of(tree) is parents  # built once per tree
