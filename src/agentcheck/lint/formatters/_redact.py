"""Masking what looks like a credential in a source line before it is printed.

Findings arrive redacted (rules never put a secret in a message); the text format adds the
source line of each finding, and that line may hold a secret the finding is not about. The
text format never shows the line of a secrets finding (AC2xx) nor any line one of them points
at; :func:`redact_line` masks, as defence in depth, what looks like a credential in the lines
it does show. Masks keep the length, so the caret under a column still lines up.
"""

from __future__ import annotations

import re

__all__ = ["SECRET_FAMILY", "redact_line"]

#: Codes whose findings are about a secret: their source lines are never printed.
SECRET_FAMILY = "AC2"

_SECRET_NAME = (
    r"[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|"
    r"access[_-]?key|credential|license[_-]?key)[A-Za-z0-9_.-]*"
)
_PATTERNS = (
    # scheme://user:password@host
    re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:)(?P<secret>[^@/?#\s]+)(?=@)"),
    # PASSWORD=..., "api_key": "...", token: ..., --password=...
    re.compile(
        rf"(?P<keep>(?i:{_SECRET_NAME})[\"']?\s*[:=]\s*[\"']?)"
        r"(?P<secret>(?![$\{<])[^\s\"',;}\]]{4,})"
    ),
    # Well-known token shapes: keep the public prefix, mask the rest.
    re.compile(
        r"(?P<keep>\b(?:sk-(?:ant-|proj-)?|lsv2_[a-z]{2}_|gh[pousr]_|xox[abposr]-|AKIA|ASIA|AIza|"
        r"glpat-|hf_))(?P<secret>[A-Za-z0-9_\-]{12,})"
    ),
)


def _mask(match: re.Match[str]) -> str:
    return match["keep"] + "*" * len(match["secret"])


def redact_line(line: str) -> str:
    """``line`` with credential-looking values replaced by ``*`` of the same length."""
    for pattern in _PATTERNS:
        line = pattern.sub(_mask, line)
    return line
