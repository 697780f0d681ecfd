"""AC311's one walk of an async function finds the calls, their parents and the assigned names
that walking it twice with a map of every node's parent found."""

from __future__ import annotations

import ast
from pathlib import Path

import agentcheck
from agentcheck._astwalk import child_nodes
from agentcheck.deployment._pynames import walk_function
from agentcheck.lint.rules.state.blocking_call_in_async_node import _calls_and_locals

SOURCE = """
import time, requests
async def node(state, *, cfg=make()):
    x = requests.get(url)
    y, z = 1, 2
    for item in graph.stream(state):
        time.sleep(1)
    def inner():
        return requests.post(url)
    cb = lambda: time.sleep(2)
    class Helper:
        w = compute()
    async with client() as c:
        await c.get(url)
    return [f(v) for v in x]
"""


def _reference(fn: ast.AST, local: set[str]) -> tuple[list[ast.AST], dict[ast.AST, ast.AST]]:
    parents: dict[ast.AST, ast.AST] = {}
    for node in walk_function(fn):
        for child in child_nodes(node):
            parents[child] = node
        if isinstance(node, ast.Assign):
            local.update(t.id for t in node.targets if isinstance(t, ast.Name))
    calls = [node for node in walk_function(fn) if isinstance(node, ast.Call)]
    return calls, {c: parents[c] for c in calls if c in parents}


def test_one_walk_finds_what_two_did() -> None:
    sources = [SOURCE]
    sources += [p.read_text() for p in sorted(Path(agentcheck.__file__).parent.rglob("*.py"))]
    functions = 0
    for source in sources:
        for fn in ast.walk(ast.parse(source)):
            if not isinstance(fn, ast.AsyncFunctionDef | ast.FunctionDef):
                continue
            functions += 1
            mine: set[str] = {"arg"}
            theirs: set[str] = {"arg"}
            assert _calls_and_locals(fn, mine) == _reference(fn, theirs)
            assert mine == theirs
    assert functions > 1000
