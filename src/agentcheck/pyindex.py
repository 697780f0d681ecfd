"""An index of the project's own Python code, built from ASTs: modules, imports, bindings.

Lint never imports the user's code. This module answers the questions rules ask about it from
source alone:

- :func:`module_path` / :func:`module_name`: a dotted module name to the file that defines it,
  and back. The search roots are the project root, ``src/`` (src layout), each langgraph.json
  directory and the local paths its ``dependencies`` list (see :func:`search_roots`).
- :func:`imports`: every import statement of a file, with its position, its absolute (level
  resolved) module name, and whether it only runs for type checkers (``if TYPE_CHECKING``) or is
  allowed to fail (inside ``try: ... except ImportError``).
- :func:`local_closure`: served files plus the project's own modules they import, transitively.
- :func:`top_level_bindings` / :func:`resolve_name`: what a module-level name is bound to,
  following simple aliases (``graph = app``) and ``from x import y`` across project modules.

Everything is computed lazily and memoized on the :class:`~agentcheck.project.Project` (via
:meth:`~agentcheck.project.Project.memo`), so rules share one index per run. Files that do not
parse are reported as AC100 by :meth:`~agentcheck.project.Project.python` and treated as empty.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = [
    "ImportRef",
    "imports",
    "is_local_module",
    "local_closure",
    "module_name",
    "module_path",
    "python_naming",
    "resolve_import",
    "resolve_name",
    "search_roots",
    "top_level_bindings",
    "top_level_names",
]

#: ``except`` clauses that make an import inside their ``try`` optional.
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
#: Suffixes of Python source files; anything else is never parsed as Python.
_PY_SUFFIXES = (".py", ".pyw")
#: How many ``from x import y`` / alias hops :func:`resolve_name` follows before giving up.
_MAX_HOPS = 32


@dataclass(frozen=True)
class ImportRef:
    """One module imported by one statement.

    ``import a.b as c, d`` gives two refs (``a.b`` bound to ``c``; ``d`` bound to ``d``);
    ``from .x import y as z, w`` gives one ref with ``names == ("y", "w")`` and
    ``bound == ("z", "w")``.
    """

    #: The module as written, without leading dots (``""`` for ``from . import x``).
    module: str
    #: For ``from ... import``: the imported names (``("*",)`` for a star import); else ``()``.
    names: tuple[str, ...]
    #: The local names the statement binds, in the order of :attr:`names` (for ``import a.b``:
    #: ``("a",)``).
    bound: tuple[str, ...]
    line: int
    col: int
    #: Number of leading dots of a relative import; 0 for an absolute one.
    level: int
    #: The absolute dotted module name, relative imports resolved against the file's package;
    #: None when a relative import climbs above the top-level package.
    absolute: str | None
    #: Inside ``if TYPE_CHECKING:`` (never executed at runtime).
    type_checking: bool = False
    #: Inside the ``try`` body of a ``try`` whose handlers catch ``ImportError``.
    optional: bool = False
    #: Inside a function or method (runs when called, not when the module loads).
    in_function: bool = False
    #: ``from x import ...`` (as opposed to ``import x``).
    is_from: bool = False

    @property
    def guarded(self) -> bool:
        """Whether a missing module cannot break the import of this file."""
        return self.type_checking or self.optional

    @property
    def top(self) -> str | None:
        """The top-level package of :attr:`absolute` (``langchain_openai`` for
        ``langchain_openai.chat_models``)."""
        return self.absolute.split(".", 1)[0] if self.absolute else None


# --------------------------------------------------------------------------- files and roots


def _file_set(project: Project) -> frozenset[str]:
    return project.memo("pyindex:files", lambda: frozenset(project.files))


def _dir_set(project: Project) -> frozenset[str]:
    """Directories (relative, ``""`` for the root) that contain a ``.py`` file at any depth."""

    def build() -> frozenset[str]:
        dirs: set[str] = set()
        for rel in project.python_files:
            parent = PurePosixPath(rel).parent
            while True:
                key = "" if parent.as_posix() == "." else parent.as_posix()
                if key in dirs:
                    break
                dirs.add(key)
                if not key:
                    break
                parent = parent.parent
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


# --------------------------------------------------------------------------- imports


def _catches_import_error(handlers: Iterable[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        if handler.type is None:
            return True
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for t in types:
            name = (
                t.id if isinstance(t, ast.Name) else t.attr if isinstance(t, ast.Attribute) else ""
            )
            if name in _IMPORT_ERRORS:
                return True
    return False


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk_imports(
    body: Sequence[ast.stmt], *, tc: bool, optional: bool, in_function: bool
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool, bool]]:
    """Import statements anywhere in ``body`` with their (type_checking, optional,
    in_function) context. Only statements are visited: imports are never expressions.

    The walk keeps its own stack, in source order: a 990-branch ``elif`` chain nests 990
    statements deep, past Python's recursion limit."""
    Frame = tuple[Sequence[ast.stmt], bool, bool, bool]
    stack: list[tuple[int, Frame]] = [(0, (body, tc, optional, in_function))]
    while stack:
        index, frame = stack.pop()
        stmts, tc, optional, in_function = frame
        if index >= len(stmts):
            continue
        stmt = stmts[index]
        stack.append((index + 1, frame))
        children: list[Frame] = []
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            yield stmt, tc, optional, in_function
        elif isinstance(stmt, ast.If):
            is_tc = _is_type_checking(stmt.test)
            children.append((stmt.body, tc or is_tc, optional, in_function))
            children.append((stmt.orelse, tc, optional, in_function))
        elif isinstance(stmt, ast.Try | ast.TryStar):
            guarded = optional or _catches_import_error(stmt.handlers)
            children.append((stmt.body, tc, guarded, in_function))
            children.extend((h.body, tc, optional, in_function) for h in stmt.handlers)
            children.append((stmt.orelse, tc, optional, in_function))
            children.append((stmt.finalbody, tc, optional, in_function))
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            children.append((stmt.body, tc, optional, True))
        elif isinstance(stmt, ast.ClassDef | ast.With | ast.AsyncWith):
            children.append((stmt.body, tc, optional, in_function))
        elif isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
            children.append((stmt.body, tc, optional, in_function))
            children.append((stmt.orelse, tc, optional, in_function))
        elif isinstance(stmt, ast.Match):
            children.extend((case.body, tc, optional, in_function) for case in stmt.cases)
        stack.extend((0, child) for child in reversed(children))


def _relative_base(project: Project, rel: str, level: int) -> tuple[str, str | None] | None:
    """For a relative import of ``level`` in ``rel``: the package directory and its dotted
    name (None when the directory is not inside a search root); None if it leaves the root."""
    parts = list(PurePosixPath(rel).parent.parts)
    if parts == ["."]:
        parts = []
    climb = level - 1
    if climb > len(parts):
        return None
    directory = "/".join(parts[: len(parts) - climb])
    return directory, _package_dir_name(project, directory)


def imports(project: Project, rel: str) -> list[ImportRef]:
    """Every import in the Python file ``rel``, in source order ([] if it does not parse)."""
    return project.memo(f"pyindex:imports:{rel}", lambda: _imports(project, rel))


def python_naming(project: Project, rel: str, words: Iterable[str]) -> ast.Module | None:
    """The AST of ``rel`` when its text may name one of ``words`` (identifiers a rule looks
    for), else None; like :meth:`~agentcheck.project.Project.python` either way for AC100.

    Most modules of a large repository never mention ``basicConfig`` or ``CORSMiddleware``:
    their text says so in microseconds, and their trees (hundreds of megabytes for thousands
    of modules) are never kept. Non-ASCII text is always parsed: Python normalizes identifiers
    (NFKC), so one may be spelled differently in the text.
    """
    text = project.text(rel)
    if text is not None and text.isascii() and not any(w in text for w in words):
        project.parses(rel)
        return None
    return project.python(rel)


def _python(project: Project, rel: str) -> ast.Module | None:
    """The AST of a Python source file; None for other files (a ``.ts`` graph target, a data
    file) so that they are never parsed as Python, and for files that do not parse."""
    return project.python(rel) if rel.endswith(_PY_SUFFIXES) else None


def _imports(project: Project, rel: str) -> list[ImportRef]:
    tree = _python(project, rel)
    if tree is None:
        return []
    out: list[ImportRef] = []
    for stmt, tc, optional, in_function in _walk_imports(
        tree.body, tc=False, optional=False, in_function=False
    ):
        ctx = {"type_checking": tc, "optional": optional, "in_function": in_function}
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                out.append(
                    ImportRef(
                        module=alias.name,
                        names=(),
                        bound=(alias.asname or alias.name.split(".", 1)[0],),
                        line=stmt.lineno,
                        col=stmt.col_offset + 1,
                        level=0,
                        absolute=alias.name,
                        **ctx,
                    )
                )
            continue
        module = stmt.module or ""
        absolute: str | None = module
        if stmt.level:
            base = _relative_base(project, rel, stmt.level)
            if base is None or base[1] is None:
                absolute = None
            else:
                absolute = ".".join(p for p in (base[1], module) if p) or None
        out.append(
            ImportRef(
                module=module,
                names=tuple(a.name for a in stmt.names),
                bound=tuple(a.asname or a.name for a in stmt.names),
                line=stmt.lineno,
                col=stmt.col_offset + 1,
                level=stmt.level,
                absolute=absolute,
                is_from=True,
                **ctx,
            )
        )
    return out


def _locate(
    project: Project,
    rel: str,
    level: int,
    dotted: str,
    search_roots: Sequence[str] | None = None,
) -> tuple[str, list[str]] | None:
    """Where module ``dotted`` (imported from ``rel`` with ``level`` dots) lives in the project:
    the search root it was found under and its dotted parts; None if it is not the project's."""
    files = _file_set(project)
    dirs = _dir_set(project)
    parts = dotted.split(".") if dotted else []
    if not all(p.isidentifier() for p in parts):
        return None
    if level:
        base = _relative_base(project, rel, level)
        if base is None:
            return None
        roots: Sequence[str] = [base[0]]
    elif not parts:
        return None
    else:
        roots = _roots(project, search_roots)
    for root in roots:
        stem = _join(root, *parts)
        if (parts and stem + ".py" in files) or _join(stem, "__init__.py") in files or stem in dirs:
            return root, parts
    return None


def _module_file(project: Project, root: str, parts: Sequence[str]) -> str | None:
    files = _file_set(project)
    stem = _join(root, *parts)
    if parts and stem + ".py" in files:
        return stem + ".py"
    init = _join(stem, "__init__.py")
    return init if init in files else None


def _submodule_file(project: Project, root: str, parts: Sequence[str], name: str) -> str | None:
    return _module_file(project, root, [*parts, name]) if name.isidentifier() else None


def resolve_import(
    project: Project, rel: str, ref: ImportRef, *, search_roots: Sequence[str] | None = None
) -> list[str]:
    """The project files that executing ``ref`` (in file ``rel``) loads: its parent packages'
    ``__init__.py``, the module itself, and for ``from pkg import sub`` the submodules named.
    [] for a module that is not the project's own."""
    found = _locate(project, rel, ref.level, ref.module, search_roots)
    if found is None:
        return []
    root, parts = found
    out: list[str] = []
    for i in range(1, len(parts)):
        init = _module_file(project, root, parts[:i])
        if init is not None and init.endswith("__init__.py"):
            out.append(init)
    module = _module_file(project, root, parts)
    if module is not None:
        out.append(module)
    if ref.is_from:
        for name in ref.names:
            sub = _submodule_file(project, root, parts, name)
            if sub is not None:
                out.append(sub)
    return list(dict.fromkeys(out))


def local_closure(
    project: Project,
    rels: Iterable[str],
    *,
    include_type_checking: bool = False,
) -> list[str]:
    """``rels`` plus every project module they import, transitively, in discovery order.

    Imports under ``if TYPE_CHECKING`` are not followed unless ``include_type_checking``; imports
    inside functions and ``try`` blocks are (they run when called or when available).
    """
    files = _file_set(project)
    seen: dict[str, None] = {}
    stack = [r for r in rels if r in files]
    stack.reverse()
    while stack:
        rel = stack.pop()
        if rel in seen:
            continue
        seen[rel] = None
        if not rel.endswith(".py"):
            continue
        for target in reversed(_import_targets(project, rel, include_type_checking)):
            if target not in seen:
                stack.append(target)
    return list(seen)


def _import_targets(project: Project, rel: str, include_type_checking: bool) -> list[str]:
    """The project files the imports of ``rel`` load, in source order (repeats kept), once per
    module: the deployment model asks for the closure of each graph and each app, and most
    of their modules are shared."""

    def build() -> list[str]:
        found: list[str] = []
        for ref in imports(project, rel):
            if ref.type_checking and not include_type_checking:
                continue
            found.extend(resolve_import(project, rel, ref))
        return found

    return project.memo(f"pyindex:targets:{int(include_type_checking)}:{rel}", build)


# --------------------------------------------------------------------------- bindings


def _bind_targets(target: ast.expr, value: ast.expr, out: dict[str, ast.AST]) -> None:
    if isinstance(target, ast.Name):
        out[target.id] = value
    elif isinstance(target, ast.Tuple | ast.List):
        elts = value.elts if isinstance(value, ast.Tuple | ast.List) else None
        if elts is not None and len(elts) == len(target.elts):
            for t, v in zip(target.elts, elts, strict=True):
                _bind_targets(t, v, out)
        else:
            for t in target.elts:
                _bind_targets(t.value if isinstance(t, ast.Starred) else t, value, out)


def _collect_bindings(body: Sequence[ast.stmt], out: dict[str, ast.AST]) -> None:
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                _bind_targets(target, stmt.value, out)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None and isinstance(stmt.target, ast.Name):
                out[stmt.target.id] = stmt.value
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out[stmt.name] = stmt
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                out[alias.asname or alias.name.split(".", 1)[0]] = stmt
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = stmt
        elif isinstance(stmt, ast.If):
            if _is_type_checking(stmt.test):
                _collect_bindings(stmt.orelse, out)
                continue
            _collect_bindings(stmt.body, out)
            _collect_bindings(stmt.orelse, out)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            _collect_bindings(stmt.body, out)
            for handler in stmt.handlers:
                _collect_bindings(handler.body, out)
            _collect_bindings(stmt.orelse, out)
            _collect_bindings(stmt.finalbody, out)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None:
                    _bind_targets(item.optional_vars, item.context_expr, out)
            _collect_bindings(stmt.body, out)


def top_level_bindings(project: Project, rel: str) -> dict[str, ast.AST]:
    """Module-level names of ``rel`` and what binds them, the last binding in source order
    winning: an assignment's value expression, a ``def``/``class`` node, or the ``Import`` /
    ``ImportFrom`` statement. Bindings inside top-level ``if``/``try``/``with`` blocks count;
    those only under ``if TYPE_CHECKING`` do not. {} if the file does not parse."""

    def build() -> dict[str, ast.AST]:
        tree = _python(project, rel)
        out: dict[str, ast.AST] = {}
        if tree is not None:
            _collect_bindings(tree.body, out)
        return out

    return project.memo(f"pyindex:bindings:{rel}", build)


def _star_imports(project: Project, rel: str) -> list[ast.ImportFrom]:
    tree = _python(project, rel)
    if tree is None:
        return []
    return [
        s
        for s in tree.body
        if isinstance(s, ast.ImportFrom) and any(a.name == "*" for a in s.names)
    ]


def _import_source(
    project: Project, rel: str, stmt: ast.Import | ast.ImportFrom, name: str
) -> tuple[ImportRef, str] | None:
    """The ImportRef of ``stmt`` that binds ``name`` and the original imported name."""
    for ref in imports(project, rel):
        if ref.line != stmt.lineno or ref.col != stmt.col_offset + 1:
            continue
        if name in ref.bound:
            original = ref.names[ref.bound.index(name)] if ref.is_from else ref.module
            return ref, original
    return None


def resolve_name(project: Project, rel: str, name: str) -> tuple[str, ast.AST] | None:
    """Where the module-level ``name`` of ``rel`` is defined, following project code.

    Follows ``x = y`` aliases within a module, ``from .mod import y`` and ``import pkg.mod``
    into the project's own modules, ``mod.attr`` where ``mod`` is a project module, and star
    imports. Returns ``(file, node)``: the node is the value expression, the ``def``/``class``,
    an ``ast.Module`` when the name is a project module (``from pkg import sub``), or the
    ``Import``/``ImportFrom`` statement when the name comes from outside the project. None when
    the name is not bound at module level (or a cycle or hop limit is hit).
    """
    return _resolve(project, rel, name, set())


def _resolve(
    project: Project, rel: str, name: str, seen: set[tuple[str, str]]
) -> tuple[str, ast.AST] | None:
    if (rel, name) in seen or len(seen) > _MAX_HOPS:
        return None
    seen.add((rel, name))
    bindings = top_level_bindings(project, rel)
    node = bindings.get(name)
    if node is None:
        for star in _star_imports(project, rel):
            src = _import_source(project, rel, star, "*")
            ref = src[0] if src else None
            if ref is None:
                continue
            located = _locate(project, rel, ref.level, ref.module)
            target = _module_file(project, *located) if located else None
            if target is not None:
                found = _resolve(project, target, name, seen)
                if found is not None:
                    return found
        return None
    if isinstance(node, ast.Name):
        return _resolve(project, rel, node.id, seen) or (rel, node)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        base = _resolve(project, rel, node.value.id, seen)
        if base is not None and isinstance(base[1], ast.Module):
            return _resolve(project, base[0], node.attr, seen) or (rel, node)
        return (rel, node)
    if isinstance(node, ast.Import | ast.ImportFrom):
        return _resolve_import_binding(project, rel, node, name, seen)
    return (rel, node)


def _resolve_import_binding(
    project: Project,
    rel: str,
    node: ast.Import | ast.ImportFrom,
    name: str,
    seen: set[tuple[str, str]],
) -> tuple[str, ast.AST]:
    src = _import_source(project, rel, node, name)
    if src is None:
        return (rel, node)
    ref, original = src
    if not ref.is_from:
        # ``import a.b as c`` binds c to module a.b; ``import a.b`` binds a to package a.
        alias = next((a for a in node.names if (a.asname or a.name.split(".")[0]) == name), None)
        dotted = ref.module if alias is not None and alias.asname else (ref.top or "")
        found = _locate(project, rel, 0, dotted)
        path = _module_file(project, *found) if found else None
        tree = project.python(path) if path else None
        return (path, tree) if path and tree is not None else (rel, node)
    found = _locate(project, rel, ref.level, ref.module)
    if found is None:
        return (rel, node)
    root, parts = found
    module_file = _module_file(project, root, parts)
    # ``from pkg import item``: an attribute of pkg wins over a submodule named item.
    if module_file is not None and original in top_level_bindings(project, module_file):
        resolved = _resolve(project, module_file, original, seen)
        if resolved is not None:
            return resolved
    sub = _submodule_file(project, root, parts, original)
    if sub is not None:
        tree = project.python(sub)
        if tree is not None:
            return (sub, tree)
    if module_file is not None:
        resolved = _resolve(project, module_file, original, seen)
        if resolved is not None:
            return resolved
    return (rel, node)
