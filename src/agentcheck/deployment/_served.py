"""Which graphs a deployment serves: the graph targets, auth, http app and checkpointer/store
factories of each langgraph.json, and the graphs a custom app compiles itself, each followed
through the project's modules by the graph reader of :mod:`agentcheck.deployment._graphs`.
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck import pyindex
from agentcheck.deployment._graphs import _Analyzer
from agentcheck.deployment._pynames import _returns, call_name
from agentcheck.deployment._pyscan import keyword_lines, walk_lines
from agentcheck.deployment.model import CheckpointerInfo, GraphInfo, Server, Where

if TYPE_CHECKING:
    from agentcheck.deployment.model import Deployment
    from agentcheck.project import LanggraphConfig, Project

__all__ = ["find_asgi_apps", "read_graphs", "served_entry_files", "setup_calls"]


def setup_calls(project: Project) -> list[Where]:
    """Every ``.setup()`` / ``.asetup()`` method call in the project's Python files."""
    out = []
    for rel in project.python_files:
        text = project.text(rel, report=False) or ""
        if "setup(" not in text:
            continue
        tree = project.python(rel)
        if tree is None:
            continue
        for node, _, _, _ in walk_lines(tree, keyword_lines(text, ["setup("])):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("setup", "asetup")
                and call_name(node.func) != "setuptools.setup"
            ):
                out.append(Where(rel, node.lineno, node.col_offset + 1))
    return out


# --------------------------------------------------------------------------- entry points


def _target(project: Project, cfg: LanggraphConfig, spec: str) -> tuple[str | None, str | None]:
    """``./agent/graph.py:graph`` or ``agent.graph:graph`` -> (file, attr)."""
    path, sep, attr = spec.rpartition(":")
    if not sep:
        path, attr = spec, ""
    if path.endswith(".py") or "/" in path:
        rel = cfg.resolve(path)
        return (rel if rel in project.files else None), attr or None
    rel_mod = pyindex.module_path(project, path)
    return rel_mod, attr or None


def _spec_of(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        return str(value["path"])
    return None


def served_entry_files(project: Project, dep: Deployment) -> list[str]:
    """Files a server loads directly: graph targets, auth, http app, checkpointer/store
    factories, custom apps."""
    out: list[str] = []
    for cfg in project.langgraph_configs:
        data = cfg.data
        graphs = data.get("graphs")
        for value in graphs.values() if isinstance(graphs, dict) else []:
            spec = _spec_of(value)
            if spec:
                out.append(_target(project, cfg, spec)[0] or "")
        for key in ("auth", "http", "checkpointer", "store"):
            section = data.get(key)
            if isinstance(section, dict):
                for sub in ("path", "app"):
                    spec = section.get(sub)
                    if isinstance(spec, str):
                        out.append(_target(project, cfg, spec)[0] or "")
    for server in dep.servers:
        if server.app_file:
            out.append(server.app_file)
    return [rel for rel in dict.fromkeys(out) if rel]


def _is_python(rel: str) -> bool:
    return rel.endswith((".py", ".pyw"))


def _is_test_file(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    name = parts[-1]
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(
            p in ("tests", "test", "testing", "e2e", "examples", "docs", "scripts")
            for p in parts[:-1]
        )
    )


def find_asgi_apps(project: Project) -> list[Where]:
    """``app = FastAPI(...)`` / ``Starlette(...)`` at module level in non-test code."""
    out = []
    for rel in project.python_files:
        if _is_test_file(rel):
            continue
        text = project.text(rel, report=False) or ""
        if "FastAPI" not in text and "Starlette" not in text:
            continue
        tree = project.python(rel)
        if tree is None:
            continue
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and isinstance(stmt.value, ast.Call):
                name = call_name(stmt.value.func).rsplit(".", 1)[-1]
                if name in ("FastAPI", "Starlette"):
                    out.append(Where(rel, stmt.lineno, stmt.col_offset + 1))
    return out


def read_graphs(project: Project, dep: Deployment) -> None:
    """Fill ``dep.graphs``, ``compiles``, ``savers``, ``config_savers`` and ``served_files``."""
    an = _Analyzer(project)
    entries = served_entry_files(project, dep)
    if entries:
        # JavaScript graph targets are served by the JS runtime: no Python rule reads them.
        served = [rel for rel in pyindex.local_closure(project, entries) if _is_python(rel)]
    else:
        served = [rel for rel in project.python_files if not _is_test_file(rel)]
    dep.served_files = frozenset(served)
    an.check_quiet(served)
    for rel in served:
        dep.compiles.extend(an.compile_sites(rel))
        dep.savers.extend(an.saver_uses(rel))
    if dep.savers:
        dep.setup_calls = setup_calls(project)

    loaders = [s for s in dep.servers if s.kind in ("agent-server", "langgraph-dev", "aegra")]
    loaders.sort(key=lambda s: (s.implied, not s.production, _rank(s)))
    covered: set[Where] = set()
    for cfg in project.langgraph_configs:
        data = cfg.data
        server = next(
            (s for s in loaders if s.kind == "aegra" or not cfg.path.endswith("aegra.json")),
            None,
        )
        graphs = data.get("graphs")
        doc = cfg.doc
        for graph_id, value in graphs.items() if isinstance(graphs, dict) else []:
            spec = _spec_of(value)
            line, col = doc.loc("graphs", graph_id) if doc else (1, 1)
            info = GraphInfo(
                graph_id=str(graph_id),
                where=Where(cfg.path, line, col),
                config=cfg.path,
                spec=spec,
                server=server,
            )
            if spec:
                info.target, info.attr = _target(project, cfg, spec)
            if info.target and info.attr:
                found = pyindex.resolve_name(project, info.target, info.attr)
                if found is not None:
                    site_rel, node = found
                    info.compile = an.graph_site(site_rel, node, None)
            if info.target and _is_python(info.target):
                info.files = tuple(pyindex.local_closure(project, [info.target]))
                info.interrupts = tuple(w for rel in info.files for w in an.interrupts(rel))
            if server is None and info.target:
                server = next(
                    (
                        s
                        for s in dep.servers
                        if s.kind == "custom"
                        and s.app_file
                        and info.target in pyindex.local_closure(project, [s.app_file])
                    ),
                    None,
                )
                info.server = server
            if info.compile is not None:
                covered.add(info.compile.where)
            dep.graphs.append(info)
        for key in ("checkpointer", "store"):
            section = data.get(key)
            spec = section.get("path") if isinstance(section, dict) else None
            if not isinstance(spec, str) or doc is None:
                continue
            line, col = doc.loc(key, "path")
            where = Where(cfg.path, line, col)
            target, attr = _target(project, cfg, spec)
            info_saver = CheckpointerInfo("unknown", where, spec)
            if target and attr:
                found = pyindex.resolve_name(project, target, attr)
                factory = found[1] if found is not None else None
                if found is not None and isinstance(
                    factory, ast.FunctionDef | ast.AsyncFunctionDef
                ):
                    for ret in _returns(factory):
                        candidate = an.saver(found[0], ret, factory, where)
                        if candidate.kind not in ("unknown", "none"):
                            info_saver = candidate
                            break
                    else:
                        info_saver = CheckpointerInfo("custom", where, spec)
                elif found is not None and isinstance(found[1], ast.expr):
                    info_saver = an.saver(found[0], found[1], None, where)
            dep.config_savers.append((where, info_saver))
    # Graphs a custom app compiles itself.
    for server in dep.servers:
        if server.kind != "custom":
            continue
        files = (
            pyindex.local_closure(project, [server.app_file]) if server.app_file else list(served)
        )
        for site in dep.compiles:
            if site.where.path in files and site.where not in covered:
                covered.add(site.where)
                graph = GraphInfo(
                    graph_id=None,
                    where=site.where,
                    compile=site,
                    server=server,
                    target=site.where.path,
                    attr=site.function,
                )
                graph.files = tuple(pyindex.local_closure(project, [site.where.path]))
                graph.interrupts = tuple(w for rel in graph.files for w in an.interrupts(rel))
                dep.graphs.append(graph)


def _rank(server: Server) -> int:
    return {"agent-server": 0, "langgraph-dev": 1, "aegra": 2}.get(server.kind, 3)
