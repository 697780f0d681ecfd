"""A project's Python modules, parsed (never imported): one AST per module on demand, or
only whether it parses, for many modules at once on worker processes.

:class:`PythonSources` is a base class of :class:`~agentcheck.project.Project`, which reads
the text and records the AC100 findings.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from agentcheck import _workers, pysyntax
from agentcheck._findings import Severity
from agentcheck.pysyntax import SyntaxNote

if TYPE_CHECKING:
    from agentcheck._reads import Reads

T = TypeVar("T")

#: Below this much Python source in a batch, parsing on worker processes costs more than it
#: saves (a fork and its start-up against about a millisecond per 2,000 characters).
PARALLEL_PARSE_MIN_CHARS = 500_000
#: Python modules larger than this are checked for syntax but not analysed.
MAX_ANALYSED_PYTHON = 1024 * 1024


def _syntax_notes(modules: list[tuple[str, str]]) -> list[tuple[str, SyntaxNote]]:
    """``(path, note)`` of each ``(path, text)`` module that does not parse as written (run on
    worker processes: returns no trees)."""
    out = []
    for rel, text in modules:
        _, note = pysyntax.parse(rel, text)
        if note is not None:
            out.append((rel, note))
    return out


class PythonSources:
    """The Python half of :class:`~agentcheck.project.Project`: each module's tree, or only
    whether it parses, with what does not parse as AC100."""

    # What the Project defines: its memo, how it reads a file's text for a parser (None,
    # reported, when it cannot) and how it records an AC100 finding.
    _memo: dict[str, Any]
    #: Python files the running interpreter's grammar did not read as written.
    python_notes: dict[str, SyntaxNote]
    _parse_text: Callable[[str, str], str | None]
    problem: Callable[..., None]

    reads: Reads | None

    if TYPE_CHECKING:

        def memo(self, key: str, factory: Callable[[], T]) -> T: ...

        def _has_memo(self, key: str) -> bool: ...

    def python(self, rel: str) -> ast.Module | None:
        """The module's AST (never imported), or None (reported as AC100)."""
        return self.memo(f"py:{rel}", lambda: self._python(rel))

    def parses(self, rel: str) -> bool:
        """Whether the module parses, reported as AC100 exactly like :meth:`python`, without
        keeping its AST.

        For code a rule must check but whose text already says it holds nothing the rule
        looks for: the tree of every module of a large repository would take hundreds of
        megabytes, and the garbage collector would keep walking all of it.
        """
        key = f"py:{rel}"
        if self._has_memo(key):
            return self._memo[key] is not None
        return self.memo(f"py-parses:{rel}", lambda: self._python(rel) is not None)

    def check_parses(self, rels: Iterable[str]) -> None:
        """:meth:`parses` for many modules at once; a large batch is parsed on worker
        processes (see :mod:`agentcheck._workers`)."""
        todo: list[tuple[str, str]] = []
        for rel in dict.fromkeys(rels):
            if self._has_memo(f"py:{rel}") or self._has_memo(f"py-parses:{rel}"):
                continue
            text = self._in_entry(f"py-parses:{rel}", self._parse_text, rel, "Python source")
            if text is None:
                self._memo[f"py-parses:{rel}"] = False
            elif len(text) > MAX_ANALYSED_PYTHON:
                self._in_entry(f"py-parses:{rel}", self.python, rel)  # one info finding
                self._memo[f"py-parses:{rel}"] = True
            else:
                todo.append((rel, text))
        workers = min(_workers.jobs(), len(todo))
        total = sum(len(text) for _, text in todo)
        found: list[tuple[str, SyntaxNote]] | None = None
        if workers > 1 and total >= PARALLEL_PARSE_MIN_CHARS and _workers.may_fork():
            texts = dict(todo)
            chunks = [
                [(rel, texts[rel]) for rel in chunk]
                for chunk in _workers.deal([(len(t), r) for r, t in todo], workers * 4)
            ]
            found = _workers.run_forked(_syntax_notes, chunks, workers)
        if found is None:
            found = _syntax_notes(todo)
        notes = dict(found)
        for rel, _ in todo:
            note = notes.get(rel)
            if note is not None:
                self._in_entry(f"py-parses:{rel}", self._note, rel, note)
            self._memo[f"py-parses:{rel}"] = note is None or note.error is None

    def _in_entry(self, key: str, build: Callable[..., T], *args: Any) -> T:
        """``build(*args)``, recorded as part of memo entry ``key`` (:mod:`agentcheck._reads`)."""
        if self.reads is None:
            return build(*args)
        return self.reads.attach(key, functools.partial(build, *args))

    def _python(self, rel: str) -> ast.Module | None:
        text = self._parse_text(rel, "Python source")
        if text is None:
            return None
        if len(text) > MAX_ANALYSED_PYTHON:
            # Its tree would take hundreds of megabytes and seconds to build, and every rule
            # would walk it: a generated module, not one a graph is written in.
            self.problem(
                rel,
                f"is {len(text) // 1024:,} KiB of Python, over the "
                f"{MAX_ANALYSED_PYTHON // 1024:,} KiB agentcheck reads as code: it is not "
                "parsed, and its graphs, imports and calls are not checked",
                severity=Severity.INFO,
                fix="Split the module, or exclude it with [tool.agentcheck] exclude.",
            )
            return None
        tree, note = pysyntax.parse(rel, text)
        if note is not None:
            self._note(rel, note)
        return tree

    def _note(self, rel: str, note: SyntaxNote) -> None:
        """Record a module the running grammar did not read as written; one that does not
        parse at all is AC100 (the AC100 rule may soften it once it knows which Python the
        project targets)."""
        self.python_notes[rel] = note
        if self.reads is not None:
            self.reads.event(["n", rel, note.error, note.needs, note.features, note.line])
        if note.error is not None:
            self.problem(rel, *note.error)
