"""The output redactor: every byte agentcheck prints passes :func:`mask_text`.

Findings are written not to carry a secret, but a message may echo a value from the user's
files (a graph id, an ``env`` path, ``python_version``, a config value, an exception's text),
and a code frame prints a whole source line. :func:`mask_text` masks, in any text, what the
scanner recognises (every provider format the detectors know, passwords in URLs, values under
a secret's name, bearer tokens) and, as a fallback, what merely looks like one. Masks keep the
length (``sk-pro*********``), so a caret under a column still lines up.
"""

from __future__ import annotations

import re

from agentcheck.secrets._scan import secret_spans

__all__ = ["mask_text"]

#: The most characters of a secret left visible (its provider prefix).
_KEEP = 6

_SECRET_NAME = (
    r"[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|"
    r"access[_-]?key|credential|license[_-]?key)[A-Za-z0-9_.-]*"
)
#: What looks like a credential even where the scanner would not count it (a short or
#: placeholder-like value under a secret's name, a token shape in prose).
_FALLBACK = (
    # scheme://user:password@host
    re.compile(r"(?P<keep>[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:)(?P<secret>[^@/?#\s]+)(?=@)"),
    # PASSWORD=..., "api_key": "...", token: ..., --password=... (never a decimal fraction
    # alone: "p95-first-token: 6.30 s" is a measurement, and no credential looks like one;
    # never a literal: "allow_credentials=True" is a setting)
    re.compile(
        rf"(?P<keep>(?i:{_SECRET_NAME})[\"']?\s*[:=]\s*[\"']?)"
        r"(?P<secret>(?![$\{<])(?!\d+\.\d+(?:[\s\"',;}\]]|$))"
        r"(?!(?:True|False|None|true|false|null)(?:[^\w.-]|$))[^\s\"',;}\]]{4,})"
    ),
    # Well-known token shapes: keep the public prefix, mask the rest.
    re.compile(
        r"(?P<keep>\b(?:sk-(?:ant-|proj-|or-v1-|svcacct-|admin-)?|sk_live_|rk_live_|lsv2_[a-z]{2}_|"
        r"ls__|gh[pousr]_|github_pat_|xox[abposr]-|AKIA|ASIA|AIza|glpat-|hf_|api_org_|gsk_|tvly-|"
        r"pcsk_|r8_|pplx-|xai-|fw_|npm_|pypi-|SG\.|eyJ|sq0csp-|AccountKey=))"
        r"(?P<secret>[A-Za-z0-9_\-.+/=]{12,})"
    ),
)


#: Cheap tests before the patterns run (most messages hold none of these).
_NAME_WORDS = ("pass", "pwd", "secret", "token", "key", "credential")
_SHAPE_ANCHORS = (
    "sk-", "sk_live_", "rk_live_", "lsv2_", "ls__", "gh", "github_pat_", "xox", "AKIA", "ASIA",
    "AIza", "glpat-", "hf_", "api_org_", "gsk_", "tvly-", "pcsk_", "r8_", "pplx-", "xai-", "fw_",
    "npm_", "pypi-", "SG.", "eyJ", "sq0csp-", "AccountKey=",
)  # fmt: skip


def _star(value: str) -> str:
    keep = min(_KEEP, len(value) // 4)
    return value[:keep] + "*" * (len(value) - keep)


def mask_text(text: str) -> str:
    """``text`` with every credential-looking value replaced by ``*`` of the same length
    (a short public prefix kept). Never raises."""
    if not text:
        return text
    try:
        spans = secret_spans(text)
    except Exception:  # the scanner on hostile text: fall back to the patterns alone
        spans = []
    if spans:
        parts, last = [], 0
        for start, end in spans:
            parts.append(text[last:start])
            parts.append(_star(text[start:end]))
            last = end
        parts.append(text[last:])
        text = "".join(parts)
    url, named, shaped = _FALLBACK
    lower = text.lower()
    if "://" in text and "@" in text:
        text = url.sub(_star_match, text)
    if any(word in lower for word in _NAME_WORDS):
        text = named.sub(_star_match, text)
    if any(anchor in text for anchor in _SHAPE_ANCHORS):
        text = shaped.sub(_star_match, text)
    return text


def _star_match(match: re.Match[str]) -> str:
    return match["keep"] + "*" * len(match["secret"])
