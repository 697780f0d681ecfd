"""The scan's anchor index finds exactly what one ``str.find`` loop per anchor finds."""

from __future__ import annotations

import random

import pytest

from agentcheck.secrets import _scan
from agentcheck.secrets._anchors import AnchorIndex, occurrences


def _naive(
    case: list[str], lower: list[str], text: str, low: str
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    c = {a: list(occurrences(text, a)) for a in case}
    w = {a: list(occurrences(low, a)) for a in lower}
    return {a: p for a, p in c.items() if p}, {a: p for a, p in w.items() if p}


_CASE = ["sk-", "sk-proj-", "xox", "AKIA", "ASIA", "eyJ", "PRIVATE KEY", "acca"]
_LOWER = ["key", "token", "discord", "aws", "asia", "pass_", "passphrase", "passw", "_pass"]


def _texts() -> list[str]:
    rng = random.Random(20261205)
    pieces = [*_CASE, *_LOWER, *(w.upper() for w in _LOWER), "xoxox", "discordiscord"]
    pieces += ["İ", "\u212a", "ey", "J", "a", "s", "k", "-", " ", "\n", "😀", "é", "_"]
    pieces += ["SK-PROJ-", "Sk-", "ACCACCA", "accacca", "_pass_", "passphrasew"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 60))) for _ in range(3000)]


def test_the_index_finds_every_occurrence_of_every_anchor() -> None:
    index = AnchorIndex(_CASE, _LOWER)
    for text in _texts():
        low = _scan._ascii_lower(text)
        assert index.positions(text, low) == _naive(_CASE, _LOWER, text, low), text


def test_the_scan_index_agrees_with_find_loops() -> None:
    """The scan's own anchors and words, on texts built from them (prefixes such as ``sk-``
    and ``sk-proj-``, self-overlapping words such as ``xox``, case variants)."""
    case = sorted({a for d in _scan.DETECTORS if not d.lower for a in d.anchors})
    case += sorted({a for s in _scan.PLUGINS for a in s.anchors} - set(case))
    lower = sorted({*_scan._FORMAT_WORDS, *_scan.NAME_ANCHORS, "bearer"})
    rng = random.Random(5)
    pieces = [*case, *lower, *(a.lower() for a in case), *(w.upper() for w in lower)]
    pieces += ["x", "o", "-", "_", " ", "\n", "İ", "\u212a", "😀"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40)))
        low = _scan._ascii_lower(text)
        assert _scan._ANCHORS.positions(text, low) == _naive(case, lower, text, low), text


def test_anchors_must_be_ascii_and_words_lower_case() -> None:
    AnchorIndex(["Key"], [])  # a case-sensitive anchor may hold capitals
    with pytest.raises(ValueError, match="lower-case"):
        AnchorIndex([], ["Key"])
    with pytest.raises(ValueError, match="ASCII"):
        AnchorIndex(["ключ"], [])
