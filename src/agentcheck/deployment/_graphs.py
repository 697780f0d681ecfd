"""Served graphs and what they are compiled with, from the AST (the user's code is never run).

For each langgraph.json graph, the target attribute is followed (simple assignments, factory
functions, imports across the project's modules, via :mod:`agentcheck.pyindex`) to the
``compile()`` / ``create_react_agent()`` / ``@entrypoint`` that makes it; its ``checkpointer=``
and ``store=`` arguments are followed the same way to the class that constructs them.
Which files and graphs a deployment serves (the entry points this reader starts from) is
:mod:`agentcheck.deployment._served`; the names and scopes it follows are
:mod:`agentcheck.deployment._pynames`, and following names and savers is
:mod:`agentcheck.deployment._savers`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentcheck import pyindex
from agentcheck.deployment._pynames import (
    _is_empty,
    _is_string,
    _returns,
    call_name,
    qualified_name,
)
from agentcheck.deployment._pyscan import Function, keyword_lines, walk_lines
from agentcheck.deployment._savers import (
    _MAX_DEPTH,
    _NO_FALLBACKS,
    _UNSET_SAVER,
    SAVER_CLASSES,
    _fallback_handlers,
    _SaverReader,
)
from agentcheck.deployment.model import (
    CompileSite,
    SaverUse,
    Where,
)
from agentcheck.parsing import may_hold

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["resolve_expr"]

_AGENT_FACTORIES = {"create_react_agent", "create_agent", "create_deep_agent"}


#: Substrings a file must contain for it to hold a call this module looks at.
_KEYWORDS = ("compile", "create_", "entrypoint", "interrupt", "Saver", "Store", "PersistentDict")
_INTERESTING = frozenset({"compile", "interrupt", "entrypoint", *_AGENT_FACTORIES, *SAVER_CLASSES})


@dataclass(frozen=True)
class _Call:
    """A call this module looks at (compile, a saver, interrupt), where it is."""

    node: ast.Call
    #: The function the call is in (None at module level or in a class body).
    fn: Function | None
    #: A ``with`` item's context expression, or entered on an ``ExitStack``.
    in_with: bool


@dataclass
class _File:
    """A file's calls of interest (compile, savers, interrupt), found in one pass."""

    rel: str
    calls: list[_Call]
    by_node: dict[int, _Call]

    def function_of(self, call: ast.Call) -> Function | None:
        found = self.by_node.get(id(call))
        return found.fn if found else None


def _scan(project: Project, rel: str, tree: ast.Module) -> _File:
    text = project.text(rel, report=False) or ""
    if not any(k in text for k in _KEYWORDS):
        return _File(rel, [], {})
    names = set(_INTERESTING)
    for ref in pyindex.imports(project, rel):
        for original, bound in zip(ref.names, ref.bound, strict=False):
            if original in _INTERESTING:
                names.add(bound)
    # Aliases (``from langgraph.types import interrupt as ask``) are looked for too.
    lines = keyword_lines(text, (*_KEYWORDS, *(n for n in names if n not in _INTERESTING)))
    calls: list[_Call] = []
    for node, fn, parent, grand in walk_lines(tree, lines):
        if isinstance(node, ast.Call) and names.intersection(call_name(node.func).split(".")):
            calls.append(_Call(node, fn, _with_item(node, parent, grand)))
    return _File(rel, calls, {id(c.node): c for c in calls})


def _with_item(node: ast.AST, parent: ast.AST | None, grand: ast.AST | None) -> bool:
    if isinstance(parent, ast.Await):
        return isinstance(grand, ast.withitem) and grand.context_expr is parent
    if isinstance(parent, ast.withitem):
        return parent.context_expr is node
    return isinstance(parent, ast.Call) and call_name(parent.func).endswith(
        ("enter_context", "enter_async_context")
    )


class _Analyzer(_SaverReader):
    def __init__(self, project: Project) -> None:
        self.project = project
        self.files: dict[str, _File | None] = {}
        self.sites: dict[tuple[str, int, int], CompileSite] = {}

    def file(self, rel: str) -> _File | None:
        if rel not in self.files:
            self.files[rel] = self._read(rel)
        return self.files[rel]

    def _read(self, rel: str) -> _File | None:
        if not rel.endswith(".py"):
            return None
        if self._quiet(rel):
            # Nothing to scan; the module must still parse (AC100), but its tree is not kept.
            return _File(rel, [], {}) if self.project.parses(rel) else None
        tree = self.project.python(rel)
        return _scan(self.project, rel, tree) if tree is not None else None

    def _quiet(self, rel: str) -> bool:
        text = self.project.text(rel)
        return text is not None and not any(k in text for k in _KEYWORDS)

    def check_quiet(self, rels: list[str]) -> None:
        """Check at once that the modules with nothing to scan parse: in a large repository
        most modules are such, and the project parses a batch on every core."""
        self.project.check_parses(rel for rel in rels if rel.endswith(".py") and self._quiet(rel))

    # ------------------------------------------------------------------ compile sites

    def compile_site(self, rel: str, call: ast.Call) -> CompileSite | None:
        key = (rel, call.lineno, call.col_offset)
        if key in self.sites:
            return self.sites[key]
        f = self.file(rel)
        if f is None:
            return None
        kind = _compile_kind(call)
        if kind is None:
            return None
        fn = f.function_of(call)
        kw = {k.arg: k for k in call.keywords if k.arg}
        site = CompileSite(
            where=self.where(rel, call),
            kind=kind,
            checkpointer=self.saver(
                rel,
                kw["checkpointer"].value if "checkpointer" in kw else None,
                fn,
                self.where(rel, kw["checkpointer"].value) if "checkpointer" in kw else None,
            ),
            store=self.saver(
                rel,
                kw["store"].value if "store" in kw else None,
                fn,
                self.where(rel, kw["store"].value) if "store" in kw else None,
            ),
            static_interrupts=tuple(
                self.where(rel, kw[k].value)
                for k in ("interrupt_before", "interrupt_after")
                if k in kw and not _is_empty(kw[k].value)
            ),
            function=fn.name if fn else None,
        )
        self.sites[key] = site
        return site

    def compile_sites(self, rel: str) -> list[CompileSite]:
        f = self.file(rel)
        if f is None:
            return []
        out = []
        for call in f.calls:
            node = call.node
            if _compile_kind(node) is None or _is_module_method(self.project, rel, node):
                continue
            site = self.compile_site(rel, node)
            if site is not None:
                out.append(site)
        return out

    def graph_site(
        self,
        rel: str,
        node: ast.AST,
        fn: ast.FunctionDef | ast.AsyncFunctionDef | None,
        depth: int = 0,
    ) -> CompileSite | None:
        """The compile site that produces the value of ``node``."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Await):
            return self.graph_site(rel, node.value, fn, depth + 1)
        if isinstance(node, ast.Call):
            if _compile_kind(node) is not None:
                return self.compile_site(rel, node)
            # builder.compile(...).with_config(...) and similar wrappers
            if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call):
                inner = self.graph_site(rel, node.func.value, fn, depth + 1)
                if inner is not None:
                    return inner
            resolved = self.resolve(rel, node.func, fn, depth + 1)
            if resolved is not None:
                return self.graph_site(resolved[0], resolved[1], resolved[2], depth + 1)
            return None
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and call_name(deco.func).endswith("entrypoint"):
                    return self.compile_site(rel, deco)
                if call_name(deco).endswith("entrypoint"):
                    return CompileSite(self.where(rel, deco), "entrypoint", function=node.name)
            for ret in _returns(node):
                site = self.graph_site(rel, ret, node, depth + 1)
                if site is not None:
                    return site
            return None
        if isinstance(node, ast.Name | ast.Attribute):
            resolved = self.resolve(rel, node, fn, depth + 1)
            if resolved is not None:
                return self.graph_site(resolved[0], resolved[1], resolved[2], depth + 1)
        return None

    # ------------------------------------------------------------------ interrupts and savers

    def interrupts(self, rel: str) -> list[Where]:
        f = self.file(rel)
        if f is None:
            return []
        out = []
        for call in f.calls:
            node = call.node
            qualified = qualified_name(self.project, rel, call_name(node.func))
            if qualified.startswith("langgraph.") and qualified.endswith(".interrupt"):
                out.append(self.where(rel, node))
        return out

    def saver_uses(self, rel: str) -> list[SaverUse]:
        f = self.file(rel)
        if f is None:
            return []
        out = []
        text = self.project.text(rel, report=False) or ""
        fallbacks = (
            _fallback_handlers(self.project, rel)
            if "except" in text and (f.calls or _may_unset_saver(text))
            else _NO_FALLBACKS
        )
        for where in fallbacks.nones:
            out.append(SaverUse("none", "None", None, where, "checkpointer", fallback=True))
        for call in f.calls:
            node = call.node
            name = call_name(node.func)
            parts = name.split(".")
            cls_name = next((p for p in reversed(parts) if p in SAVER_CLASSES), None)
            if cls_name is None:
                qualified = qualified_name(self.project, rel, name).split(".")
                cls_name = next((p for p in reversed(qualified) if p in SAVER_CLASSES), None)
            if cls_name is None:
                continue
            idx = parts.index(cls_name) if cls_name in parts else len(parts) - 1
            method = parts[idx + 1] if idx + 1 < len(parts) else None
            kind, role = SAVER_CLASSES[cls_name]
            out.append(
                SaverUse(
                    kind=kind,
                    cls=cls_name,
                    method=method,
                    where=self.where(rel, node),
                    role="store" if role == "store" else "checkpointer",
                    in_with=call.in_with,
                    keywords=tuple(k.arg for k in node.keywords if k.arg),
                    string_arg=bool(node.args) and _is_string(node.args[0]),
                    connection=self._connection(rel, node, call.fn) if method is None else "",
                    fallback=fallbacks.holds(node),
                )
            )
        return out

    def _connection(self, rel: str, call: ast.Call, fn: Function | None) -> str:
        """The qualified name of the call that builds a saver's connection argument."""
        arg = next((k.value for k in call.keywords if k.arg in ("conn", "connection")), None)
        if arg is None and call.args:
            arg = call.args[0]
        for _ in range(_MAX_DEPTH):
            if isinstance(arg, ast.Await):
                arg = arg.value
            elif isinstance(arg, ast.Name):
                resolved = self.resolve(rel, arg, fn, 0)
                if resolved is None or not isinstance(resolved[1], ast.expr):
                    return ""
                rel, arg, fn = resolved[0], resolved[1], resolved[2]
            else:
                break
        if isinstance(arg, ast.Call):
            return qualified_name(self.project, rel, call_name(arg.func))
        return ""


def resolve_expr(
    project: Project,
    rel: str,
    expr: ast.expr,
    fn: ast.FunctionDef | ast.AsyncFunctionDef | None = None,
) -> tuple[str, ast.AST, ast.FunctionDef | ast.AsyncFunctionDef | None] | None:
    """What binds a name or ``module.attr`` used in ``rel`` (inside ``fn``, if given), as the
    graph reader follows it: ``(file, node, enclosing function)``, or None."""
    return _Analyzer(project).resolve(rel, expr, fn, 0)


def _compile_kind(call: ast.Call) -> str | None:
    name = call_name(call.func)
    last = name.rsplit(".", 1)[-1]
    if isinstance(call.func, ast.Attribute) and call.func.attr == "compile":
        return "compile"
    if last in _AGENT_FACTORIES:
        return last
    if last == "entrypoint":
        return "entrypoint"
    return None


def _is_module_method(project: Project, rel: str, call: ast.Call) -> bool:
    """``re.compile(...)``: a ``compile`` attribute of an imported module, not a graph."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        for ref in pyindex.imports(project, rel):
            if func.value.id in ref.bound and not ref.is_from:
                return True
    return isinstance(func, ast.Name) and func.id == "compile"


def _may_unset_saver(text: str) -> bool:
    """Whether the module sets a checkpointer or saver to None (the case-insensitive search
    only where the text holds one of the words)."""
    return may_hold(text, ("checkpointer", "saver")) and bool(_UNSET_SAVER.search(text))
