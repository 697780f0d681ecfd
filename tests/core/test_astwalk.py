"""The fast tree walks visit what ``ast.walk`` / ``ast.iter_child_nodes`` visit, in order."""

from __future__ import annotations

import ast
import inspect

import agentcheck.deployment._graphs
import agentcheck.pysyntax
from agentcheck._astwalk import child_nodes, statements, walk

SOURCE = '''
import os, logging as log
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from x import y
try:
    import a
except* ValueError:
    from b import c
finally:
    import d
match os.name:
    case "nt" if (lambda: 0)():
        import e
    case _:
        pass
async def f(p: int = 1, *q, **r) -> None:
    """doc"""
    with open(p) as fh, ctx() as (g, h):
        import k
    return [i for i in range(3) if i], {k: v for k, v in {}.items()}, f"{p!r:>{q}}"
class C(Base, metaclass=M):
    @dec
    def m(self): global z; import m2
'''


def _trees() -> list[ast.AST]:
    sources = [SOURCE, inspect.getsource(agentcheck.deployment._graphs)]
    sources.append(inspect.getsource(agentcheck.pysyntax))
    return [ast.parse(s) for s in sources]


def test_walk_is_ast_walk_in_order() -> None:
    for tree in _trees():
        assert [id(n) for n in walk(tree)] == [id(n) for n in ast.walk(tree)]


def test_child_nodes_are_iter_child_nodes() -> None:
    for tree in _trees():
        for node in ast.walk(tree):
            assert child_nodes(node) == list(ast.iter_child_nodes(node))


def test_statements_are_every_statement_in_walk_order() -> None:
    for tree in _trees():
        expected = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]
        assert [n for n in statements(tree) if isinstance(n, ast.stmt)] == expected
    imports = [n for n in statements(_trees()[0]) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert len(imports) == 9
