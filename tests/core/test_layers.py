"""agentcheck's own imports: no circle, and no layer imports one above it.

The graph is built from the source with :mod:`ast`: every ``import`` and ``from ... import``
anywhere in a module (inside functions and ``if TYPE_CHECKING:`` too) is an edge. ``from
package import name`` is an edge to ``package.name`` when that is a module, else to the
package. A module runs its parent package's ``__init__`` first, but that is not an edge here;
for the same reason the root package (the public facade, which every import of agentcheck runs
first) has no layer: ``from agentcheck import __version__`` is allowed anywhere.
"""

from __future__ import annotations

import ast
from pathlib import Path

import agentcheck

SRC = Path(agentcheck.__file__).parent

#: Lowest first. A module may import modules of its own layer and of lower layers only.
#: A module matches the longest prefix listed; modules no prefix matches are top-layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "agentcheck._findings",
        "agentcheck.errors",
        "agentcheck.files",
        "agentcheck.scalars",
        "agentcheck._workers",
        "agentcheck._astwalk",
        "agentcheck._reads",
        "agentcheck._deferred",
    ),
    (
        "agentcheck.parsing",
        "agentcheck.secrets",
        "agentcheck.config",
        "agentcheck._distributions",
        "agentcheck.pysyntax",
        "agentcheck._filelist",
        "agentcheck._pysources",
        "agentcheck._known_files",
    ),
    ("agentcheck.project",),
    ("agentcheck.pyindex", "agentcheck.deps", "agentcheck.langgraph_config"),
    ("agentcheck.deployment", "agentcheck.versions"),
    ("agentcheck.lint", "agentcheck.hookspecs", "agentcheck.plugins"),
)
TOP = len(LAYERS)


def module_names() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    modules = module_names()

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    prefix = ".".join(parts[: len(parts) - node.level + 1])
                    base = f"{prefix}.{base}" if base else prefix
                subs = [f"{base}.{alias.name}" for alias in node.names]
                targets = [s for s in subs if s in modules]
                if len(targets) < len(subs):
                    targets.append(base)
            for target in targets:
                found = owner(target) if target.startswith("agentcheck") else None
                if found is not None and found != name:
                    graph[name].add(found)
    return graph


def layer(module: str) -> int:
    best, best_len = TOP, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circle() -> None:
    assert cycles(import_graph()) == []


def test_no_layer_imports_a_higher_one() -> None:
    upward = [
        f"{module} (layer {layer(module)}) imports {target} (layer {layer(target)})"
        for module, targets in sorted(import_graph().items())
        for target in sorted(targets)
        if target != "agentcheck" and layer(target) > layer(module)
    ]
    assert upward == [], "give a new module its layer in LAYERS, or import downward only"


def test_the_checks_see_what_they_check() -> None:
    """The graph is not empty and the checks would catch a circle and an upward import."""
    graph = import_graph()
    assert "agentcheck.deployment.model" in graph["agentcheck.deployment._build"]
    assert "agentcheck._findings" in graph["agentcheck.project"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer("agentcheck.lint.finding") > layer("agentcheck.project")
    assert layer("agentcheck.deployment._k8s") < layer("agentcheck.lint.rules.core")
