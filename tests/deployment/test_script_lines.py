"""The script reader splits only the commands that name a tool, and splits them as a pass over
every line would (backslash continuations joined, a trailing one on the last line ignored)."""

from __future__ import annotations

import random
import shlex
from collections.abc import Iterator

import pytest

from agentcheck.deployment._scripts import _logical_lines, _needle_lines, shell_split


def _every_line(lines: list[str]) -> Iterator[tuple[int, int, str]]:
    """The reference: every logical line of the script, in order."""
    i = 0
    while i < len(lines):
        first = i + 1
        parts = [lines[i]]
        while parts[-1].rstrip().endswith("\\") and i + 1 < len(lines):
            parts[-1] = parts[-1].rstrip()[:-1]
            i += 1
            parts.append(lines[i])
        yield first, i + 1, " ".join(parts)
        i += 1


PIECES = [
    "docker build .",
    "echo hi",
    "kubectl apply -f k8s/",
    "  \\",
    "\\",
    "x \\  ",
    "",
    "# helm",
]


def _random_scripts(n: int) -> Iterator[list[str]]:
    rng = random.Random(16)
    for _ in range(n):
        yield [rng.choice(PIECES) for _ in range(rng.randint(0, 12))]


def test_the_commands_naming_a_tool_are_those_of_a_full_pass() -> None:
    for lines in _random_scripts(2000):
        _check(lines)


def _check(lines: list[str]) -> None:
    expected = [
        c for c in _every_line(lines) if any(t in c[2] for t in ("docker", "kubectl", "helm"))
    ]
    assert list(_logical_lines(lines, _needle_lines(lines))) == expected
    # Asked for every line, it is the full pass.
    assert list(_logical_lines(lines, list(range(len(lines))))) == list(_every_line(lines))


def test_a_long_continued_script_is_read_in_one_pass() -> None:
    lines = ["docker run \\"] * 20000 + ["image"]
    [(first, last, command)] = _logical_lines(lines, _needle_lines(lines))
    assert (first, last) == (1, 20001)
    assert command.endswith(" image")


def _shlex_words(command: str) -> list[str] | str:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:
        return "ValueError"


def _split(command: str) -> list[str] | str:
    try:
        return shell_split(command)
    except ValueError:
        return "ValueError"


SHELL = ["a", "b", " ", "\t", "\n", "\r", "#", ";", "&", "|", "'", '"', "\\", "é", "\x0b", "="]


def test_shell_split_is_shlex() -> None:
    """The deploy-script reader's splitter says what shlex says (words, or an error) on
    30,000 random commands over every character shlex treats apart."""
    rng = random.Random(16)
    for _ in range(30000):
        command = "".join(rng.choice(SHELL) for _ in range(rng.randint(0, 14)))
        assert _split(command) == _shlex_words(command), repr(command)


@pytest.mark.parametrize(
    "command",
    [
        "docker run -e A=1 img && kubectl apply -f k8s/ # deploy",
        'helm upgrade --set \'a=b c\' --set "x=\\"y\\" \\\\z" rel ./chart;echo done',
        "echo '' \"\" a''b c\\ d|grep x",
        "docker compose -f a.yml -f b.yml up -d#no comment",
        "unclosed 'quote",
        "trailing \\",
    ],
)
def test_shell_split_on_deploy_commands(command: str) -> None:
    assert _split(command) == _shlex_words(command)
