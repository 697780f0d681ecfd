"""Where the project's modules live: its files, the search roots of its imports, and dotted
names to files and back."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.files import dir_of

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["is_local_module", "module_name", "module_path", "search_roots", "top_level_names"]


# --------------------------------------------------------------------------- files and roots


def _file_set(project: Project) -> frozenset[str]:
    return project.memo("pyindex:files", lambda: frozenset(project.files))


def _dir_set(project: Project) -> frozenset[str]:
    """Directories (relative, ``""`` for the root) that contain a ``.py`` file at any depth."""

    def build() -> frozenset[str]:
        dirs: set[str] = set()
        for rel in project.python_files:
            key = dir_of(rel)
            while key not in dirs:
                dirs.add(key)
                if not key:
                    break
                key = dir_of(key)
        return frozenset(dirs)

    return project.memo("pyindex:dirs", build)


def _join(*parts: str) -> str:
    return "/".join(p for p in parts if p)


def _normalize(rel: str) -> str | None:
    """A relative path with ``.`` and ``..`` folded, or None when it leaves the root."""
    out: list[str] = []
    for part in rel.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not out:
                return None
            out.pop()
        else:
            out.append(part)
    return "/".join(out)


def search_roots(project: Project) -> tuple[str, ...]:
    """Directories (relative to the project root, ``""`` for the root itself) that act as
    ``sys.path`` entries for the project's code, most specific first.

    They are the directory of each langgraph.json / aegra.json, each local path in its
    ``dependencies`` and its uv ``source.root`` (and their ``src/``), the local packages the
    project's package managers install (uv workspace members and path sources, Poetry path
    dependencies, ``-e ./pkg``: :func:`agentcheck.deps.local_installs`, and their ``src/``),
    the root's ``src/`` and the root.
    """

    def build() -> tuple[str, ...]:
        dirs = _dir_set(project)
        roots: list[str] = []

        def add(rel: str | None) -> None:
            if rel is not None and rel not in roots and (rel == "" or rel in dirs):
                roots.append(rel)

        for cfg in project.langgraph_configs:
            source = cfg.data.get("source")
            uv_root = source.get("root", ".") if isinstance(source, dict) else None
            if isinstance(uv_root, str) and not uv_root.startswith("/"):
                # uv source mode installs the uv project at source.root
                path = _normalize(_join(cfg.dir, uv_root))
                add(path)
                if path is not None:
                    add(_join(path, "src"))
            deps = cfg.data.get("dependencies")
            for dep in deps if isinstance(deps, list) else []:
                if isinstance(dep, str) and dep.startswith((".", "/")) and "://" not in dep:
                    path = _normalize(_join(cfg.dir, dep)) if not dep.startswith("/") else None
                    add(path)
                    if path is not None:
                        add(_join(path, "src"))
            add(cfg.dir)
        from agentcheck.deps import local_installs

        for installed in local_installs(project):
            # uv workspace members, path sources, ``-e ./pkg``: installed as packages.
            add(installed)
            add(_join(installed, "src"))
        add("src")
        add("")
        # Most specific (deepest) first, the root last.
        return tuple(sorted(roots, key=lambda r: (-r.count("/") - bool(r), roots.index(r))))

    return project.memo("pyindex:roots", build)


def _roots(project: Project, given: Sequence[str] | None) -> Sequence[str]:
    return search_roots(project) if given is None else given


def module_path(
    project: Project, dotted: str, *, search_roots: Sequence[str] | None = None
) -> str | None:
    """The project file that defines module ``dotted``, or None.

    ``a.b`` is ``<root>/a/b.py`` or ``<root>/a/b/__init__.py`` for the first search root where
    either exists. Namespace packages (directories without ``__init__.py``) have no file: see
    :func:`is_local_module`.

    :param search_roots: directories to search, relative to the project root; default
        :func:`search_roots`.
    """
    if not dotted or not all(part.isidentifier() for part in dotted.split(".")):
        return None
    files = _file_set(project)
    stem = dotted.replace(".", "/")
    for root in _roots(project, search_roots):
        for candidate in (_join(root, stem + ".py"), _join(root, stem, "__init__.py")):
            if candidate in files:
                return candidate
    return None


def is_local_module(
    project: Project, dotted: str, *, search_roots: Sequence[str] | None = None
) -> bool:
    """Whether ``dotted`` names one of the project's own modules or packages (including
    namespace packages: a directory of ``.py`` files under a search root)."""
    if module_path(project, dotted, search_roots=search_roots) is not None:
        return True
    if not dotted or not all(part.isidentifier() for part in dotted.split(".")):
        return False
    dirs = _dir_set(project)
    stem = dotted.replace(".", "/")
    return any(_join(root, stem) in dirs for root in _roots(project, search_roots))


def top_level_names(project: Project, root: str) -> frozenset[str]:
    """Names importable at the top level from search root ``root``: its ``.py`` modules and
    its directories that hold Python code (regular or namespace packages)."""

    def build() -> frozenset[str]:
        prefix = root + "/" if root else ""
        names: set[str] = set()
        for rel in project.python_files:
            if not rel.startswith(prefix):
                continue
            first, _, rest = rel[len(prefix) :].partition("/")
            name = first[:-3] if not rest and first.endswith(".py") else first
            if name.isidentifier() and (rest or first.endswith(".py")):
                names.add(name)
        return frozenset(names)

    return project.memo(f"pyindex:top-level:{root}", build)


def _package_dir_name(project: Project, directory: str) -> str | None:
    """The dotted name of the package that is ``directory``; ``""`` for a search root;
    None when the directory is not inside any search root."""
    files = _file_set(project)
    parts = [p for p in directory.split("/") if p]
    # Climb regular packages (directories with __init__.py).
    top = len(parts)
    while top > 0 and _join(*parts[:top], "__init__.py") in files:
        top -= 1
    base = "/".join(parts[:top])
    roots = search_roots(project)
    if base in roots:
        return ".".join(parts[top:])
    # Namespace packages between the nearest enclosing search root and ``base``.
    for root in roots:  # deepest first
        if root == "" or base == root or base.startswith(root + "/"):
            rest = base[len(root) :].lstrip("/")
            names = [p for p in rest.split("/") if p] + parts[top:]
            if all(n.isidentifier() for n in names):
                return ".".join(names)
            return None
    return None


def module_name(project: Project, rel: str) -> str:
    """The dotted module name of the file ``rel`` (``src/pkg/mod.py`` -> ``pkg.mod``,
    ``pkg/__init__.py`` -> ``pkg``).

    Regular packages are climbed through their ``__init__.py`` files; what is left above them is
    taken relative to the deepest search root that contains it. A file outside every package
    and root is named by its stem.
    """
    path = PurePosixPath(rel)
    parent = "" if path.parent.as_posix() == "." else path.parent.as_posix()
    package = _package_dir_name(project, parent)
    if package is None:
        package = ""
    if path.name == "__init__.py":
        return package or path.parent.name
    stem = path.name[:-3] if path.name.endswith(".py") else path.name
    return f"{package}.{stem}" if package else stem
