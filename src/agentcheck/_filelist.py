"""Which files a project holds: git's view of a work tree, or a walk that honours
``.gitignore`` files elsewhere (see :attr:`agentcheck.project.Project.files`)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pathspec

from agentcheck.files import Entry, read_regular
from agentcheck.secrets import ignore_spec

__all__ = ["SKIP_DIRS", "git_listing", "git_root", "walk"]

#: Directories never read: tooling caches, virtualenvs, dependencies, VCS internals.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".langgraph_api",
        "site-packages",
        ".eggs",
        ".idea",
        ".vscode",
        ".cache",
        ".agentcheck_cache",
    }
)
_GIT_LS_FILES = ("git", "-c", "core.quotepath=off", "ls-files", "-z", "-t")


def git_root(root: Path) -> Path | None:
    """The git work tree enclosing ``root``, or None (git missing or not a repository)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return Path(out.stdout.strip()).resolve()


def git_listing(root: Path) -> tuple[frozenset[str], tuple[str, ...]]:
    """``(tracked, tracked and untracked-but-not-ignored)`` below ``root`` (in a git work
    tree), from one ``git ls-files`` (its ``-t`` tag is ``?`` for untracked files); empty when
    git fails."""
    try:
        out = subprocess.run(
            [*_GIT_LS_FILES, "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset(), ()
    if out.returncode != 0:
        return frozenset(), ()
    entries = [e for e in out.stdout.decode("utf-8", "surrogateescape").split("\0") if e]
    tracked = frozenset(e[2:] for e in entries if not e.startswith("? "))
    return tracked, tuple(e[2:] for e in entries)


def walk(root: Path, max_file_size: int, locate: Callable[[str], Entry]) -> Iterator[str]:
    """Files below ``root`` outside git, relative POSIX paths: ``.gitignore`` files are
    honoured, :data:`SKIP_DIRS` and virtualenvs are not entered, and directory links are
    never followed (``locate`` reports one that leaves the root)."""
    ignores: list[tuple[str, pathspec.PathSpec[Any]]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        gitignore = f"{rel_dir}/.gitignore" if rel_dir else ".gitignore"
        if ".gitignore" in filenames:
            try:
                data = read_regular(root, gitignore, max_file_size)
                lines = data.decode("utf-8", errors="replace").splitlines()
                ignores.append((rel_dir, ignore_spec(lines)))
            except OSError:
                locate(gitignore)  # a link out of the root is reported, not followed

        def ignored(rel: str, is_dir: bool) -> bool:
            for base, spec in ignores:
                if base and not rel.startswith(base + "/"):
                    continue
                sub = rel[len(base) + 1 :] if base else rel
                if spec.match_file(sub + ("/" if is_dir else "")):
                    return True
            return False

        keep = []
        for name in sorted(dirnames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if name in SKIP_DIRS or ignored(rel, True):
                continue
            if os.path.islink(os.path.join(dirpath, name)):
                locate(rel)  # never walked into; reported when it leaves the root
                continue
            if os.path.lexists(Path(dirpath) / name / "pyvenv.cfg"):
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not ignored(rel, False):
                yield rel
