"""AC311: blocking calls inside ``async def`` graph nodes and request handlers."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck import pyindex
from agentcheck._astwalk import child_nodes
from agentcheck.deployment import deployment
from agentcheck.deployment._pynames import call_name, qualified_name
from agentcheck.deployment._pyscan import keyword_lines, walk_lines
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["BlockingCallInAsyncNode"]

AsyncDef = ast.AsyncFunctionDef
_HTTP_VERBS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}
_PATH_IO = {"read_text", "write_text", "read_bytes", "write_bytes"}
_SUBPROCESS = {"run", "call", "check_call", "check_output"}
_NODE_DECORATORS = {"task", "entrypoint"}


_NOT_ENTERED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _calls_and_locals(
    fn: ast.AST, local: set[str]
) -> tuple[list[ast.Call], dict[ast.Call, ast.AST]]:
    """The calls of ``fn``'s body in :func:`walk_function`'s order, each with the node holding
    it (none for the function's own direct children, as a map of every node would have it),
    adding the names the body assigns to ``local``: one walk where a map of every node's
    parent and a second walk were built."""
    calls: list[ast.Call] = []
    parents: dict[ast.Call, ast.AST] = {}
    stack: list[tuple[ast.AST, ast.AST | None]] = [(c, None) for c in child_nodes(fn)]
    while stack:
        node, parent = stack.pop()
        if isinstance(node, ast.Call):
            calls.append(node)
            if parent is not None:
                parents[node] = parent
        elif isinstance(node, ast.Assign):
            local.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if isinstance(node, _NOT_ENTERED):
            continue
        stack.extend((child, node) for child in child_nodes(node))
    return calls, parents


def _blocking(project: Project, rel: str, call: ast.Call, local: set[str]) -> tuple[str, str]:
    """``(what, use instead)`` when ``call`` blocks the event loop, else ``("", "")``."""
    name = call_name(call.func)
    if not name:
        return "", ""
    head = name.split(".", 1)[0]
    qualified = qualified_name(project, rel, name) if head not in local else name
    parts = qualified.split(".")
    if qualified == "time.sleep":
        return "time.sleep()", "await asyncio.sleep(...)"
    if parts[0] in ("requests", "httpx") and len(parts) == 2 and parts[1] in _HTTP_VERBS:
        return f"{qualified}()", "an httpx.AsyncClient with `await client.get(...)`"
    if qualified in ("urllib.request.urlopen", "urlopen"):
        return "urlopen()", "an httpx.AsyncClient with `await client.get(...)`"
    if parts[0] == "socket" and len(parts) == 2:
        return f"{qualified}()", "asyncio.open_connection()"
    if parts[0] == "subprocess" and len(parts) == 2 and parts[1] in _SUBPROCESS:
        return f"{qualified}()", "await asyncio.create_subprocess_exec(...)"
    if name == "open" and "open" not in local and qualified == "open":
        return "open()", "await asyncio.to_thread(...) around the file I/O (or aiofiles)"
    if isinstance(call.func, ast.Attribute):
        attr = call.func.attr
        if attr == "invoke":
            return f"{name}()", f"await {name[: -len('invoke')]}ainvoke(...)"
        if attr in _PATH_IO:
            return f"{name}()", f"await asyncio.to_thread({name}, ...)"
    return "", ""


#: Decorator methods that register a route on a FastAPI/Starlette app or router.
_ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "api_route", "route", "websocket"}


def _may_define_routes(text: str) -> bool:
    return "async def" in text and ("fastapi" in text or "starlette" in text)


def _route_handlers(tree: ast.Module, text: str) -> dict[AsyncDef, str]:
    """Async functions registered as FastAPI/Starlette routes (``@app.post("/chat")``,
    ``@router.get(...)``), labelled with their method and path."""
    out: dict[AsyncDef, str] = {}
    if not _may_define_routes(text):
        return out
    for node, _, _, _ in walk_lines(tree, keyword_lines(text, ["@"])):
        if not isinstance(node, AsyncDef):
            continue
        for deco in node.decorator_list:
            if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)):
                continue
            method = deco.func.attr
            if method not in _ROUTE_METHODS:
                continue
            path = deco.args[0] if deco.args else None
            where = (
                path.value if isinstance(path, ast.Constant) and isinstance(path.value, str) else ""
            )
            verb = method.upper() if method not in ("api_route", "route") else "route"
            out[node] = f"{verb} {where}".strip()
    return out


def _blocking_stream(call: ast.Call, parent: ast.AST | None) -> str:
    """``for chunk in graph.stream(...)`` (or a comprehension over it) in an async function:
    the sync generator runs the whole graph on the event loop."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "stream"):
        return ""
    iterated = (isinstance(parent, ast.For) and parent.iter is call) or (
        isinstance(parent, ast.comprehension) and parent.iter is call and not parent.is_async
    )
    return call_name(call.func) if iterated else ""


def _may_define_nodes(text: str) -> bool:
    """Whether :func:`_node_functions` can find anything in a module with this text."""
    return "async def" in text and any(w in text for w in _NODE_DECORATORS)


def _node_functions(project: Project, rel: str, tree: ast.Module) -> dict[AsyncDef, str]:
    """Async functions of ``rel`` used as graph nodes: ``add_node`` targets anywhere in the
    served code that resolve to this file, and ``@task``/``@entrypoint`` functions."""
    out: dict[AsyncDef, str] = {}
    text = project.text(rel, report=False) or ""
    lines = keyword_lines(text, _NODE_DECORATORS) if _may_define_nodes(text) else []
    for node, _, _, _ in walk_lines(tree, lines):
        if isinstance(node, AsyncDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if call_name(target).rsplit(".", 1)[-1] in _NODE_DECORATORS:
                    out[node] = node.name
    return out


def _add_node_targets(project: Project, files: frozenset[str]) -> dict[AsyncDef, tuple[str, str]]:
    """Every async function an ``add_node`` call refers to, with its file and node name."""
    found: dict[AsyncDef, tuple[str, str]] = {}
    for rel in sorted(files):
        text = project.text(rel, report=False) or ""
        if "add_node" not in text:
            continue
        tree = project.python(rel)
        if tree is None:
            continue
        for call, _, _, _ in walk_lines(tree, keyword_lines(text, ["add_node"])):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "add_node"
            ):
                continue
            ref: ast.expr | None = None
            if len(call.args) >= 2:
                ref = call.args[1]
            elif len(call.args) == 1:
                ref = call.args[0]
            for kw in call.keywords:
                if kw.arg in ("action", "node") and not isinstance(kw.value, ast.Constant):
                    ref = kw.value
            if not isinstance(ref, ast.Name | ast.Attribute):
                continue
            resolved: tuple[str, ast.AST] | None = None
            if isinstance(ref, ast.Name):
                resolved = pyindex.resolve_name(project, rel, ref.id)
            elif isinstance(ref.value, ast.Name):
                base = pyindex.resolve_name(project, rel, ref.value.id)
                if base is not None and isinstance(base[1], ast.Module):
                    resolved = pyindex.resolve_name(project, base[0], ref.attr)
            if resolved is not None and isinstance(resolved[1], AsyncDef):
                label = (
                    call.args[0].value
                    if (
                        len(call.args) >= 2
                        and isinstance(call.args[0], ast.Constant)
                        and isinstance(call.args[0].value, str)
                    )
                    else resolved[1].name
                )
                found[resolved[1]] = (resolved[0], str(label))
    return found


class BlockingCallInAsyncNode(Rule):
    """A blocking call inside an ``async def`` graph node.

    What it does
    ------------
    In ``async def`` functions the served graphs use as nodes (``add_node`` targets,
    ``@task`` and ``@entrypoint`` functions) and in ``async def`` request handlers of a
    served FastAPI/Starlette app (``@app.post("/chat")``), reports synchronous ``.invoke()``,
    ``for chunk in graph.stream(...)``, ``requests``
    (and ``httpx``'s module-level) calls, ``time.sleep``, ``urlopen``, ``subprocess``, socket
    calls and file I/O (``open()``, ``Path.read_text`` ...). Calls handed to
    ``asyncio.to_thread`` or ``run_in_executor`` are not calls in the node and are not reported.

    Why is this bad?
    ----------------
    Async nodes run on the server's event loop. A blocking call stops the loop: every other
    run on the worker stalls, SSE heartbeats stop (proxies then cut idle streams), and the run
    heartbeat misses its deadline, so the server may consider the run dead and retry it.
    ``langgraph dev`` detects some of this at run time; ``--allow-blocking`` only hides it.

    Example
    -------
    ```python
    async def call_model(state):
        reply = llm.invoke(state["messages"])
        time.sleep(1)
        return {"messages": [reply]}
    ```

    Use instead
    -----------
    ```python
    async def call_model(state):
        reply = await llm.ainvoke(state["messages"])
        await asyncio.sleep(1)
        return {"messages": [reply]}
    ```
    """

    code = "AC311"
    name = "blocking-call-in-async-node"
    severity = Severity.WARNING
    message = "A blocking call inside an async node stalls the event loop."
    fix = (
        "Use the async equivalent (ainvoke, httpx.AsyncClient, asyncio.sleep) or asyncio.to_thread."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        nodes = _add_node_targets(project, dep.served_files)
        per_file: dict[str, dict[AsyncDef, str]] = {}
        for fn, (rel, label) in nodes.items():
            per_file.setdefault(rel, {})[fn] = label
        for rel in sorted(dep.served_files):
            text = project.text(rel)
            if text is not None and not _may_define_nodes(text):
                project.parses(rel)
                continue
            tree = project.python(rel)
            if tree is not None:
                for fn, label in _node_functions(project, rel, tree).items():
                    per_file.setdefault(rel, {}).setdefault(fn, label)
        handlers: dict[str, dict[AsyncDef, str]] = {}
        for rel in sorted(dep.served_files):
            text = project.text(rel, report=False) or ""
            if not _may_define_routes(text):
                continue
            tree = project.python(rel)
            if tree is not None:
                found = _route_handlers(tree, text)
                mine = per_file.get(rel, {})
                handlers[rel] = {fn: label for fn, label in found.items() if fn not in mine}
        for rel in sorted(set(per_file) | set(handlers)):
            functions = [(fn, label, "node") for fn, label in per_file.get(rel, {}).items()]
            functions += [(fn, label, "handler") for fn, label in handlers.get(rel, {}).items()]
            for fn, label, role in sorted(functions, key=lambda item: item[0].lineno):
                yield from self._check_function(project, rel, fn, label, role)

    def _check_function(
        self, project: Project, rel: str, fn: AsyncDef, label: str, role: str
    ) -> Iterator[Finding]:
        local = {a.arg for a in fn.args.args + fn.args.kwonlyargs + fn.args.posonlyargs}
        calls, parents = _calls_and_locals(fn, local)
        for node in calls:
            what, instead = _blocking(project, rel, node, local)
            stream = _blocking_stream(node, parents.get(node)) if not what else ""
            if stream:
                what = f"{stream}()"
                instead = f"`async for ... in {stream[: -len('stream')]}astream(...)`"
            if not what:
                continue
            if role == "node":
                inside = f"async node '{label}'{'' if label == fn.name else f' ({fn.name})'}"
                effect = "other runs and SSE heartbeats stall while it waits"
            else:
                inside = f"async request handler {fn.name} ({label})"
                effect = "every other request and stream on the worker stalls while it waits"
            yield self.finding(
                rel,
                node.lineno,
                node.col_offset + 1,
                message=f"{what} blocks the event loop inside {inside}: {effect}.",
                fix=f"Use {instead} instead.",
            )
