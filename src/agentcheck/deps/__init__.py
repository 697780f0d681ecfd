"""Declared dependencies of a project, and which distribution an import needs.

What counts is what the user *declares*, never what happens to be installed where agentcheck
runs: ``importlib.metadata`` is not consulted. Declarations are read from

- ``pyproject.toml``: PEP 621 ``dependencies`` and ``optional-dependencies``, PEP 735
  ``[dependency-groups]``, Poetry (``[tool.poetry.dependencies]``, groups, dev-dependencies),
  uv and PDM dev-dependencies;
- ``requirements*.txt`` (and ``requirements/*.txt``), following ``-r`` includes, decoded as pip
  decodes them (a UTF-16 or UTF-8 BOM is honoured);
- ``setup.cfg`` ``install_requires``, literal ``install_requires`` lists in ``setup.py``,
  ``Pipfile``;
- langgraph.json / aegra.json ``dependencies``: package requirements and local paths.

An import is mapped to the distributions that can provide it (:func:`distributions_for_import`):
a curated table for the LangChain ecosystem and modules whose import name differs from their
distribution (``yaml`` -> ``pyyaml``), else the PEP 503 normalized top-level name
(``langchain_openai`` -> ``langchain-openai``). :func:`provided` closes a set of declared
distributions over dependencies they are known to guarantee (``langgraph`` brings
``langchain-core``), so an import of ``langchain_core`` in a project that declares ``langgraph``
is not undeclared. The standard library never counts (:func:`is_stdlib`).
"""

from __future__ import annotations

from agentcheck._distributions import IMPORT_TO_DISTS, PROVIDES, SERVER_PROVIDES
from agentcheck.deps._formats import langgraph_json_dependencies
from agentcheck.deps._imports import distributions_for_import, is_stdlib, provided
from agentcheck.deps._model import LOCK_FILES, Declared, LocalPath, normalize
from agentcheck.deps._pyproject import poetry_constraint, pyproject_dependencies, requires_python
from agentcheck.deps._requirements import requirements_file, requirements_fully_pinned
from agentcheck.deps._scope import (
    declared_for_config,
    declared_in,
    local_installs,
    lock_files,
    manifests,
)

__all__ = [
    "IMPORT_TO_DISTS",
    "LOCK_FILES",
    "PROVIDES",
    "SERVER_PROVIDES",
    "Declared",
    "LocalPath",
    "declared_for_config",
    "declared_in",
    "distributions_for_import",
    "is_stdlib",
    "langgraph_json_dependencies",
    "local_installs",
    "lock_files",
    "manifests",
    "normalize",
    "poetry_constraint",
    "provided",
    "pyproject_dependencies",
    "requirements_file",
    "requirements_fully_pinned",
    "requires_python",
]
