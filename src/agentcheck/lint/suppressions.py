"""Inline suppressions: ``# agentcheck: ignore[AC102, AC103] reason``.

A suppression covers exactly the line it is written on, in any file with ``#`` comments
(Python, YAML, TOML, nginx, shell, Dockerfile, env files). JSON has no comments: use
``per-file-ignores``. A Kubernetes object's ``agentcheck.io/ignore`` annotation covers its
whole document (read by :func:`agentcheck.deployment._k8s_util.ignore_codes`, re-exported here as
``annotation_codes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agentcheck.deployment._k8s_util import IGNORE_ANNOTATION
from agentcheck.deployment._k8s_util import ignore_codes as annotation_codes

__all__ = ["IGNORE_ANNOTATION", "Suppression", "annotation_codes", "find_suppressions"]

MARKER = "agentcheck:"
_PATTERN = re.compile(r"#\s*agentcheck:\s*ignore\[(?P<codes>[A-Za-z0-9_,\s-]*)\](?P<reason>[^\n]*)")


@dataclass
class Suppression:
    """One suppression comment: the codes it names on its line, and which of them were used."""

    path: str
    line: int
    column: int
    codes: tuple[str, ...]
    reason: str
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, name: str) -> bool:
        return code in self.codes or name in self.codes


def find_suppressions(path: str, text: str) -> list[Suppression]:
    """Every suppression comment in ``text`` (cheap when the marker is absent)."""
    if MARKER not in text:
        return []
    found = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if MARKER not in line:
            continue
        for match in _PATTERN.finditer(line):
            codes = tuple(c.strip() for c in match["codes"].split(",") if c.strip())
            found.append(
                Suppression(path, lineno, match.start() + 1, codes, match["reason"].strip())
            )
    return found
