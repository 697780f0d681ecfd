"""Masking what looks like a credential in a source line before it is printed.

Findings arrive redacted (rules never put a secret in a message); the text format adds the
source line of each finding, and that line may hold a secret the finding is not about. The
text format never shows the line of a secrets finding (AC2xx) nor any line one of them points
at; :func:`redact_line` masks, as defence in depth, what looks like a credential in the lines
it does show. Masks keep the length, so the caret under a column still lines up.
"""

from __future__ import annotations

from agentcheck.secrets import mask_text

__all__ = ["SECRET_FAMILY", "redact_line"]

#: Codes whose findings are about a secret: their source lines are never printed.
SECRET_FAMILY = "AC2"


def redact_line(line: str) -> str:
    """``line`` with credential-looking values replaced by ``*`` of the same length (see
    :func:`agentcheck.secrets.mask_text`)."""
    return mask_text(line)
