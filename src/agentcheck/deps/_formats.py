"""setup.cfg, setup.py, Pipfile and langgraph.json ``dependencies``."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from agentcheck._astwalk import walk
from agentcheck.deps._model import (
    _EGG,
    Declared,
    LocalPath,
    _find_line,
    _key_line,
    _rel_join,
    _requirement,
    _section_start,
    normalize,
)

if TYPE_CHECKING:
    from agentcheck.project import LanggraphConfig, Project


def _setup_cfg(project: Project, rel: str) -> list[Declared]:
    import configparser

    text = project.text(rel)
    if text is None:
        return []
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
        raw = parser.get("options", "install_requires", fallback="")
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None) or 1
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        project.problem(rel, f"invalid setup.cfg: {first}", int(line))
        return []
    out = []
    start = text.find("install_requires")
    for item in raw.splitlines():
        item = item.strip()
        if item and not item.startswith("#"):
            line, col = _find_line(text, item, max(start, 0))
            found = _requirement(item, rel, line, col, "setup")
            if found is not None:
                out.append(found)
    return out


def _setup_py(project: Project, rel: str) -> list[Declared]:
    tree = project.python(rel)
    if tree is None:
        return []
    out = []
    for node in walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("install_requires", "extras_require"):
            values: list[ast.expr] = []
            if isinstance(node.value, ast.List | ast.Tuple):
                values = list(node.value.elts)
            elif isinstance(node.value, ast.Dict):
                for v in node.value.values:
                    if isinstance(v, ast.List | ast.Tuple):
                        values += v.elts
            for v in values:
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    found = _requirement(v.value, rel, v.lineno, v.col_offset + 1, "setup")
                    if found is not None:
                        out.append(found)
    return out


def _pipfile(project: Project, rel: str) -> list[Declared]:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    data = project.toml(rel)
    text = project.text(rel, report=False) or ""
    out = []
    for section in ("packages", "dev-packages"):
        table = data.get(section) if isinstance(data, dict) else None
        if not isinstance(table, dict):
            continue
        start = _section_start(text, section)
        for name, spec in table.items():
            line, col = _key_line(text, name, start)
            version = spec if isinstance(spec, str) else ""
            if isinstance(spec, dict):
                version = str(spec.get("version", ""))
            version = "" if version == "*" else version
            try:
                SpecifierSet(version)
            except InvalidSpecifier:
                version = ""
            out.append(
                Declared(name, normalize(name), version, frozenset(), rel, line, col, "pipfile")
            )
    return out


# --------------------------------------------------------------------------- langgraph.json


def langgraph_json_dependencies(cfg: LanggraphConfig) -> tuple[list[Declared], list[LocalPath]]:
    """The package requirements and local paths of a langgraph.json ``dependencies`` list."""
    declared: list[Declared] = []
    local: list[LocalPath] = []
    deps = cfg.data.get("dependencies")
    if not isinstance(deps, list) or cfg.doc is None:
        return declared, local
    for i, dep in enumerate(deps):
        if not isinstance(dep, str):
            continue
        line, col = cfg.doc.loc("dependencies", i)
        if dep.startswith("."):
            local.append(LocalPath(_rel_join(cfg.dir or ".", dep), dep, cfg.path, line, col))
            continue
        if dep.startswith("/"):
            local.append(LocalPath(None, dep, cfg.path, line, col))
            continue
        egg = _EGG.search(dep)
        if "://" in dep and "@" not in dep.split("://", 1)[0]:
            if egg:
                name = egg.group(1)
                declared.append(
                    Declared(
                        name,
                        normalize(name),
                        "",
                        frozenset(),
                        cfg.path,
                        line,
                        col,
                        "langgraph.json",
                        url=dep,
                    )
                )
            continue
        found = _requirement(dep, cfg.path, line, col, "langgraph.json")
        if found is not None:
            declared.append(found)
    return declared, local
