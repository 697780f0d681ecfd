"""AC106 local-package-missing: served code needs the project's own code, and langgraph.json
``dependencies`` does not ship it."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck import deps, pyindex
from agentcheck.langgraph_config import is_aegra, target_path, targets
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.config._common import (
    PACKAGE_MANIFESTS,
    served_imports,
    sibling_module,
)

if TYPE_CHECKING:
    from agentcheck.project import LanggraphConfig, Project

__all__ = ["LocalPackageMissing"]

#: A directory code is importable from, and the only top-level name it provides (None: any).
_Root = tuple[str, str | None]


class LocalPackageMissing(Rule):
    """Served code imports the project's own package, but ``dependencies`` does not ship it.

    What it does
    ------------
    Models what ``langgraph build`` puts in the image: only the local paths listed in
    langgraph.json ``dependencies`` (``"."``, ``"./src"``) are copied and installed, as a
    package when they hold a ``pyproject.toml``/``setup.py`` and as a "faux" package
    otherwise. It reports a local path that does not exist, a target file (graph, auth, http
    app, checkpointer) outside every local path, and an import of the project's own package
    by served code that none of the local paths makes importable. For aegra.json, which puts
    the config directory and the listed paths on ``sys.path``, only the imports count.

    Why is this bad?
    ----------------
    ``langgraph dev`` runs from the repository, where the package is importable, and the image
    ``langgraph build`` makes fails: "Module ... not found in 'dependencies' list", or
    ``ModuleNotFoundError`` at startup.

    Example
    -------
    ```json
    {"dependencies": ["langchain-openai"], "graphs": {"agent": "./src/agent/graph.py:graph"}}
    ```

    Use instead
    -----------
    ```json
    {"dependencies": ["."], "graphs": {"agent": "./src/agent/graph.py:graph"}}
    ```
    with a pyproject.toml at the root that installs ``agent`` (and declares
    ``langchain-openai``).
    """

    code = "AC106"
    name = "local-package-missing"
    severity = Severity.ERROR
    message = "Served code needs the project's own package, and `dependencies` does not ship it."
    fix = 'Add "." (or the path of the package) to langgraph.json `dependencies`.'

    def check(self, project: Project) -> Iterable[Finding]:
        for cfg in project.langgraph_configs:
            if cfg.doc is None or not isinstance(cfg.data.get("dependencies"), list):
                continue  # AC100 / AC101
            source = cfg.data.get("source")
            if isinstance(source, dict) and source.get("kind") == "uv":
                continue  # uv source mode ships the whole uv project
            yield from self._check(project, cfg)

    def _check(self, project: Project, cfg: LanggraphConfig) -> Iterator[Finding]:
        _declared, local = deps.langgraph_json_dependencies(cfg)
        existing: list[str] = []
        for lp in local:
            if lp.raw.startswith("/"):
                continue
            entry = project.locate(posixpath.normpath(posixpath.join(cfg.dir or ".", lp.raw)))
            if entry.kind == "outside":
                continue  # a link out of the project: reported once as AC100, never followed
            if entry.is_dir:
                if lp.path is not None:
                    existing.append(lp.path)
                continue
            what = "does not exist" if entry.kind == "missing" else "is a file, not a directory"
            yield self.finding(
                cfg.path,
                lp.line,
                lp.column,
                message=f"The local dependency {lp.raw!r} {what}: `langgraph build` stops "
                "with 'Could not find local dependency'.",
                fix="Fix the path (it is relative to the langgraph.json directory) or remove it.",
            )
        aegra = is_aegra(cfg)
        if not aegra:
            yield from self._targets_outside(cfg, existing)
        roots = _roots(project, cfg, existing, aegra)
        yield from self._module_targets(project, cfg, roots)
        yield from self._imports(project, cfg, roots)

    def _targets_outside(self, cfg: LanggraphConfig, existing: list[str]) -> Iterator[Finding]:
        for target in targets(cfg):
            rel = target_path(target)
            if rel is None or target.is_js:
                continue
            if any(_inside(rel, d) for d in existing):
                continue
            listed = ", ".join(repr(str(d)) for d in cfg.data.get("dependencies", []))
            yield self.finding(
                cfg.path,
                target.line,
                target.column,
                message=f"The {target.label} target {target.spec!r} is outside every local "
                f"path in `dependencies` ({listed or 'none'}): `langgraph build` fails with "
                "\"Module ... not found in 'dependencies' list\".",
                fix=f'Add "." or "./{PurePosixPath(rel).parts[0]}" to `dependencies`.'
                if "/" in rel
                else self.fix,
            )

    def _module_targets(
        self, project: Project, cfg: LanggraphConfig, roots: list[_Root]
    ) -> Iterator[Finding]:
        for target in targets(cfg):
            if target.module is None or pyindex.module_path(project, target.module) is None:
                continue
            top = target.module.split(".", 1)[0]
            if _importable(project, roots, top):
                continue
            yield self.finding(
                cfg.path,
                target.line,
                target.column,
                message=f"The {target.label} target {target.spec!r} is the project's module "
                f"{target.module!r}, but no local path in `dependencies` makes {top!r} "
                "importable in the image.",
            )

    def _imports(
        self, project: Project, cfg: LanggraphConfig, roots: list[_Root]
    ) -> Iterator[Finding]:
        search = pyindex.search_roots(project)
        seen: set[tuple[str, int, str]] = set()
        available = deps.provided([*deps.declared_for_config(project, cfg), *deps.SERVER_PROVIDES])
        for rel, ref in served_imports(project, cfg):
            top = ref.top or ""
            home = next((r for r in search if top in pyindex.top_level_names(project, r)), None)
            sibling = sibling_module(project, rel, top) if home is None else None
            if sibling is not None and (
                sibling == rel
                or any(d in available for d in deps.distributions_for_import(ref.absolute or top))
            ):
                # An absolute import of a declared package that shares a neighbour's name
                # (``from langsmith import Client`` beside langsmith.py): the package wins.
                sibling = None
            if home is None and sibling is None:
                continue  # not the project's own code (AC105's business)
            if _importable(project, roots, top):
                continue
            key = (rel, ref.line, top)
            if key in seen:
                continue
            seen.add(key)
            if sibling is not None:
                folder = str(PurePosixPath(rel).parent)
                yield self.finding(
                    rel,
                    ref.line,
                    ref.col,
                    message=f"{rel} imports {ref.absolute} from {sibling}, next to it, but "
                    f"{folder}/ is not on the server's import path: the server loads "
                    f"{rel} by path, and no local path in the `dependencies` of {cfg.path} "
                    f"makes {top!r} importable.",
                    fix=f"Import it through its package (`from {folder.replace('/', '.')} "
                    f'import {top}`) with "." in `dependencies`, or add "./{folder}".',
                )
                continue
            location = f"{home}/{top}" if home else top
            yield self.finding(
                rel,
                ref.line,
                ref.col,
                message=f"{rel} imports {ref.absolute}, the project's own code ({location}), "
                "but no local path in the `dependencies` of "
                f"{cfg.path} makes {top!r} importable in the image.",
                fix=f'Add "./{home}" to `dependencies`, or "." with a pyproject.toml that '
                f"installs {top!r}."
                if home
                else self.fix,
            )


def _importable(project: Project, roots: list[_Root], top: str) -> bool:
    return any(
        (only is None or only == top) and top in pyindex.top_level_names(project, root)
        for root, only in roots
    )


def _inside(rel: str, directory: str) -> bool:
    return not directory or rel == directory or rel.startswith(directory + "/")


def _roots(project: Project, cfg: LanggraphConfig, existing: list[str], aegra: bool) -> list[_Root]:
    """Where the deployment can import code from."""
    installed = [
        root for d in deps.local_installs(project) for root in ((d, None), (f"{d}/src", None))
    ]
    if aegra:
        return [(cfg.dir, None), *((d, None) for d in existing), *installed]
    files = set(project.files)
    roots: list[_Root] = list(installed)
    for d in existing:
        prefix = f"{d}/" if d else ""
        if any(f"{prefix}{m}" in files for m in PACKAGE_MANIFESTS):
            # A real package: pip installs what it declares, flat or src layout.
            roots += [(d, None), (f"{prefix}src", None)]
        elif f"{prefix}__init__.py" in files and d:
            parent, _, name = d.rpartition("/")
            roots.append((parent, name))
        else:
            roots.append((d, None))
    return roots
