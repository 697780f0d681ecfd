"""AC107 python-version-mismatch: langgraph.json, pyproject and the Docker image disagree on
the Python version."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck import deps
from agentcheck.langgraph_config import is_aegra
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.config._common import image_python_version

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from agentcheck.project import LanggraphConfig, Project

__all__ = ["PythonVersionMismatch"]

#: The Python ``langgraph build`` uses when langgraph.json sets no ``python_version``.
DEFAULT_BUILD_PYTHON = "3.11"
_VERSION = re.compile(r"^\s*(3\.\d{1,2})(?:\.\d+)?")


@dataclass(frozen=True)
class _Source:
    """One statement of the Python version: where, and what it says."""

    path: str
    line: int
    column: int
    what: str
    version: str | None = None
    spec: SpecifierSet | None = None

    def allows(self, version: str) -> bool:
        if self.spec is not None:
            return any(
                self.spec.contains(f"{version}.{patch}", prereleases=True) for patch in (0, 99)
            )
        return self.version == version


class PythonVersionMismatch(Rule):
    """langgraph.json, ``requires-python`` and the Docker image disagree on the Python version.

    What it does
    ------------
    Compares, for each langgraph.json, the ``python_version`` it sets (or the 3.11 that
    ``langgraph build`` uses without one), the ``requires-python`` of the pyproject.toml
    beside it or at the root (Poetry's ``python`` too), a ``.python-version`` file, and the
    Python of the Dockerfiles around it (``FROM python:3.12-slim``,
    ``FROM langchain/langgraph-api:3.11``). Each source that disagrees with the most
    authoritative one is reported where it is written.

    Why is this bad?
    ----------------
    The image runs a Python the code was not tested on, or pip refuses to install the
    project into it ("requires a different Python"), and only the production build finds out.

    Example
    -------
    ```toml
    [project]
    requires-python = ">=3.12"   # langgraph.json: "python_version": "3.11"
    ```

    Use instead
    -----------
    ```toml
    [project]
    requires-python = ">=3.11"
    ```
    """

    code = "AC107"
    name = "python-version-mismatch"
    severity = Severity.WARNING
    message = "langgraph.json, pyproject.toml and the Docker image disagree on the Python version."
    fix = "Use one Python version everywhere the project states it."

    def check(self, project: Project) -> Iterable[Finding]:
        seen: set[tuple[str, int]] = set()
        for cfg in project.langgraph_configs:
            if cfg.doc is None or not isinstance(cfg.doc.data, dict):
                continue
            for finding in self._check(project, cfg):
                if (finding.path, finding.line) not in seen:
                    seen.add((finding.path, finding.line))
                    yield finding

    def _check(self, project: Project, cfg: LanggraphConfig) -> Iterator[Finding]:
        assert cfg.doc is not None
        declared = cfg.data.get("python_version")
        pinned: _Source | None = None
        if isinstance(declared, str) and (match := _VERSION.match(declared)):
            line, col = cfg.doc.loc("python_version")
            pinned = _Source(cfg.path, line, col, f'"python_version": "{declared}"', match[1])
        requires = _requires_python(project, cfg)
        pyversion_file = _python_version_file(project, cfg)
        images = list(_docker_images(project, cfg))

        if pinned is not None:
            reference = pinned
        elif requires is not None:
            reference = requires
            source = cfg.data.get("source")
            uv = isinstance(source, dict) and source.get("kind") == "uv"
            if not is_aegra(cfg) and not uv and not requires.allows(DEFAULT_BUILD_PYTHON):
                yield self.finding(
                    cfg.path,
                    *cfg.doc.loc(),
                    message=f"{cfg.path} sets no python_version, so `langgraph build` uses "
                    f"Python {DEFAULT_BUILD_PYTHON}, which {requires.what} in "
                    f"{requires.path} excludes.",
                    fix='Set "python_version" to a version requires-python allows.',
                )
        elif pyversion_file is not None:
            reference = pyversion_file
        else:
            return
        candidates = [s for s in (requires, pyversion_file, *images) if s is not None]
        for other in candidates:
            if other is reference:
                continue
            if reference.version is not None:
                if other.allows(reference.version):
                    continue
                disagree = f"{reference.what} in {reference.path}"
            elif other.version is not None and not reference.allows(other.version):
                disagree = f"{reference.what} in {reference.path}"
            else:
                continue
            yield self.finding(
                other.path,
                other.line,
                other.column,
                message=f"{other.what} disagrees with {disagree}.",
                fix=f"State the same Python version in {other.path} and {reference.path}.",
            )


def _requires_python(project: Project, cfg: LanggraphConfig) -> _Source | None:
    for directory in dict.fromkeys((cfg.dir, "")):
        rel = f"{directory}/pyproject.toml" if directory else "pyproject.toml"
        found = deps.requires_python(project, rel)
        if found is not None:
            spec, line = found
            return _Source(rel, line, 1, f"requires-python '{spec}'", spec=spec)
    return None


def _python_version_file(project: Project, cfg: LanggraphConfig) -> _Source | None:
    for directory in dict.fromkeys((cfg.dir, "")):
        rel = f"{directory}/.python-version" if directory else ".python-version"
        if rel not in project.files:
            continue
        text = project.text(rel) or ""
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        match = _VERSION.match(first)
        if match:
            return _Source(rel, 1, 1, f".python-version {first.strip()}", match[1])
    return None


def _docker_images(project: Project, cfg: LanggraphConfig) -> Iterator[_Source]:
    """The final-stage base image of every Dockerfile in the config's directory, above it or
    below it, when its tag names a Python version."""
    from agentcheck.deployment import deployment

    base = cfg.dir
    for rel, info in deployment(project).dockerfiles.items():
        parent = PurePosixPath(rel).parent.as_posix()
        parent = "" if parent == "." else parent
        related = (
            not parent
            or parent == base
            or base.startswith(parent + "/")
            or (not base or parent.startswith(base + "/"))
        )
        if not related or not info.base_image or info.base_where is None:
            continue
        version = image_python_version(info.base_image)
        if version is None:
            continue
        yield _Source(
            rel,
            info.base_where.line,
            info.base_where.column,
            f"The base image {info.base_image}",
            version,
        )
