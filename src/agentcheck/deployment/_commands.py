"""Start commands as words: the one place that splits a command line and unwraps ``sh -c``.

Dockerfile ``CMD``/``ENTRYPOINT`` (exec or shell form), compose ``command``, Kubernetes
``command``/``args``, Procfiles and platform files all reach the rules as argv; a rule that
needs what the command *runs* reads :func:`shell_words`, which splits the script of ``sh -c
"..."`` (``bash -lc``, nested shells too) into words, and :func:`simple_commands` to cut them
at ``&&``, ``;``, ``|``. Nothing here raises.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from pathlib import PurePosixPath

__all__ = ["SEPARATORS", "SHELLS", "shell_words", "simple_commands", "split_command", "split_line"]

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
#: A shell's option cluster that ends in ``c`` (``-c``, ``-lc``, ``-ec``, ``-euxc``).
_SCRIPT_FLAG = re.compile(r"^-[a-z]*c$")
_MAX_DEPTH = 4


def split_command(value: str) -> tuple[str, ...] | None:
    """A CMD/ENTRYPOINT/command value as argv: JSON (exec) form or shell form; None if empty."""
    text = value.strip()
    if not text:
        return None
    if text.startswith("["):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, list) and all(isinstance(x, str) for x in data):
            return tuple(data)
    try:
        return tuple(shlex.split(text, comments=False, posix=True))
    except ValueError:
        return tuple(text.split())


def split_line(text: str) -> list[str]:
    """A shell command line (a Procfile entry, a script's line) as words, comments dropped."""
    try:
        return shlex.split(text, comments=True)
    except ValueError:
        return text.split()


def shell_words(argv: Sequence[str] | None, depth: int = 0) -> list[str]:
    """``argv`` with every ``sh -c "<script>"`` script split into words, recursively.

    A whole command line written as one argument (a Kubernetes ``args: ["uvicorn app:app
    --port 8000"]``) is split too; other arguments holding spaces (``echo "run it"``) are not.
    """
    if not argv:
        return []
    words: list[str] = []
    whole_line = len(argv) == 1
    for i, arg in enumerate(argv):
        script = i >= 1 and _SCRIPT_FLAG.match(argv[i - 1]) is not None and _is_shell(argv, i)
        if (script or (whole_line and " " in arg.strip())) and depth < _MAX_DEPTH:
            words.extend(shell_words(split_line(arg), depth + 1))
        else:
            words.append(arg)
    return words


def _is_shell(argv: Sequence[str], i: int) -> bool:
    """Whether the option before ``argv[i]`` belongs to a shell (``sh -c``, ``bash -lc``)."""
    if i >= 2:
        return PurePosixPath(argv[i - 2]).name in SHELLS
    return i == 1  # `-c "..."` as the whole argv: an ENTRYPOINT ["sh"] supplies the shell


def simple_commands(words: Sequence[str]) -> list[list[str]]:
    """Words cut into simple commands at ``&&``, ``||``, ``;``, ``|`` and ``&``."""
    out: list[list[str]] = [[]]
    for word in words:
        if word in SEPARATORS:
            out.append([])
        else:
            out[-1].append(word)
    return [command for command in out if command]
