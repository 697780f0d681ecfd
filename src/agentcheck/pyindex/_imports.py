"""The imports of each module (:class:`ImportRef`) and the project files they load, up to the
closure of the served code."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.pyindex._roots import (
    _dir_set,
    _file_set,
    _join,
    _package_dir_name,
    _roots,
)

if TYPE_CHECKING:
    from agentcheck.project import Project


__all__ = ["ImportRef", "imports", "local_closure", "python_naming", "resolve_import"]

#: ``except`` clauses that make an import inside their ``try`` optional.
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
#: Suffixes of Python source files; anything else is never parsed as Python.
_PY_SUFFIXES = (".py", ".pyw")


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
