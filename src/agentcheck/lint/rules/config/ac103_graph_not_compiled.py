"""AC103 graph-not-compiled: a graph target is a builder or not a graph at all."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from agentcheck import pyindex
from agentcheck._astwalk import child_nodes
from agentcheck.langgraph_config import all_targets, target_file
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["GraphNotCompiled"]

Kind = Literal["compiled", "factory", "builder", "invalid", "unknown"]

#: Graph builder classes of langgraph (``langgraph.graph``).
BUILDERS = frozenset({"StateGraph", "MessageGraph", "Graph"})
#: Functions that return a compiled graph.
COMPILED_MAKERS = frozenset(
    {"create_react_agent", "create_agent", "create_deep_agent", "Pregel", "RemoteGraph"}
)
#: Functions that return a builder the caller must compile.
BUILDER_MAKERS = frozenset({"create_supervisor", "create_swarm"})
_MAX_DEPTH = 8


class GraphNotCompiled(Rule):
    """A graph target is a ``StateGraph`` builder never compiled, or not a graph at all.

    What it does
    ------------
    Follows each ``graphs`` target of langgraph.json through assignments and imports to what
    it is bound to, without importing it. A compiled graph (``builder.compile()``,
    ``create_react_agent(...)``, an ``@entrypoint`` function), a graph factory (a function,
    sync or async, also an async context manager) are valid. A ``StateGraph`` builder that is
    never compiled, and anything else (a literal, a class, a module) are reported.

    Why is this bad?
    ----------------
    The server expects a compiled graph or a factory that returns one. A builder is not the
    graph that was tested (no ``compile()`` options, no interrupts set there), and Aegra and
    other servers fail on it; a non-graph fails at startup.

    Example
    -------
    ```python
    builder = StateGraph(State)
    builder.add_node("agent", agent)
    # langgraph.json: "agent": "./agent.py:builder"
    ```

    Use instead
    -----------
    ```python
    builder = StateGraph(State)
    builder.add_node("agent", agent)
    graph = builder.compile()
    # langgraph.json: "agent": "./agent.py:graph"
    ```
    """

    code = "AC103"
    name = "graph-not-compiled"
    severity = Severity.ERROR
    message = "A graph target is not a compiled graph or a graph factory."
    fix = "Point the target at `builder.compile()` or at a function that returns a graph."

    def check(self, project: Project) -> Iterable[Finding]:
        for target in all_targets(project):
            if target.kind != "graph" or target.attr is None or target.is_js:
                continue
            rel = target_file(project, target)
            if rel is None or project.python(rel) is None:
                continue  # AC102 / AC100
            found = pyindex.resolve_name(project, rel, target.attr)
            if found is None:
                continue  # AC102
            where, node = found
            kind, what = classify(project, where, node)
            if kind == "builder":
                compiled = _compiled_name(project, rel, where, node)
                yield self.finding(
                    target.config.path,
                    target.line,
                    target.column,
                    message=f"Graph {target.name!r} is {target.spec!r}, {what} that is never "
                    "compiled.",
                    fix=(
                        f"Point it at '{target.spec.rsplit(':', 1)[0]}:{compiled}', the "
                        "compiled graph."
                        if compiled
                        else "Compile it (`graph = builder.compile()`) and point at `graph`."
                    ),
                )
            elif kind == "invalid":
                yield self.finding(
                    target.config.path,
                    target.line,
                    target.column,
                    message=f"Graph {target.name!r} is {target.spec!r}, {what}: neither a "
                    "compiled graph nor a graph factory.",
                )


def _terminal_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _callee(project: Project, rel: str, func: ast.expr) -> tuple[str | None, str | None]:
    """The called name and the module it comes from (``("StateGraph", "langgraph.graph")``);
    the module is None for names defined in the project or unknown."""
    name = _terminal_name(func)
    if isinstance(func, ast.Name):
        found = pyindex.resolve_name(project, rel, func.id)
        if found is not None and isinstance(found[1], ast.ImportFrom):
            stmt = found[1]
            for alias in stmt.names:
                if (alias.asname or alias.name) == func.id or alias.name == func.id:
                    return alias.name, stmt.module
            return name, stmt.module
        if found is not None and isinstance(found[1], ast.FunctionDef | ast.AsyncFunctionDef):
            return found[1].name, None
    if isinstance(func, ast.Attribute):
        root = func.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name):
            found = pyindex.resolve_name(project, rel, root.id)
            if found is not None and isinstance(found[1], ast.ImportFrom):
                return name, found[1].module
            if found is not None and isinstance(found[1], ast.Import):
                return name, found[1].names[0].name
    return name, None


def _defined_in_project(project: Project, rel: str, func: ast.expr) -> bool:
    """Whether the called name is the project's own function or class (which may share a
    library helper's name, such as a ``create_supervisor`` that compiles its graph)."""
    if not isinstance(func, ast.Name):
        return False
    found = pyindex.resolve_name(project, rel, func.id)
    return found is not None and not isinstance(found[1], ast.Import | ast.ImportFrom)


def _is_langgraph(module: str | None) -> bool:
    return module is not None and (module == "langgraph" or module.startswith("langgraph."))


def classify(project: Project, rel: str, node: ast.AST, depth: int = 0) -> tuple[Kind, str]:
    """What a target binding is, and a phrase describing it for messages."""
    if depth > _MAX_DEPTH:
        return "unknown", ""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return "factory", "a function"
    if isinstance(node, ast.ClassDef):
        return "invalid", f"the class {node.name}"
    if isinstance(node, ast.Module):
        return "invalid", "a module"
    if isinstance(node, ast.Constant):
        return "invalid", f"the constant {node.value!r}"[:80]
    if isinstance(node, ast.Dict | ast.DictComp):
        return "invalid", "a dict"
    if isinstance(node, ast.List | ast.ListComp | ast.Tuple | ast.Set | ast.SetComp):
        return "invalid", f"a {type(node).__name__.removesuffix('Comp').lower()}"
    if isinstance(node, ast.JoinedStr):
        return "invalid", "a string"
    if isinstance(node, ast.Await):
        return "unknown", ""
    if isinstance(node, ast.Call):
        return _classify_call(project, rel, node, depth)
    return "unknown", ""


def _classify_call(project: Project, rel: str, node: ast.Call, depth: int) -> tuple[Kind, str]:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "compile":
        return "compiled", "a compiled graph"
    if isinstance(func, ast.Call):
        # entrypoint(checkpointer=...)(fn), and other decorator factories applied inline.
        inner, module = _callee(project, rel, func.func)
        if inner == "entrypoint":
            return "compiled", "an entrypoint"
        return "unknown", ""
    name, module = _callee(project, rel, func)
    if name in BUILDERS and (_is_langgraph(module) or module is None):
        if module is None and isinstance(func, ast.Name):
            local = pyindex.resolve_name(project, rel, func.id)
            if local is not None and not isinstance(local[1], ast.ImportFrom | ast.Import):
                return "unknown", ""  # a class of the project's own that shares the name
        return "builder", f"a {name} builder"
    if name in BUILDER_MAKERS and not _defined_in_project(project, rel, func):
        return "builder", f"the {name}() builder"
    if name in COMPILED_MAKERS:
        return "compiled", f"{name}()"
    if isinstance(func, ast.Name):
        found = pyindex.resolve_name(project, rel, func.id)
        if found is not None and isinstance(found[1], ast.FunctionDef | ast.AsyncFunctionDef):
            return _classify_returns(project, found[0], found[1], depth)
    return "unknown", ""


def _classify_returns(
    project: Project, rel: str, fn: ast.FunctionDef | ast.AsyncFunctionDef, depth: int
) -> tuple[Kind, str]:
    """A call of a project function: what its ``return`` statements return."""
    local: dict[str, ast.expr] = {}
    returns: list[ast.expr] = []
    stack: list[ast.AST] = list(fn.body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    local[t.id] = stmt.value
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            returns.append(stmt.value)
        stack.extend(child_nodes(stmt))
    kinds = []
    for value in returns:
        if isinstance(value, ast.Name) and value.id in local:
            value = local[value.id]
        kinds.append(classify(project, rel, value, depth + 1))
    if kinds and all(k == "builder" for k, _ in kinds):
        return "builder", f"{fn.name}(), which returns {kinds[0][1]}"
    return "unknown", ""


def _compiled_name(project: Project, rel: str, where: str, node: ast.AST) -> str | None:
    """A module-level name of the target's file ``rel`` bound to ``<builder>.compile(...)``,
    where ``<builder>`` is the name that binds the builder ``node`` (defined in ``where``)."""
    if where != rel:
        return None
    bindings = pyindex.top_level_bindings(project, rel)
    builder = next((name for name, value in bindings.items() if value is node), None)
    if builder is None:
        return None
    for name, value in bindings.items():
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "compile"
            and isinstance(value.func.value, ast.Name)
            and value.func.value.id == builder
        ):
            return name
    return None
