"""The last line of defence of the deployment model: a reader that raises loses its own part of
the model, never the whole of it.

Readers turn values they cannot interpret into AC100 findings themselves (see
:mod:`agentcheck.scalars` and :mod:`agentcheck.parsing`); :func:`guarded` is for the failure
nobody foresaw. Without it one odd value in one manifest would crash every rule that reads the
model (an AC901 per rule) and lose every state, network and operations verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from agentcheck._findings import Severity

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["READER_FAILED", "guarded"]

T = TypeVar("T")

#: Words every guarded failure's message carries (tests look for them).
READER_FAILED = "agentcheck's reader stopped"


def guarded(project: Project, rel: str | None, what: str, read: Callable[[], T], default: T) -> T:
    """``read()``, or ``default`` with an AC100 warning at ``rel`` when it raises.

    The message names the reader and the exception's type, never its text (which may quote a
    value from the file).
    """
    try:
        return read()
    except (Exception, RecursionError) as exc:
        if rel is not None:
            project.problem(
                rel,
                f"{READER_FAILED} on a value it cannot interpret while reading {what} "
                f"({type(exc).__name__}); the rest of the project was checked without it. "
                "Please report this.",
                severity=Severity.WARNING,
            )
        return default
