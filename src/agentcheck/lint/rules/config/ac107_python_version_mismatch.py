"""AC107 python-version-mismatch: langgraph.json, pyproject and the Docker image disagree on
the Python version."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from agentcheck.langgraph_config import is_aegra
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.config._pythons import (
    DEFAULT_BUILD_PYTHON,
    Statement,
    docker_images,
    pinned_python,
    python_version_file,
    requires_python,
)

if TYPE_CHECKING:
    from agentcheck.project import LanggraphConfig, Project

__all__ = ["PythonVersionMismatch"]


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
        pinned = pinned_python(cfg)
        requires = requires_python(project, cfg.dir)
        pyversion_file = python_version_file(project, cfg.dir)
        images = list(docker_images(project, cfg.dir))

        reference: Statement
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
                message=f"{other.what[:1].upper()}{other.what[1:]} disagrees with {disagree}.",
                fix=f"State the same Python version in {other.path} and {reference.path}.",
            )
