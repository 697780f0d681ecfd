"""Redaction and fingerprints: how a secret may appear anywhere agentcheck writes.

A secret never leaves the scanner in full. Messages, every output format, baselines and logs
carry at most :func:`redact`'s short prefix and the length; baselines and suppression matching
use :func:`fingerprint`, a keyed hash that identifies the value without revealing it.
"""

from __future__ import annotations

import hashlib

__all__ = ["fingerprint", "redact"]

#: The most characters of a secret any output shows.
MAX_PREFIX = 6
_FINGERPRINT_KEY = b"agentcheck-secret-fingerprint-v1"


def redact(value: str) -> str:
    """A printable stand-in for ``value``: at most a short prefix, an ellipsis and the length.

    The prefix is a quarter of the value at most (never more than six characters), so a short
    password shows one or two characters and a 164-character key shows its provider prefix:
    ``redact(key) == "sk-pro…(164 chars)"``.
    """
    shown = min(MAX_PREFIX, len(value) // 4)
    prefix = "".join(ch if ch.isprintable() and not ch.isspace() else "?" for ch in value[:shown])
    return f"{prefix}…({len(value)} chars)"


def fingerprint(value: str) -> str:
    """A stable identifier of ``value`` for baselines: a keyed BLAKE2 hash, never the value."""
    digest = hashlib.blake2b(
        value.encode("utf-8", "surrogatepass"), key=_FINGERPRINT_KEY, digest_size=10
    )
    return digest.hexdigest()
