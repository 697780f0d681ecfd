"""Inline suppressions: ``# agentcheck: ignore[AC102, AC103] reason``.

A suppression covers exactly the line it is written on, in any file with ``#`` comments
(Python, YAML, TOML, nginx, shell, Dockerfile, env files). JSON has no comments: use
``per-file-ignores``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Suppression", "find_suppressions"]

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


#: Annotation of a Kubernetes object (or its pod template) naming codes to suppress for it.
IGNORE_ANNOTATION = "agentcheck.io/ignore"
_SPLIT = re.compile(r"[\s,]+")


def annotation_codes(obj: object) -> frozenset[str]:
    """Codes and names an ``agentcheck.io/ignore`` annotation lists on a Kubernetes object's
    metadata or its pod template's metadata (``"AC503"``, ``"AC503, missing-resources"``).

    The annotation covers every finding inside that object's YAML document.
    """
    if not isinstance(obj, dict):
        return frozenset()
    metas: list[object] = [obj.get("metadata")]
    spec = obj.get("spec")
    if isinstance(spec, dict) and isinstance(spec.get("template"), dict):
        metas.append(spec["template"].get("metadata"))
    found: set[str] = set()
    for meta in metas:
        annotations = meta.get("annotations") if isinstance(meta, dict) else None
        value = annotations.get(IGNORE_ANNOTATION) if isinstance(annotations, dict) else None
        if isinstance(value, str):
            found.update(part for part in _SPLIT.split(value.strip()) if part)
    return frozenset(found)
