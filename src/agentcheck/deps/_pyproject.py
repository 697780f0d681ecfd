"""Requirements and ``requires-python`` declared in pyproject.toml (PEP 621, PEP 735, Poetry,
uv, PDM)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from agentcheck.deps._model import (
    Declared,
    _find_line,
    _key_line,
    _requirement,
    _section_start,
    normalize,
)

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from agentcheck.project import Project


def poetry_constraint(spec: str) -> SpecifierSet | None:
    """A Poetry version constraint (``^3.11``, ``~3.11``, ``>=3.11,<3.13``, ``3.11.*``) as a
    PEP 440 specifier set, or None if it cannot be read."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    parts = [p.strip() for p in re.split(r"\s*(?:,|\|\|)\s*|\s+(?=[<>=!~^])", spec) if p.strip()]
    out: list[str] = []
    for part in parts:
        if part == "*":
            continue
        match = re.fullmatch(r"([\^~])(\d+(?:\.\d+)*)", part)
        if match:
            op, ver = match.groups()
            nums = [int(n) for n in ver.split(".")]
            if op == "^":
                idx = next((i for i, n in enumerate(nums) if n != 0), len(nums) - 1)
                upper = [*nums[:idx], nums[idx] + 1]
            else:
                upper = [nums[0], nums[1] + 1] if len(nums) > 1 else [nums[0] + 1]
            out += [f">={ver}", "<" + ".".join(map(str, upper))]
        elif re.fullmatch(r"\d+(?:\.\d+)*(?:\.\*)?", part):
            out.append(f"=={part}")
        else:
            out.append(part)
    try:
        return SpecifierSet(",".join(out))
    except InvalidSpecifier:
        return None


def pyproject_dependencies(project: Project, rel: str) -> list[Declared]:
    """Every requirement declared in the pyproject.toml ``rel`` ([] if it does not parse)."""
    return project.memo(f"deps:pyproject:{rel}", lambda: _pyproject(project, rel))


def _pyproject(project: Project, rel: str) -> list[Declared]:
    data = project.toml(rel)
    text = project.text(rel, report=False) or ""
    if not isinstance(data, dict):
        return []
    out: list[Declared] = []

    def strings(values: Any, kind: str, header: str) -> None:
        start = _section_start(text, header)
        for value in values if isinstance(values, list) else []:
            if isinstance(value, str):
                line, col = _find_line(text, value, start)
                found = _requirement(value, rel, line, col, kind)
                if found is not None:
                    out.append(found)

    proj = data.get("project")
    own_name = ""
    if isinstance(proj, dict):
        own_name = normalize(str(proj.get("name", "")))
        strings(proj.get("dependencies"), "project", "project")
        optional = proj.get("optional-dependencies")
        if isinstance(optional, dict):
            for values in optional.values():
                strings(values, "optional", "project.optional-dependencies")
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for values in groups.values():
            strings(values, "group", "dependency-groups")
    tool = data.get("tool")
    tool = tool if isinstance(tool, dict) else {}
    uv = tool.get("uv")
    if isinstance(uv, dict):
        strings(uv.get("dev-dependencies"), "group", "tool.uv")
    pdm = tool.get("pdm")
    if isinstance(pdm, dict) and isinstance(pdm.get("dev-dependencies"), dict):
        for values in pdm["dev-dependencies"].values():
            strings(values, "group", "tool.pdm.dev-dependencies")
    poetry = tool.get("poetry")
    if isinstance(poetry, dict):
        tables: list[tuple[str, Any]] = [
            ("tool.poetry.dependencies", poetry.get("dependencies")),
            ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies")),
        ]
        pgroups = poetry.get("group")
        if isinstance(pgroups, dict):
            for gname, group in pgroups.items():
                if isinstance(group, dict):
                    tables.append(
                        (f"tool.poetry.group.{gname}.dependencies", group.get("dependencies"))
                    )
        for header, table in tables:
            if not isinstance(table, dict):
                continue
            start = _section_start(text, header)
            for name, spec in table.items():
                if not isinstance(name, str) or name.lower() == "python":
                    continue
                line, col = _key_line(text, name, start)
                out.append(_poetry_entry(name, spec, rel, line, col))
    return [d for d in out if d.key != own_name or not own_name]


def _poetry_entry(name: str, spec: Any, rel: str, line: int, col: int) -> Declared:
    version, url, extras = "", None, frozenset[str]()
    if isinstance(spec, str):
        version = spec
    elif isinstance(spec, dict):
        version = str(spec.get("version", ""))
        for key in ("path", "git", "url", "file"):
            if isinstance(spec.get(key), str):
                url = spec[key]
        raw_extras = spec.get("extras")
        if isinstance(raw_extras, list):
            extras = frozenset(normalize(str(e)) for e in raw_extras)
    elif isinstance(spec, list):
        version = "*"  # multiple constraints by marker: treat as unknown, not capped
    return Declared(
        name=name,
        key=normalize(name),
        specifier=version,
        extras=extras,
        source=rel,
        line=line,
        column=col,
        kind="poetry",
        url=url,
        poetry=True,
    )


def requires_python(
    project: Project, rel: str = "pyproject.toml"
) -> tuple[SpecifierSet, int] | None:
    """The ``requires-python`` (or Poetry ``python``) of a pyproject and its line, or None."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    data = project.toml(rel) if rel in project.files else None
    if not isinstance(data, dict):
        return None
    text = project.text(rel, report=False) or ""
    proj = data.get("project")
    if isinstance(proj, dict) and isinstance(proj.get("requires-python"), str):
        raw = proj["requires-python"]
        try:
            spec = SpecifierSet(raw)
        except InvalidSpecifier:
            return None
        return spec, _key_line(text, "requires-python", _section_start(text, "project"))[0]
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(deps, dict) and isinstance(deps.get("python"), str):
        spec_or_none = poetry_constraint(deps["python"])
        if spec_or_none is None:
            return None
        start = _section_start(text, "tool.poetry.dependencies")
        return spec_or_none, _key_line(text, "python", start)[0]
    return None
