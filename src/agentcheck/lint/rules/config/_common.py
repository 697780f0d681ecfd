"""Helpers shared by the AC1xx rules."""

from __future__ import annotations

import importlib
import re
import sys
import types
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck import pyindex
from agentcheck._deferred import deferred
from agentcheck.files import dir_of, name_of
from agentcheck.langgraph_config import served_closure

if TYPE_CHECKING:
    from agentcheck.project import LanggraphConfig, Project

__all__ = [
    "PACKAGE_MANIFESTS",
    "image_python_version",
    "langgraph_cli_config",
    "project_packages",
    "served_imports",
    "sibling_module",
]

#: Files that make a directory an installable Python project.
PACKAGE_MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg")


#: Modules ``langgraph_cli.config`` imports that lint needs only on rare paths.
_DEFERRED_IMPORTS = ("httpx", "click")


def langgraph_cli_config() -> types.ModuleType:
    """``langgraph_cli.config``, imported without importing httpx or click.

    langgraph-cli's validation is the reference for langgraph.json, but its module imports
    httpx (about 0.2 s) only to ask PyPI for versions, which lint never does, and click (about
    15 ms) only to raise ``click.UsageError`` when a config is invalid. While it is imported,
    each of them is a stand-in that imports the real module on first use (the first error, for
    click); the stand-ins are removed from ``sys.modules`` right after, so every other import
    of httpx or click is untouched.
    """
    name = "langgraph_cli.config"
    if name in sys.modules:
        return importlib.import_module(name)
    with deferred(*_DEFERRED_IMPORTS):
        return importlib.import_module(name)


def served_imports(
    project: Project, cfg: LanggraphConfig
) -> Iterator[tuple[str, pyindex.ImportRef]]:
    """Absolute imports that run when the server loads ``cfg``'s targets: every import of the
    served files and the project modules they import, except those under ``if
    TYPE_CHECKING`` or allowed to fail (``try: ... except ImportError``)."""
    for rel in served_closure(project, cfg):
        for ref in pyindex.imports(project, rel):
            if ref.guarded or ref.level or not ref.absolute:
                continue
            yield rel, ref


def sibling_module(project: Project, rel: str, top: str) -> str | None:
    """The module or package named ``top`` in the directory of ``rel`` (``from utils import
    x`` next to ``utils.py``), as a path, or None."""
    parent = PurePosixPath(rel).parent
    directory = "" if parent.as_posix() == "." else parent.as_posix()
    found = pyindex.top_level_names(project, directory)
    if top not in found:
        return None
    stem = f"{directory}/{top}" if directory else top
    files = project.memo("config:file-set", lambda: frozenset(project.files))
    return f"{stem}.py" if f"{stem}.py" in files else stem


def project_packages(project: Project) -> frozenset[str]:
    """Top-level module names of the project's own code: importable from a search root, or
    from a directory holding a package manifest (and its ``src/``), monorepo members too."""

    def build() -> frozenset[str]:
        roots = set(pyindex.search_roots(project))
        for rel in project.files:
            if name_of(rel) in PACKAGE_MANIFESTS:
                parent = dir_of(rel)
                roots.add(parent)
                roots.add(f"{parent}/src" if parent else "src")
        names: set[str] = set()
        for root in roots:
            names |= pyindex.top_level_names(project, root)
        return frozenset(names)

    return project.memo("config:project-packages", build)


_PY_TAG = re.compile(r"(?:^|[^0-9.])(?:py(?:thon)?-?)?(3\.\d{1,2})(?![0-9])")


def image_python_version(image: str) -> str | None:
    """The Python ``major.minor`` an image tag names: ``python:3.12-slim`` -> ``3.12``,
    ``langchain/langgraph-api:3.11`` -> ``3.11``, ``ghcr.io/astral-sh/uv:python3.13-bookworm``
    -> ``3.13``. None for images that do not say (``ubuntu:24.04``, an untagged image)."""
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    if ":" not in last:
        return None
    name, tag = ref[: ref.rindex(":")].lower(), last.split(":", 1)[1].lower()
    repo = name.rsplit("/", 1)[-1]
    pythonish = repo in ("python", "pypy") or "python" in tag or "langgraph" in repo
    pythonish = pythonish or repo in ("uv", "miniconda3", "conda") or tag.startswith("py")
    if not pythonish:
        return None
    match = _PY_TAG.search(tag)
    return match.group(1) if match else None
