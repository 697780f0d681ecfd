"""AC102 graph-target-missing: a langgraph.json target names a file or attribute that does not
exist."""

from __future__ import annotations

import ast
import difflib
import posixpath
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck import deps, pyindex
from agentcheck._astwalk import walk
from agentcheck.langgraph_config import all_targets, target_path
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.langgraph_config import Target
    from agentcheck.project import Project

__all__ = ["GraphTargetMissing"]


#: How a graph target that is not a readable module is described.
_WHAT = {
    "directory": "a directory",
    "special": "not a regular file",
    "loop": "a symbolic link loop",
    "unreadable": "unreadable",
}


class GraphTargetMissing(Rule):
    """A langgraph.json target names a file, module or attribute that does not exist.

    What it does
    ------------
    Resolves every import target of langgraph.json and aegra.json (``graphs``, ``auth.path``,
    ``http.app``, ``checkpointer.path``, ``store.path``, ``store.index.embed``,
    ``encryption.path``, ``priority.path``) from the source alone, without importing it: the
    file (``./agent/graph.py``) or module (``agent.graph``) must exist in the project or be
    provided by a declared dependency, and the attribute must be defined at module level
    (assigned, defined, or imported).

    Why is this bad?
    ----------------
    The server imports the targets at startup: a missing file or a misspelt attribute fails
    ``langgraph build`` or stops the server from starting, in production, after the image
    was built and shipped.

    Example
    -------
    ```json
    {"graphs": {"agent": "./agent/graph.py:grpah"}}
    ```

    Use instead
    -----------
    ```json
    {"graphs": {"agent": "./agent/graph.py:graph"}}
    ```
    """

    code = "AC102"
    name = "graph-target-missing"
    severity = Severity.ERROR
    message = "A langgraph.json target names a file or attribute that does not exist."
    fix = "Point the target at an existing file and a module-level name in it."

    def check(self, project: Project) -> Iterable[Finding]:
        for target in all_targets(project):
            if target.attr is None:
                continue  # AC101: the spec has no attribute at all
            yield from self._check(project, target)

    def _check(self, project: Project, target: Target) -> Iterator[Finding]:
        where = (target.config.path, target.line, target.column)
        if target.file is not None:
            rel = target_path(target)
            if rel is None:
                return  # an absolute path (a container path): not the project's to check
            entry = project.locate(rel)
            if entry.kind == "outside":
                return  # a link out of the project: reported once as AC100, never followed
            if not entry.is_file:
                what = _WHAT.get(entry.kind, "missing")
                hint = _similar_file(project, rel, target.config.dir)
                yield self.finding(
                    *where,
                    message=f"The {target.label} target {target.spec!r} names {rel}, "
                    f"which is {what}.",
                    fix=f"Did you mean {hint}?" if hint else self.fix,
                )
                return
            if target.is_js:
                return
            yield from self._attribute(project, target, rel)
            return
        module = target.module or ""
        if target.is_js:
            return
        rel = pyindex.module_path(project, module)
        if rel is not None:
            yield from self._attribute(project, target, rel)
            return
        if module.endswith(".py") or not all(p.isidentifier() for p in module.split(".")):
            guess = "./" + module if module.endswith(".py") else module
            yield self.finding(
                *where,
                message=f"The {target.label} target {target.spec!r} is read as the module "
                f"{module!r}, which cannot be imported: the server treats a spec without '/' "
                "as a dotted module name.",
                fix=f"Write it as a path: '{guess}:{target.attr}'.",
            )
            return
        if pyindex.is_local_module(project, module):
            return  # a namespace package: its attribute cannot be checked
        declared = deps.provided(
            [*deps.declared_for_config(project, target.config), *deps.SERVER_PROVIDES]
        )
        if deps.is_stdlib(module) or any(
            d in declared for d in deps.distributions_for_import(module)
        ):
            return  # an installed package provides it
        yield self.finding(
            *where,
            message=f"The {target.label} target {target.spec!r} names the module {module!r}, "
            "which is neither in the project nor provided by a declared dependency.",
            fix="Fix the module path (it is relative to the langgraph.json directory and "
            "its local dependencies), or declare the package that provides it.",
        )

    def _attribute(self, project: Project, target: Target, rel: str) -> Iterator[Finding]:
        attr = target.attr or ""
        tree = project.python(rel)
        if tree is None:
            return  # AC100 reports why it does not parse
        bindings = pyindex.top_level_bindings(project, rel)
        if attr in bindings:
            return
        if _dynamic(tree):
            return
        # Suggest what the module defines before what it merely imports.
        defined = [n for n, v in bindings.items() if not isinstance(v, ast.Import | ast.ImportFrom)]
        close = difflib.get_close_matches(attr, defined, n=1) or difflib.get_close_matches(
            attr, list(bindings), n=1
        )
        yield self.finding(
            target.config.path,
            target.line,
            target.column,
            message=f"The {target.label} target {target.spec!r} names {attr!r}, which "
            f"{rel} does not define at module level.",
            fix=f"Did you mean {close[0]!r}?" if close else self.fix,
        )


def _dynamic(tree: ast.Module) -> bool:
    """Whether module-level names may come from somewhere the AST does not show: a module
    ``__getattr__``, a star import from outside the project, ``globals()`` writes."""
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "__getattr__":
            return True
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            return True
    for node in walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("globals", "setattr", "exec")
        ):
            return True
    return False


def _similar_file(project: Project, rel: str, base: str) -> str | None:
    """A project file whose path is close to ``rel`` (same suffix), relative to ``base``."""
    suffix = PurePosixPath(rel).suffix
    candidates = [f for f in project.files if f.endswith(suffix)] if suffix else []
    close = difflib.get_close_matches(rel, candidates, n=1, cutoff=0.7)
    if not close:
        return None
    relative = posixpath.relpath(close[0], base or ".")
    return f"'{relative if relative.startswith('.') else './' + relative}'"
