"""keyword_lines finds words in the whole text and counts line breaks, and says exactly what
testing every line of ``str.splitlines`` says."""

from __future__ import annotations

import random

from agentcheck.deployment._pyscan import keyword_lines


def _every_line(text: str, words: list[str]) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if any(w in line for w in words)]


PIECES = ["@", "add_node", "try:", "x", " ", "\n", "\n\n", "\r\n", "\r", "\x0c", "\u2028", "é"]
WORDS = [["@"], ["add_node", "try:"], ["x", "@"], ["try:"], ["\n"], [""], [], ["add_node", "add"]]


def test_the_same_lines_as_a_pass_over_every_line() -> None:
    rng = random.Random(16)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30)))
        for words in WORDS:
            assert keyword_lines(text, words) == _every_line(text, words), (text, words)


def test_lines_are_counted_from_one() -> None:
    assert keyword_lines("a\n@b\n\nc @ @\n", ["@"]) == [2, 4]
    assert keyword_lines("@", ["@"]) == [1]
    assert keyword_lines("", ["@"]) == []
