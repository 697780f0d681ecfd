"""Reading the README's code blocks, and matching its console examples against real output.

A ``console`` block holds ``$ command`` lines, each followed by what it prints. In the printed
part a line ``...`` stands for any number of lines (an excerpt); every other line must appear as
printed, in order, and where no ``...`` opens or closes the block, the output starts or ends
there. pytest's progress column (``[ 85%]``) is ignored: it moves whenever a rule is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
_FENCE = re.compile(r"^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
_PROGRESS = re.compile(r"\s*\[\s*\d+%\]$")
GAP = "..."


def fenced_blocks(text: str, lang: str | None = None) -> list[str]:
    """The bodies of the fenced code blocks of ``text`` (of language ``lang`` if given)."""
    return [m["body"] for m in _FENCE.finditer(text) if lang is None or m["lang"] == lang]


@dataclass(frozen=True)
class ConsoleExample:
    command: str
    printed: tuple[str, ...]


def console_examples(text: str = README) -> list[ConsoleExample]:
    out: list[ConsoleExample] = []
    for body in fenced_blocks(text, "console"):
        command: str | None = None
        printed: list[str] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    out.append(ConsoleExample(command, tuple(printed)))
                command, printed = line[2:], []
            else:
                printed.append(line)
        if command is not None:
            out.append(ConsoleExample(command, tuple(printed)))
    return out


def _normal(line: str) -> str:
    return _PROGRESS.sub("", line.rstrip())


def mismatch(printed: tuple[str, ...], output: str) -> str | None:
    """None when ``output`` is what ``printed`` shows; else the first line not found."""
    actual = [_normal(line) for line in output.splitlines()]
    segments: list[list[str]] = [[]]
    for line in printed:
        if line.strip() == GAP:
            segments.append([])
        else:
            segments[-1].append(_normal(line))
    anchored_start = bool(printed) and printed[0].strip() != GAP
    anchored_end = bool(printed) and printed[-1].strip() != GAP
    pos = 0
    for i, segment in enumerate(segments):
        if not segment:
            continue
        last = i == len(segments) - 1
        starts = [
            start
            for start in range(pos, len(actual) - len(segment) + 1)
            if actual[start : start + len(segment)] == segment
            and (start == 0 or i > 0 or not anchored_start)
            and (not (last and anchored_end) or start + len(segment) == len(actual))
        ]
        if not starts:
            return segment[0] if len(segment) == 1 else "\n".join(segment)
        pos = starts[0] + len(segment)
    return None
