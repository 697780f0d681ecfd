"""``.gitignore`` and ``.dockerignore``: would git commit a file, would Docker send it?

Both are matched with pathspec (git's wildmatch), not hand-written globbing. The two formats look
alike and differ where it matters for a ``.env``:

- A ``.gitignore`` pattern without a slash matches at any depth: ``.env`` ignores
  ``agent/.env``. A ``.dockerignore`` pattern is always relative to the context root: ``.env``
  excludes only the top-level file; ``**/.env`` is needed for the others.
- ``.gitignore`` files nest (each directory may have one, deeper ones win); Docker reads one
  file, ``<context>/.dockerignore`` (or ``<Dockerfile>.dockerignore`` beside the Dockerfile).
- A trailing ``/`` makes a git pattern match directories only; Docker cleans it away.
- Git cannot re-include a file whose parent directory is excluded (``secrets/`` then
  ``!secrets/keep``); Docker can, the last matching line wins.

The checks here are about the repository's own ``.gitignore`` files: a file ignored only by a
developer's global excludes or ``.git/info/exclude`` is still committed by the next teammate.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from agentcheck.files import read_regular

__all__ = ["GitIgnores", "docker_excludes", "dockerignore_spec", "ignore_spec"]


#: The largest .gitignore read (larger ones are not real ignore files).
_MAX_IGNORE_FILE = 4 * 1_048_576


def ignore_spec(lines: list[str], *, git: bool = True) -> pathspec.PathSpec[Any]:
    """A matcher of gitignore-style ``lines`` (git's own semantics when ``git``, else plain
    wildmatch as Docker needs), without the lines that do not compile (``[z-a]``, a lone
    ``\\``): git skips such patterns, and so does agentcheck."""

    def build(patterns: list[str]) -> pathspec.PathSpec[Any]:
        if git:
            return pathspec.GitIgnoreSpec.from_lines(patterns)
        return pathspec.PathSpec.from_lines("gitignore", patterns)

    try:
        return build(lines)
    except Exception:  # pathspec raises ValueError and re.error
        pass
    good = []
    for line in lines:
        try:
            build([line])
        except Exception:
            continue
        good.append(line)
    return build(good)


class GitIgnores:
    """The ``.gitignore`` files of a work tree rooted at ``root``, read lazily and cached."""

    def __init__(self, root: Path, on_read: Callable[[str], None] | None = None) -> None:
        self.root = root
        self._specs: dict[str, pathspec.PathSpec[Any] | None] = {}
        #: Called with each ``.gitignore`` path (relative to ``root``) an answer depends on.
        self._on_read = on_read

    def _spec(self, rel_dir: str) -> pathspec.PathSpec[Any] | None:
        rel = f"{rel_dir}/.gitignore" if rel_dir else ".gitignore"
        if self._on_read is not None:
            self._on_read(rel)
        if rel_dir not in self._specs:
            spec = None
            try:
                data = read_regular(self.root.resolve(), rel, _MAX_IGNORE_FILE)
                lines = data.decode("utf-8", errors="replace").splitlines()
                spec = ignore_spec(lines)
            except (OSError, ValueError):  # missing, a link out of the tree, a bad pattern
                spec = None
            self._specs[rel_dir] = spec
        return self._specs[rel_dir]

    def _decide(self, rel: str, is_dir: bool) -> bool | None:
        parts = rel.split("/")
        verdict: bool | None = None
        for depth in range(len(parts)):
            base = "/".join(parts[:depth])
            spec = self._spec(base)
            if spec is None:
                continue
            sub = "/".join(parts[depth:]) + ("/" if is_dir else "")
            include = spec.check_file(sub).include
            if include is not None:
                verdict = include
        return verdict

    def ignored(self, rel: str) -> bool:
        """Whether the repository's ``.gitignore`` files ignore ``rel`` (relative to root)."""
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            if self._decide("/".join(parts[:depth]), True):
                return True  # git never looks inside an ignored directory
        return bool(self._decide(rel, False))

    def source(self, rel: str) -> str:
        """A short description of where ``rel``'s ignore rules live, for messages."""
        parts = rel.split("/")
        found = [
            ("/".join(parts[:d]) + "/.gitignore").lstrip("/")
            for d in range(len(parts))
            if self._spec("/".join(parts[:d])) is not None
        ]
        return ", ".join(found) if found else "no .gitignore"


def dockerignore_spec(lines: list[str]) -> pathspec.PathSpec[Any]:
    """A matcher with Docker's semantics for the lines of a ``.dockerignore``.

    Each pattern is cleaned as Docker cleans it (leading ``/`` and ``./`` and trailing ``/``
    dropped) and anchored at the context root, so that pathspec's wildmatch does not apply
    git's match-at-any-depth rule. Comments, blank lines and negations keep their meaning; the
    last matching line wins, as in Docker.
    """
    patterns = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        body = line[1:].strip() if negate else line
        while body.startswith(("/", "./")):
            body = body[1:] if body.startswith("/") else body[2:]
        body = body.rstrip("/")
        if not body or body == ".":
            continue
        patterns.append(("!" if negate else "") + "/" + body)
    return ignore_spec(patterns, git=False)


def docker_excludes(spec: pathspec.PathSpec[Any] | None, rel_in_context: str) -> bool:
    """Whether ``spec`` (from :func:`dockerignore_spec`) keeps ``rel_in_context`` out of the
    build context."""
    return spec is not None and spec.match_file(PurePosixPath(rel_in_context).as_posix())
