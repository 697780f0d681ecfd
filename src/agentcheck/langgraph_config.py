"""The code a langgraph.json (or Aegra's aegra.json) points at: graph targets and served files.

A *target* is a ``"<file or module>:<attribute>"`` string the server imports: every entry of
``graphs`` (a string, or the ``path`` of the dict form ``{"path": ..., "description": ...}``),
``auth.path``, ``http.app``, ``checkpointer.path``, ``store.path``, ``store.index.embed`` when it
names Python code, ``encryption.path`` and ``priority.path``. :func:`targets` lists them with
the position of their value; :func:`target_file` resolves one to a project file, the way the
server does:

- langgraph-api reads a graph spec as a file when the part before the last ``:`` contains a
  ``/`` (``./agent/graph.py:graph``), else as a module (``agent.graph:graph``), imported from
  the config directory, the local ``dependencies`` and ``src/`` (see
  :func:`agentcheck.pyindex.search_roots`). Other targets also count ``.py`` as a file.
- Aegra always reads graph specs as files relative to its config.

A project without any langgraph.json or aegra.json is not a LangGraph project: the AC1xx rules
that need one stay silent there rather than report that it is missing (agentcheck lints whole
repositories, and a repository may well hold no agent).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck import pyindex

if TYPE_CHECKING:
    from agentcheck.project import LanggraphConfig, Project

__all__ = [
    "JS_SUFFIXES",
    "Target",
    "all_targets",
    "inside_root",
    "is_aegra",
    "served_closure",
    "served_files",
    "target_file",
    "target_path",
    "targets",
]

#: File suffixes of JavaScript/TypeScript targets (served by the JS runtime, not checked here).
JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")


@dataclass(frozen=True)
class Target:
    """One ``file-or-module:attribute`` reference in a langgraph.json."""

    config: LanggraphConfig
    #: ``"graph"``, ``"auth"``, ``"http.app"``, ``"checkpointer"``, ``"store"``,
    #: ``"store.index.embed"``, ``"encryption"`` or ``"priority"``.
    kind: str
    #: The graph id for graphs, else the kind.
    name: str
    #: The spec as written.
    spec: str
    #: Path of the value in the JSON document (``("graphs", "agent", "path")``).
    json_path: tuple[str | int, ...]
    line: int
    column: int
    #: The file part as written (``./agent/graph.py``), for file targets.
    file: str | None
    #: The dotted module (``agent.graph``), for module targets.
    module: str | None
    #: The attribute after the last ``:``; None when the spec has no ``:``.
    attr: str | None

    @property
    def is_js(self) -> bool:
        where = self.file or self.module or ""
        return where.endswith(JS_SUFFIXES)

    @property
    def label(self) -> str:
        """How messages name the target: ``graph 'agent'``, ``auth.path``."""
        if self.kind == "graph":
            return f"graph {self.name!r}"
        if self.kind in ("http.app", "store.index.embed"):
            return self.kind
        return f"{self.kind}.path"


def inside_root(rel: str) -> str | None:
    """A normalized relative path (``"."`` -> ``""``), or None when it climbs out of the root."""
    rel = posixpath.normpath(rel) if rel else "."
    if rel == ".." or rel.startswith(("../", "/")):
        return None
    return "" if rel == "." else rel


def is_aegra(cfg: LanggraphConfig) -> bool:
    """Whether ``cfg`` is Aegra's ``aegra.json`` (graph specs are always files there)."""
    return PurePosixPath(cfg.path).name == "aegra.json"


def _split(spec: str, kind: str, aegra: bool) -> tuple[str | None, str | None, str | None]:
    """``(file, module, attr)`` of a spec, following the server's rules for ``kind``."""
    if kind == "store" and ":" not in spec and "/" not in spec:
        # langgraph-api reads a module-style custom store as ``package.module.attribute``.
        module, _, name = spec.rpartition(".")
        return None, module or None, name or None
    attr: str | None = None
    where = spec
    if ":" in spec:
        where, attr = spec.rsplit(":", 1)
        where = where.rstrip(":")
    if kind == "graph":
        is_file = aegra or "/" in where or "\\" in where
    else:
        is_file = "/" in where or "\\" in where or where.endswith(".py")
    if is_file:
        return where.replace("\\", "/"), None, attr
    return None, where, attr


def targets(cfg: LanggraphConfig) -> list[Target]:
    """Every import target of ``cfg`` that is a string, in document order."""
    data = cfg.data
    doc = cfg.doc
    if doc is None:
        return []
    aegra = is_aegra(cfg)
    found: list[Target] = []

    def add(kind: str, name: str, path: tuple[str | int, ...], value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        file, module, attr = _split(value.strip(), kind, aegra)
        line, column = doc.loc(*path)
        found.append(Target(cfg, kind, name, value, path, line, column, file, module, attr))

    graphs = data.get("graphs")
    if isinstance(graphs, dict):
        for gid, spec in graphs.items():
            if isinstance(spec, dict):
                add("graph", gid, ("graphs", gid, "path"), spec.get("path"))
            else:
                add("graph", gid, ("graphs", gid), spec)
    for key, kind in (
        ("auth", "auth"),
        ("checkpointer", "checkpointer"),
        ("store", "store"),
        ("encryption", "encryption"),
        ("priority", "priority"),
    ):
        table = data.get(key)
        if isinstance(table, dict):
            add(kind, kind, (key, "path"), table.get("path"))
    http = data.get("http")
    if isinstance(http, dict):
        add("http.app", "http.app", ("http", "app"), http.get("app"))
    store = data.get("store")
    index = store.get("index") if isinstance(store, dict) else None
    embed = index.get("embed") if isinstance(index, dict) else None
    if isinstance(embed, str) and ".py:" in embed:
        add("store.index.embed", "store.index.embed", ("store", "index", "embed"), embed)
    return found


def all_targets(project: Project) -> list[Target]:
    """The targets of every langgraph.json / aegra.json of the project."""
    return project.memo(
        "lgconfig:targets", lambda: [t for c in project.langgraph_configs for t in targets(c)]
    )


def target_path(target: Target) -> str | None:
    """For a file target: its path relative to the project root (whether or not it exists);
    None for module targets and paths that leave the root."""
    if target.file is None:
        return None
    if target.file.startswith("/"):
        return None
    return inside_root(target.config.resolve(target.file))


def target_file(project: Project, target: Target) -> str | None:
    """The project file ``target`` loads, or None (missing, outside the project, or a module
    that is not the project's own)."""
    if target.file is not None:
        rel = target_path(target)
        return rel if rel is not None and rel in project.files else None
    if target.module is None:
        return None
    return pyindex.module_path(project, target.module)


def served_files(project: Project, cfg: LanggraphConfig | None = None) -> list[str]:
    """Python files the server imports directly: the resolved targets of ``cfg`` (default:
    every config), deduplicated, in document order. JavaScript targets are left out."""
    chosen = targets(cfg) if cfg is not None else all_targets(project)
    out: dict[str, None] = {}
    for target in chosen:
        if target.is_js:
            continue
        rel = target_file(project, target)
        if rel is not None and rel.endswith(".py"):
            out[rel] = None
    return list(out)


def served_closure(project: Project, cfg: LanggraphConfig | None = None) -> list[str]:
    """:func:`served_files` plus every project module they import, transitively (imports
    under ``if TYPE_CHECKING`` excluded)."""
    key = f"lgconfig:closure:{cfg.path if cfg is not None else '*'}"
    return project.memo(key, lambda: pyindex.local_closure(project, served_files(project, cfg)))
