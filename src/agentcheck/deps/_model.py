"""Declared requirements and local paths, and the helpers that locate them in a file."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

#: Files that pin a complete dependency set.
LOCK_FILES = frozenset(
    {
        "uv.lock",
        "poetry.lock",
        "pdm.lock",
        "Pipfile.lock",
        "pylock.toml",
        "conda-lock.yml",
        "requirements.lock",
        "requirements-lock.txt",
    }
)

_NORMALIZE = re.compile(r"[-_.]+")


def normalize(name: str) -> str:
    """The PEP 503 normalized form of a distribution name (``Langchain_OpenAI`` ->
    ``langchain-openai``)."""
    return _NORMALIZE.sub("-", name).lower()


@dataclass(frozen=True)
class Declared:
    """One declared requirement, where it is declared."""

    #: The name as written.
    name: str
    #: :func:`normalize`-d name.
    key: str
    #: The version specifier (``">=0.2,<0.3"``), ``""`` for none.
    specifier: str
    extras: frozenset[str]
    #: Relative path of the declaring file, and the 1-based position of the declaration.
    source: str
    line: int
    column: int = 1
    #: ``"project"``, ``"optional"``, ``"group"``, ``"poetry"``, ``"requirements"``,
    #: ``"langgraph.json"``, ``"setup"``, ``"pipfile"``.
    kind: str = "project"
    #: A direct reference (``pkg @ https://...``, a VCS URL, a path).
    url: str | None = None
    #: The specifier is in Poetry's syntax (``^0.2``) rather than PEP 440.
    poetry: bool = False

    @property
    def bounded(self) -> bool:
        """Whether the version cannot float to any future release: pinned (``==``, ``===``,
        ``~=``), capped (``<``, ``<=``, Poetry ``^``/``~``), or a direct reference."""
        if self.url:
            return True
        spec = self.specifier.strip()
        if self.poetry:
            return bool(spec) and spec != "*" and (spec[0] in "^~=" or "<" in spec)
        return any(op in spec for op in ("==", "~=", "<"))


@dataclass(frozen=True)
class LocalPath:
    """A local directory named as a dependency (``"."`` in langgraph.json, ``-e ./pkg``)."""

    #: Normalized path relative to the project root (``""`` for the root), or None when the
    #: path leaves the root.
    path: str | None
    raw: str
    source: str
    line: int
    column: int = 1


_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")

# --------------------------------------------------------------------------- parsing helpers


def _requirement(text: str, source: str, line: int, column: int, kind: str) -> Declared | None:
    # packaging is imported where it is used: a lint without requirements never pays for it.
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    return Declared(
        name=req.name,
        key=normalize(req.name),
        specifier=str(req.specifier),
        extras=frozenset(normalize(e) for e in req.extras),
        source=source,
        line=line,
        column=column,
        kind=kind,
        url=req.url,
    )


def _find_line(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    """Line and column of the quoted string ``needle`` in ``text`` (a TOML or Python source),
    or of the bare ``needle`` as a key; (1, 1) when absent."""
    for candidate in (f'"{needle}"', f"'{needle}'", needle):
        idx = text.find(candidate, start)
        if idx >= 0:
            line = text.count("\n", 0, idx) + 1
            col = idx - (text.rfind("\n", 0, idx) + 1) + 1
            return line, col
    return 1, 1


def _key_line(text: str, key: str, start: int = 0) -> tuple[int, int]:
    """Line and column of the TOML key ``key`` (bare or quoted) at the start of a line, at or
    after offset ``start``; falls back to :func:`_find_line`."""
    pattern = re.compile(rf"^[ \t]*([\"']?){re.escape(key)}\1[ \t]*=", re.MULTILINE)
    match = pattern.search(text, start)
    if match is None:
        return _find_line(text, key, start)
    idx = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
    line = text.count("\n", 0, idx) + 1
    return line, idx - (text.rfind("\n", 0, idx) + 1) + 1


def _section_start(text: str, header: str) -> int:
    """Offset of a TOML table header (``[tool.poetry.dependencies]``), or 0."""
    match = re.search(rf"^\s*\[\s*{re.escape(header)}\s*\]", text, re.MULTILINE)
    return match.start() if match else 0


def _rel_join(base: PurePosixPath | str, arg: str) -> str | None:
    """``arg`` relative to directory ``base``, normalized; None outside the root."""
    if arg.startswith("/") or "://" in arg:
        return None
    rel = posixpath.normpath(posixpath.join(str(base), arg))
    if rel == ".." or rel.startswith("../"):
        return None
    return "" if rel == "." else rel
