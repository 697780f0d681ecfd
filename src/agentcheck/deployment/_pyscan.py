"""A cheap walk of a module's AST: only the subtrees whose lines mention what is looked for.

A full :func:`ast.walk` of every module in a large repository costs seconds; most modules never
mention ``compile``, a saver or ``add_node``. The raw text says which lines do, and every
statement and expression knows its line span, so subtrees that span none of those lines are
skipped without being visited.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterable, Iterator

from agentcheck._astwalk import child_nodes

__all__ = ["Function", "Visit", "keyword_lines", "walk_lines"]

Function = ast.FunctionDef | ast.AsyncFunctionDef
#: A visited node, the function it is in (None at module level), its parent and grandparent.
Visit = tuple[ast.AST, Function | None, ast.AST | None, ast.AST | None]


#: Line boundaries of :meth:`str.splitlines` other than ``\n`` (each looked for with ``in``:
#: nine scans in C cost a tenth of one search for a class of characters).
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def keyword_lines(text: str, words: Iterable[str]) -> list[int]:
    """Sorted 1-based numbers of the lines of ``text`` (as :meth:`str.splitlines` cuts them)
    that contain any of ``words``."""
    wanted = tuple(words)
    if any(not w or "\n" in w for w in wanted) or any(c in text for c in _OTHER_BREAKS):
        return [
            n for n, line in enumerate(text.splitlines(), start=1) if any(w in line for w in wanted)
        ]
    # Lines end at "\n" only: find each word in the whole text and count the line breaks
    # before it, in C, rather than testing every word on every line (most lines hold none).
    found: set[int] = set()
    for word in wanted:
        line, counted = 1, 0
        at = text.find(word)
        while at != -1:
            line += text.count("\n", counted, at)
            found.add(line)
            counted = text.find("\n", at)
            if counted == -1:
                break
            at = text.find(word, counted)
    return sorted(found)


def _first_line(node: ast.AST) -> int | None:
    line: int | None = getattr(node, "lineno", None)
    decorators = getattr(node, "decorator_list", None)
    if line is not None and decorators:
        line = min([line, *(d.lineno for d in decorators)])
    return line


def _spans(node: ast.AST, lines: list[int]) -> bool:
    first = _first_line(node)
    if first is None:
        return True
    last = getattr(node, "end_lineno", None) or first
    i = bisect.bisect_left(lines, first)
    return i < len(lines) and lines[i] <= last


def walk_lines(tree: ast.AST, lines: list[int]) -> Iterator[Visit]:
    """Nodes of ``tree`` in source order whose span includes one of ``lines``, with their
    enclosing function, parent and grandparent. Nothing when ``lines`` is empty."""
    if not lines:
        return
    stack: list[Visit] = [(tree, None, None, None)]
    while stack:
        node, fn, parent, grand = stack.pop()
        yield node, fn, parent, grand
        inner = node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else fn
        decorators = getattr(node, "decorator_list", ())
        children = [c for c in child_nodes(node) if _spans(c, lines)]
        for child in reversed(children):
            # Decorators run in the enclosing scope, the body in the function's.
            scope = fn if any(child is d for d in decorators) else inner
            stack.append((child, scope, node, parent))
