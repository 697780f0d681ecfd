"""Reading Python written for a newer Python than agentcheck's own (agentcheck.pysyntax)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from agentcheck import pysyntax

needs_older_python = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="this Python reads 3.12 syntax itself"
)


@needs_older_python
def test_type_statements_and_type_parameters_are_read_tolerantly() -> None:
    source = (
        "type Alias = int\n"
        "class Box[T]:\n"
        "    type Inner[U] = list[U]\n"
        "    def get[V](self, v: V) -> V:\n"
        "        return v\n"
        "graph = make()\n"
    )
    tree, note = pysyntax.parse("m.py", source)
    assert tree is not None
    assert note is not None
    assert note.error is None
    assert note.needs == "3.12"
    assert note.line == 1
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert {"Alias", "Inner", "graph"} <= names
    assert [n.lineno for n in ast.walk(tree) if isinstance(n, ast.ClassDef)] == [2]


@needs_older_python
def test_pep701_fstrings_become_plain_strings_on_the_same_lines() -> None:
    source = 'a = f"{d["k"]}"\nb = f"""{\n  d["k"]  # note\n}"""\nc = 1\n'
    tree, note = pysyntax.parse("m.py", source)
    assert tree is not None
    assert note is not None
    assert note.needs == "3.12"
    assigns = {
        t.id: s.lineno
        for s in tree.body
        if isinstance(s, ast.Assign)
        for t in s.targets
        if isinstance(t, ast.Name)
    }
    assert assigns == {"a": 1, "b": 2, "c": 5}


def test_template_strings_need_3_14() -> None:
    tree, note = pysyntax.parse("m.py", "x = t'hello {name}'\n")
    if sys.version_info >= (3, 14):
        assert note is None
    else:
        assert tree is not None
        assert note is not None
        assert note.needs == "3.14"


def test_a_real_syntax_error_is_an_error_with_its_position() -> None:
    tree, note = pysyntax.parse("m.py", "x = 1\ndef f(:\n    pass\n")
    assert tree is None
    assert note is not None
    assert note.error is not None
    assert note.error[1] == 2
    assert note.needs is None


def test_valid_modules_are_never_rewritten() -> None:
    """The string scanner leaves every module the running Python reads untouched."""
    import json
    import tokenize

    for module in (ast, json, tokenize, pysyntax):
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        found: dict[str, int] = {}
        assert pysyntax._strings(source, found) == source
        assert not found
