"""Safe scalar conversion: one place that turns a value from a user's file into a number.

Every value agentcheck reads may be hostile: a 5,000-digit integer (``int()`` of its text
raises, ``float()`` of it overflows), ``1e400`` (infinity), ``.nan``, a string where a number
belongs, a boolean where a count belongs. These helpers never raise: each returns the number
or None when the value is not one agentcheck can use, so a reader decides what None means (a
default, no finding) and goes on with the rest of the file. :func:`number_problem` says why a
number the parsers produced is unusable, for the AC100 finding at its position.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from urllib.parse import SplitResult, urlsplit

__all__ = [
    "MAX_DIGITS",
    "MAX_INT",
    "number_problem",
    "parse_bool",
    "parse_duration",
    "parse_float",
    "parse_int",
    "parse_url",
]

#: The largest integer any setting agentcheck reads can hold (int64: Kubernetes, compose and
#: nginx reject larger ones).
MAX_INT = 2**63 - 1
#: Digits of the largest integer text converted at all (more cannot be below MAX_INT).
MAX_DIGITS = 19

_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
_PART = re.compile(r"(\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})(ns|us|µs|ms|s|m|h|d)")
_TRUE = frozenset({"true", "yes", "on", "1", "y"})
_FALSE = frozenset({"false", "no", "off", "0", "n"})


def number_problem(value: object) -> str | None:
    """Why a number a parser produced cannot be used (too large, infinite, not a number), or
    None when it can (and for anything that is not a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if -MAX_INT - 1 <= value <= MAX_INT:
            return None
        return f"an integer of {_digits(value)} digits is out of range (at most {MAX_INT})"
    if isinstance(value, float) and not math.isfinite(value):
        return "a number that is out of range (it overflows to infinity or is not a number)"
    return None


def _digits(value: int) -> str:
    # str() of an integer over 4,300 digits raises; its bit length says as much.
    bits = abs(value).bit_length()
    return f"about {int(bits * 0.30103) + 1:,}" if bits > 14_000 else f"{len(str(abs(value))):,}"


def parse_int(value: object) -> int | None:
    """An integer from ``3`` or ``"3"`` (a manifest may quote it); None for anything else,
    for booleans and for integers out of the int64 range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if number_problem(value) is None else None
    if isinstance(value, str):
        text = value.strip()
        if text.isdecimal() and text.isascii() and len(text) <= MAX_DIGITS:
            number = int(text)
            return number if number_problem(number) is None else None
    return None


def parse_float(value: object) -> float | None:
    """A finite number from ``1.5``, ``2`` or ``"1.5"``; None for anything else (booleans,
    infinities, NaN, integers too large for a float)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if number_problem(value) is None else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 64:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def parse_duration(value: object, *, unit: float = 1.0) -> float | None:
    """Seconds from a number (counted in ``unit`` seconds), ``"90"``, ``"90s"``, ``"1m30s"``,
    ``"1.5s"``, ``"500ms"``, ``"2d"`` or a protobuf ``{seconds: 90, nanos: 0}`` mapping; None
    when it is not a finite duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Mapping):
        secs = parse_duration(value.get("seconds", 0))
        nanos = value.get("nanos", 0)
        if secs is None or isinstance(nanos, bool) or not isinstance(nanos, int):
            return None
        return _finite(secs + nanos / 1e9)
    if isinstance(value, int | float):
        number = parse_float(value)
        return None if number is None else _finite(number * unit)
    if not isinstance(value, str):
        return None
    text = value.strip().strip("\"'").strip().lower()
    if not text or len(text) > 64:
        return None
    number = parse_float(text)
    if number is not None:
        return _finite(number * unit)
    pos, total = 0, 0.0
    while pos < len(text):
        match = _PART.match(text, pos)
        if match is None:
            return None
        total += float(match[1]) * _UNITS[match[2]]
        pos = match.end()
    return _finite(total)


def _finite(number: float) -> float | None:
    return number if math.isfinite(number) else None


def parse_bool(value: object) -> bool | None:
    """``true``/``false`` from a boolean or its usual spellings (``"yes"``, ``"off"``, ``1``);
    None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {0: False, 1: True}.get(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def parse_url(text: str) -> SplitResult | None:
    """``urlsplit(text)``, or None where it raises (``http://[::1``, a bracketed host that is
    not an address)."""
    try:
        return urlsplit(text)
    except ValueError:
        return None
