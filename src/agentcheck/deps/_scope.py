"""Which manifests a project has and which of them count for a langgraph.json, and the
directories its package managers install as packages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.deps._formats import _pipfile, _setup_cfg, _setup_py, langgraph_json_dependencies
from agentcheck.deps._model import LOCK_FILES, Declared, LocalPath, _rel_join
from agentcheck.deps._pyproject import pyproject_dependencies
from agentcheck.deps._requirements import requirements_file
from agentcheck.files import dir_of, name_of, suffix_of

if TYPE_CHECKING:
    from agentcheck.project import LanggraphConfig, Project


_REQ_NAME = re.compile(r"^(?:.*[-_.])?requirements(?:[-_.].*)?\.(?:txt|in)$", re.IGNORECASE)


def _is_requirements(rel: str) -> bool:
    # Names by string work, not PurePosixPath: this runs on every file of the project.
    name = name_of(rel)
    return bool(_REQ_NAME.match(name)) or (
        name_of(dir_of(rel)).lower() == "requirements" and suffix_of(name) in (".txt", ".in")
    )


def _by_dir(project: Project) -> dict[str, list[str]]:
    names = {"pyproject.toml", "setup.cfg", "setup.py", "Pipfile"}
    out: dict[str, list[str]] = {}
    for rel in project.files:
        if name_of(rel) in names or _is_requirements(rel):
            parent = dir_of(rel)
            out.setdefault(parent, []).append(rel)
            if name_of(parent).lower() == "requirements":
                out.setdefault(dir_of(parent), []).append(rel)
    return out


def manifests(project: Project) -> list[str]:
    """Every dependency manifest of the project: pyproject.toml, setup.cfg, setup.py, Pipfile
    and requirements files, sorted."""
    index = project.memo("deps:by-dir", lambda: _by_dir(project))
    return sorted({rel for found in index.values() for rel in found})


def declared_in(project: Project, rel: str) -> list[Declared]:
    """The requirements the manifest ``rel`` declares (with ``-r`` includes)."""
    return _declared_in(project, rel)[0]


def _declared_in(project: Project, rel: str) -> tuple[list[Declared], list[LocalPath]]:
    name = PurePosixPath(rel).name
    if name == "pyproject.toml":
        return pyproject_dependencies(project, rel), []
    if name == "setup.cfg":
        return _setup_cfg(project, rel), []
    if name == "setup.py":
        return _setup_py(project, rel), []
    if name == "Pipfile":
        return _pipfile(project, rel), []
    return requirements_file(project, rel)


def _ancestors(directory: str) -> list[str]:
    out = [directory]
    while directory:
        directory = directory.rpartition("/")[0]
        out.append(directory)
    return out


def declared_for_config(project: Project, cfg: LanggraphConfig) -> list[Declared]:
    """Everything declared for the deployment that ``cfg`` describes: its ``dependencies``,
    the manifests in its directory, the directories above it and the local paths it lists,
    and every other manifest of the project that is not below another langgraph.json."""
    return project.memo(f"deps:config:{cfg.path}", lambda: _declared_for_config(project, cfg))


def _declared_for_config(project: Project, cfg: LanggraphConfig) -> list[Declared]:
    declared, local = langgraph_json_dependencies(cfg)
    out = list(declared)
    ancestors = _ancestors(cfg.dir)
    dirs = ancestors + [lp.path for lp in local if lp.path is not None and lp.path not in ancestors]
    # Manifests elsewhere (deploy/requirements.txt that a Dockerfile installs) count too,
    # unless they belong to another langgraph.json of a monorepo.
    others = [c.dir for c in project.langgraph_configs if c.dir not in ancestors]
    for rel in manifests(project):
        parent = PurePosixPath(rel).parent.as_posix()
        parent = "" if parent == "." else parent
        if parent.endswith("/requirements") or parent == "requirements":
            parent = parent.rpartition("/")[0] if "/" in parent else ""
        mine = parent in dirs
        if mine or not any(parent == o or parent.startswith(o + "/") for o in others):
            out += _declared_in(project, rel)[0]
    return out


def lock_files(project: Project) -> list[str]:
    """Lock files in the project (``uv.lock``, ``poetry.lock`` ...)."""
    return [rel for rel in project.files if name_of(rel) in LOCK_FILES]


# --------------------------------------------------------------------------- local packages


def local_installs(project: Project) -> tuple[str, ...]:
    """Directories of the project that its package managers install as packages: uv
    workspace members (``[tool.uv.workspace] members``, less ``exclude``), uv path sources
    (``[tool.uv.sources] x = { path = "libs/x" }``), Poetry path dependencies and local
    paths in requirements files (``-e ./pkg``). Relative to the root, sorted; each holds a
    package manifest or Python code."""
    return project.memo("deps:local-installs", lambda: _local_installs(project))


def _table(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _path_specs(table: dict[str, Any]) -> Iterator[str]:
    """The ``path`` of each ``name = { path = ... }`` (or list of such) entry."""
    for spec in table.values():
        for one in spec if isinstance(spec, list) else [spec]:
            if isinstance(one, dict) and isinstance(one.get("path"), str):
                yield one["path"]


def _local_installs(project: Project) -> tuple[str, ...]:
    import fnmatch

    dirs = sorted(
        {
            dir_of(rel)
            for rel in project.files
            if name_of(rel) in ("pyproject.toml", "setup.py", "setup.cfg")
        }
    )
    found: set[str] = set()
    for rel in manifests(project):
        name = PurePosixPath(rel).name
        base = PurePosixPath(rel).parent.as_posix()
        base = "" if base == "." else base
        paths: list[str] = []
        if name == "pyproject.toml":
            tool = _table(project.toml(rel), "tool")
            uv = _table(tool, "uv")
            workspace = _table(uv, "workspace")
            members = [m.rstrip("/") for m in workspace.get("members", []) if isinstance(m, str)]
            excluded = [m.rstrip("/") for m in workspace.get("exclude", []) if isinstance(m, str)]
            for candidate in dirs:
                if candidate == base or (base and not candidate.startswith(base + "/")):
                    continue
                sub = candidate[len(base) + 1 :] if base else candidate
                if any(fnmatch.fnmatchcase(sub, m) for m in members) and not any(
                    fnmatch.fnmatchcase(sub, m) for m in excluded
                ):
                    found.add(candidate)
            paths += _path_specs(_table(uv, "sources"))
            poetry = _table(tool, "poetry")
            tables = [_table(poetry, "dependencies"), _table(poetry, "dev-dependencies")]
            tables += [_table(g, "dependencies") for g in _table(poetry, "group").values()]
            for table in tables:
                paths += _path_specs(table)
        elif name not in ("setup.py", "setup.cfg", "Pipfile"):
            found.update(
                lp.path for lp in requirements_file(project, rel)[1] if lp.path and lp.path in dirs
            )
        for raw in paths:
            target = _rel_join(base or ".", raw)
            if target and target in dirs:
                found.add(target)
    found.discard("")
    return tuple(sorted(found))
