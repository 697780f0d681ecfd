"""Where the scan's anchors occur in a file: every anchor, in a pass per first letter.

The scan looks for about seventy literals in each file: the format detectors' and plugins'
case-sensitive anchors (``sk-``, ``AKIA``, ``eyJ``), and in the lower-cased text the
case-insensitive anchors, the plugins' context words, the secret-name words (``key``,
``token``, ``passw``) and ``bearer``. Each pass over a file costs about the same whatever it
looks for (0.4-0.7 ns a character: memory and the search loop, not the needle), so the number
of passes is the cost. Every anchor lower-cased starts with one of seventeen letters: one
pattern per letter, of the shortest lower-cased anchors of that letter (the roots), finds
every place in the lower-cased text where any anchor may start; the anchors are then compared
there, case-sensitive ones in the text itself (the lower-cased text keeps the text's offsets,
so a case-sensitive anchor at an offset of the text is its lower-cased form at the same offset
of the lower-cased text). Where one root can start inside another's match (``xox`` in
``xoxox``), the pattern is searched again from the next character instead of from the match's
end, so overlapping occurrences are found as :func:`occurrences` finds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["NAME_ANCHORS", "AnchorIndex", "occurrences"]

#: Words whose presence (lower-cased) makes a line worth the named-assignment pattern.
NAME_ANCHORS = (
    "key",
    "token",
    "secret",
    "passw",
    "pwd",
    "_pass",
    "pass_",
    "passphrase",
    "credential",
    "creds",
)


def occurrences(text: str, needle: str) -> Iterator[int]:
    """Every offset of ``needle`` in ``text``, overlapping ones included."""
    i = text.find(needle)
    while i >= 0:
        yield i
        i = text.find(needle, i + 1)


def _may_overlap(roots: list[str]) -> bool:
    """Whether an occurrence of a root can start inside an occurrence of a root."""
    return any(
        n.startswith(m[i:]) or m[i:].startswith(n)
        for m in roots
        for n in roots
        for i in range(1, len(m))
    )


@dataclass(frozen=True)
class _Group:
    pattern: re.Pattern[str]
    #: Root -> the anchors starting with it: ``(anchor, its lower-cased form, case-sensitive)``.
    members: dict[str, tuple[tuple[str, bool], ...]]
    overlapping: bool


class AnchorIndex:
    """Case-sensitive ``case`` anchors and lower-case ``lower`` words, found together."""

    def __init__(self, case: Iterable[str], lower: Iterable[str]) -> None:
        words = {(a, True) for a in case} | {(w, False) for w in lower}
        if any(not w.isascii() or (not c and w != w.lower()) for w, c in words):
            raise ValueError("anchors are ASCII, and lower-case words lower-case")
        by_letter: dict[str, list[tuple[str, bool]]] = {}
        for word, case_sensitive in sorted(words):
            by_letter.setdefault(word[:1].lower(), []).append((word, case_sensitive))
        groups = []
        for letter_words in by_letter.values():
            forms = {w.lower() for w, _ in letter_words}
            roots = sorted(r for r in forms if not any(o != r and r.startswith(o) for o in forms))
            members = {
                root: tuple((w, c) for w, c in letter_words if w.lower().startswith(root))
                for root in roots
            }
            pattern = re.compile("|".join(re.escape(r) for r in roots))
            groups.append(_Group(pattern, members, _may_overlap(roots)))
        self._groups = tuple(groups)

    def positions(self, text: str, lower: str) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """Where each anchor occurs: case-sensitive ones in ``text``, lower-case words in
        ``lower`` (``text`` lower-cased, offset for offset), each in ascending order and only
        those that occur."""
        case: dict[str, list[int]] = {}
        low: dict[str, list[int]] = {}
        for group in self._groups:
            starts: dict[str, list[int]] = {}
            if group.overlapping:
                for start, root in _every_match(group.pattern, lower):
                    starts.setdefault(root, []).append(start)
            elif len(group.members) == 1:
                at = [match.start() for match in group.pattern.finditer(lower)]
                if at:
                    starts[next(iter(group.members))] = at
            else:
                for match in group.pattern.finditer(lower):
                    starts.setdefault(match[0], []).append(match.start())
            for root, at in starts.items():
                for word, case_sensitive in group.members[root]:
                    if case_sensitive:
                        hits = [p for p in at if text.startswith(word, p)]
                    elif word == root:
                        hits = at
                    else:
                        hits = [p for p in at if lower.startswith(word, p)]
                    if hits:
                        (case if case_sensitive else low)[word] = hits
        return case, low


def _every_match(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, str]]:
    match = pattern.search(text)
    while match is not None:
        yield match.start(), match.group()
        match = pattern.search(text, match.start() + 1)
