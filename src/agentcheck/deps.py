"""Declared dependencies of a project, and which distribution an import needs.

What counts is what the user *declares*, never what happens to be installed where agentcheck
runs: ``importlib.metadata`` is not consulted. Declarations are read from

- ``pyproject.toml``: PEP 621 ``dependencies`` and ``optional-dependencies``, PEP 735
  ``[dependency-groups]``, Poetry (``[tool.poetry.dependencies]``, groups, dev-dependencies),
  uv and PDM dev-dependencies;
- ``requirements*.txt`` (and ``requirements/*.txt``), following ``-r`` includes, decoded as pip
  decodes them (a UTF-16 or UTF-8 BOM is honoured);
- ``setup.cfg`` ``install_requires``, literal ``install_requires`` lists in ``setup.py``,
  ``Pipfile``;
- langgraph.json / aegra.json ``dependencies``: package requirements and local paths.

An import is mapped to the distributions that can provide it (:func:`distributions_for_import`):
a curated table for the LangChain ecosystem and modules whose import name differs from their
distribution (``yaml`` -> ``pyyaml``), else the PEP 503 normalized top-level name
(``langchain_openai`` -> ``langchain-openai``). :func:`provided` closes a set of declared
distributions over dependencies they are known to guarantee (``langgraph`` brings
``langchain-core``), so an import of ``langchain_core`` in a project that declares ``langgraph``
is not undeclared. The standard library never counts (:func:`is_stdlib`).
"""

from __future__ import annotations

import ast
import posixpath
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck._astwalk import walk
from agentcheck._distributions import IMPORT_TO_DISTS, NAMESPACES, PROVIDES, SERVER_PROVIDES

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from agentcheck.project import LanggraphConfig, Project

__all__ = [
    "IMPORT_TO_DISTS",
    "LOCK_FILES",
    "PROVIDES",
    "SERVER_PROVIDES",
    "Declared",
    "LocalPath",
    "declared_for_config",
    "declared_in",
    "distributions_for_import",
    "is_stdlib",
    "langgraph_json_dependencies",
    "local_installs",
    "lock_files",
    "manifests",
    "normalize",
    "poetry_constraint",
    "provided",
    "pyproject_dependencies",
    "requirements_file",
    "requirements_fully_pinned",
    "requires_python",
]

#: Files that pin a complete dependency set.
LOCK_FILES = frozenset(
    {
        "uv.lock",
        "poetry.lock",
        "pdm.lock",
        "Pipfile.lock",
        "pylock.toml",
        "conda-lock.yml",
        "requirements.lock",
        "requirements-lock.txt",
    }
)

_NORMALIZE = re.compile(r"[-_.]+")


def normalize(name: str) -> str:
    """The PEP 503 normalized form of a distribution name (``Langchain_OpenAI`` ->
    ``langchain-openai``)."""
    return _NORMALIZE.sub("-", name).lower()


@dataclass(frozen=True)
class Declared:
    """One declared requirement, where it is declared."""

    #: The name as written.
    name: str
    #: :func:`normalize`-d name.
    key: str
    #: The version specifier (``">=0.2,<0.3"``), ``""`` for none.
    specifier: str
    extras: frozenset[str]
    #: Relative path of the declaring file, and the 1-based position of the declaration.
    source: str
    line: int
    column: int = 1
    #: ``"project"``, ``"optional"``, ``"group"``, ``"poetry"``, ``"requirements"``,
    #: ``"langgraph.json"``, ``"setup"``, ``"pipfile"``.
    kind: str = "project"
    #: A direct reference (``pkg @ https://...``, a VCS URL, a path).
    url: str | None = None
    #: The specifier is in Poetry's syntax (``^0.2``) rather than PEP 440.
    poetry: bool = False

    @property
    def bounded(self) -> bool:
        """Whether the version cannot float to any future release: pinned (``==``, ``===``,
        ``~=``), capped (``<``, ``<=``, Poetry ``^``/``~``), or a direct reference."""
        if self.url:
            return True
        spec = self.specifier.strip()
        if self.poetry:
            return bool(spec) and spec != "*" and (spec[0] in "^~=" or "<" in spec)
        return any(op in spec for op in ("==", "~=", "<"))


@dataclass(frozen=True)
class LocalPath:
    """A local directory named as a dependency (``"."`` in langgraph.json, ``-e ./pkg``)."""

    #: Normalized path relative to the project root (``""`` for the root), or None when the
    #: path leaves the root.
    path: str | None
    raw: str
    source: str
    line: int
    column: int = 1


# --------------------------------------------------------------------------- parsing helpers


def _requirement(text: str, source: str, line: int, column: int, kind: str) -> Declared | None:
    # packaging is imported where it is used: a lint without requirements never pays for it.
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    return Declared(
        name=req.name,
        key=normalize(req.name),
        specifier=str(req.specifier),
        extras=frozenset(normalize(e) for e in req.extras),
        source=source,
        line=line,
        column=column,
        kind=kind,
        url=req.url,
    )


def _find_line(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    """Line and column of the quoted string ``needle`` in ``text`` (a TOML or Python source),
    or of the bare ``needle`` as a key; (1, 1) when absent."""
    for candidate in (f'"{needle}"', f"'{needle}'", needle):
        idx = text.find(candidate, start)
        if idx >= 0:
            line = text.count("\n", 0, idx) + 1
            col = idx - (text.rfind("\n", 0, idx) + 1) + 1
            return line, col
    return 1, 1


def _key_line(text: str, key: str, start: int = 0) -> tuple[int, int]:
    """Line and column of the TOML key ``key`` (bare or quoted) at the start of a line, at or
    after offset ``start``; falls back to :func:`_find_line`."""
    pattern = re.compile(rf"^[ \t]*([\"']?){re.escape(key)}\1[ \t]*=", re.MULTILINE)
    match = pattern.search(text, start)
    if match is None:
        return _find_line(text, key, start)
    idx = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
    line = text.count("\n", 0, idx) + 1
    return line, idx - (text.rfind("\n", 0, idx) + 1) + 1


def _section_start(text: str, header: str) -> int:
    """Offset of a TOML table header (``[tool.poetry.dependencies]``), or 0."""
    match = re.search(rf"^\s*\[\s*{re.escape(header)}\s*\]", text, re.MULTILINE)
    return match.start() if match else 0


# --------------------------------------------------------------------------- pyproject.toml


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


# --------------------------------------------------------------------------- requirements.txt

_OPTION_ARG = re.compile(
    r"^(?P<opt>-r|--requirement|-c|--constraint|-e|--editable|-i|--index-url|"
    r"--extra-index-url|-f|--find-links|--trusted-host|--no-binary|--only-binary|"
    r"--prefer-binary|--pre|--no-index|--use-feature|--hash|--config-settings)"
    r"(?:\s*=\s*|\s+|(?=\S))?(?P<arg>.*)$"
)
_COMMENT = re.compile(r"(^|\s+)#.*$")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass
class _ReqFile:
    """What one requirements file declares, and the files it includes."""

    declared: list[Declared] = field(default_factory=list)
    local: list[LocalPath] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    #: Every requirement pins an exact version (the output of pip-compile / uv export).
    fully_pinned: bool = False


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """pip's reading: comments stripped, backslash continuations joined."""
    buf: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw)
        if not buf:
            start = number
        if line.endswith("\\"):
            buf.append(line[:-1])
            continue
        buf.append(line)
        joined = " ".join(part.strip() for part in buf).strip()
        buf = []
        if joined:
            yield start, joined
    if buf:
        joined = " ".join(part.strip() for part in buf).strip()
        if joined:
            yield start, joined


def _is_path_like(text: str) -> bool:
    return text.startswith((".", "/", "file:")) or text in (".", "..")


def requirements_file(project: Project, rel: str) -> tuple[list[Declared], list[LocalPath]]:
    """The requirements and local paths of a requirements file and the files it includes
    with ``-r`` (constraints files, ``-c``, declare nothing)."""
    declared: list[Declared] = []
    local: list[LocalPath] = []
    seen: set[str] = set()
    stack = [rel]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        parsed = _requirements(project, current)
        declared += parsed.declared
        local += parsed.local
        files = project.memo("deps:file-set", lambda: frozenset(project.files))
        # pip would stop at an include that is missing; lint reads what is there.
        stack += [inc for inc in reversed(parsed.includes) if inc not in seen and inc in files]
    return declared, local


def requirements_fully_pinned(project: Project, rel: str) -> bool:
    """Whether every requirement of the file pins an exact version (a lock in all but name)."""
    return _requirements(project, rel).fully_pinned


def _requirements(project: Project, rel: str) -> _ReqFile:
    return project.memo(f"deps:requirements:{rel}", lambda: _parse_requirements(project, rel))


def _parse_requirements(project: Project, rel: str) -> _ReqFile:
    out = _ReqFile()
    text = project.text(rel)
    if text is None:
        return out
    base = PurePosixPath(rel).parent
    pins: list[bool] = []
    for number, line in _logical_lines(text):
        if line.startswith("-"):
            match = _OPTION_ARG.match(line)
            if match is None:
                continue
            opt, arg = match["opt"], match["arg"].strip().split(" --", 1)[0].strip()
            if opt in ("-r", "--requirement") and arg:
                target = _rel_join(base, arg)
                if target is not None:
                    out.includes.append(target)
            elif opt in ("-e", "--editable") and arg:
                _add_reference(out, arg, base, rel, number)
            continue
        requirement = line.split(" --", 1)[0].strip().split(" -", 1)[0].strip()
        if _is_path_like(requirement) or re.match(r"^[a-z+]+://", requirement):
            _add_reference(out, requirement, base, rel, number)
            pins.append(True)
            continue
        found = _requirement(requirement, rel, number, 1, "requirements")
        if found is not None:
            out.declared.append(found)
            pins.append(found.url is not None or bool(re.search(r"===?", found.specifier)))
    out.fully_pinned = bool(pins) and all(pins)
    return out


def _rel_join(base: PurePosixPath | str, arg: str) -> str | None:
    """``arg`` relative to directory ``base``, normalized; None outside the root."""
    if arg.startswith("/") or "://" in arg:
        return None
    rel = posixpath.normpath(posixpath.join(str(base), arg))
    if rel == ".." or rel.startswith("../"):
        return None
    return "" if rel == "." else rel


def _add_reference(out: _ReqFile, arg: str, base: PurePosixPath, rel: str, line: int) -> None:
    egg = _EGG.search(arg)
    if "://" in arg and not arg.startswith("file:"):
        if egg:
            name = egg.group(1)
            out.declared.append(
                Declared(
                    name, normalize(name), "", frozenset(), rel, line, kind="requirements", url=arg
                )
            )
        return
    path = arg[len("file:") :] if arg.startswith("file:") else arg
    path = path.split("#", 1)[0].split("[", 1)[0].strip()
    out.local.append(LocalPath(_rel_join(base, path), arg, rel, line))


# --------------------------------------------------------------------------- other formats


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


# --------------------------------------------------------------------------- scope


_REQ_NAME = re.compile(r"^(?:.*[-_.])?requirements(?:[-_.].*)?\.(?:txt|in)$", re.IGNORECASE)


def _is_requirements(rel: str) -> bool:
    path = PurePosixPath(rel)
    return bool(_REQ_NAME.match(path.name)) or (
        path.parent.name.lower() == "requirements" and path.suffix in (".txt", ".in")
    )


def _by_dir(project: Project) -> dict[str, list[str]]:
    names = {"pyproject.toml", "setup.cfg", "setup.py", "Pipfile"}
    out: dict[str, list[str]] = {}
    for rel in project.files:
        path = PurePosixPath(rel)
        parent = "" if path.parent.as_posix() == "." else path.parent.as_posix()
        if path.name in names or _is_requirements(rel):
            out.setdefault(parent, []).append(rel)
            if path.parent.name.lower() == "requirements":
                grand = path.parent.parent.as_posix()
                out.setdefault("" if grand == "." else grand, []).append(rel)
    return out


def manifests(project: Project) -> list[str]:
    """Every dependency manifest of the project: pyproject.toml, setup.cfg, setup.py, Pipfile
    and requirements files, sorted."""
    index = project.memo("deps:by-dir", lambda: _by_dir(project))
    return sorted({rel for found in index.values() for rel in found})


def declared_in(project: Project, rel: str) -> list[Declared]:
    """The requirements the manifest ``rel`` declares (with ``-r`` includes)."""
    return _declared_in(project, rel)[0]


def _declared_in(project: Project, rel: str) -> tuple[list[Declared], list[LocalPath]]:
    name = PurePosixPath(rel).name
    if name == "pyproject.toml":
        return pyproject_dependencies(project, rel), []
    if name == "setup.cfg":
        return _setup_cfg(project, rel), []
    if name == "setup.py":
        return _setup_py(project, rel), []
    if name == "Pipfile":
        return _pipfile(project, rel), []
    return requirements_file(project, rel)


def _ancestors(directory: str) -> list[str]:
    out = [directory]
    while directory:
        directory = directory.rpartition("/")[0]
        out.append(directory)
    return out


def declared_for_config(project: Project, cfg: LanggraphConfig) -> list[Declared]:
    """Everything declared for the deployment that ``cfg`` describes: its ``dependencies``,
    the manifests in its directory, the directories above it and the local paths it lists,
    and every other manifest of the project that is not below another langgraph.json."""
    return project.memo(f"deps:config:{cfg.path}", lambda: _declared_for_config(project, cfg))


def _declared_for_config(project: Project, cfg: LanggraphConfig) -> list[Declared]:
    declared, local = langgraph_json_dependencies(cfg)
    out = list(declared)
    ancestors = _ancestors(cfg.dir)
    dirs = ancestors + [lp.path for lp in local if lp.path is not None and lp.path not in ancestors]
    # Manifests elsewhere (deploy/requirements.txt that a Dockerfile installs) count too,
    # unless they belong to another langgraph.json of a monorepo.
    others = [c.dir for c in project.langgraph_configs if c.dir not in ancestors]
    for rel in manifests(project):
        parent = PurePosixPath(rel).parent.as_posix()
        parent = "" if parent == "." else parent
        if parent.endswith("/requirements") or parent == "requirements":
            parent = parent.rpartition("/")[0] if "/" in parent else ""
        mine = parent in dirs
        if mine or not any(parent == o or parent.startswith(o + "/") for o in others):
            out += _declared_in(project, rel)[0]
    return out


def lock_files(project: Project) -> list[str]:
    """Lock files in the project (``uv.lock``, ``poetry.lock`` ...)."""
    return [rel for rel in project.files if PurePosixPath(rel).name in LOCK_FILES]


# --------------------------------------------------------------------------- imports -> dists


def is_stdlib(module: str) -> bool:
    """Whether the top-level module of ``module`` is in the standard library."""
    top = module.split(".", 1)[0]
    return top in sys.stdlib_module_names or top == "__future__"


def distributions_for_import(module: str) -> tuple[str, ...]:
    """Normalized names of the distributions that can provide the absolute import ``module``.

    The curated table decides for the longest matching dotted prefix; namespace packages
    (``google.cloud.*``, ``azure.*``) map by their first components; anything else maps to its
    normalized top-level name.
    """
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        prefix = ".".join(parts[:depth])
        if prefix in IMPORT_TO_DISTS:
            return tuple(normalize(d) for d in IMPORT_TO_DISTS[prefix])
    for prefix, depth in NAMESPACES.items():
        if module == prefix or module.startswith(prefix + "."):
            if len(parts) >= depth:
                return (normalize("-".join(parts[:depth])),)
            return ()
    return (normalize(parts[0]),)


def provided(declared: Iterable[Declared | str]) -> frozenset[str]:
    """Normalized names of the distributions that ``declared`` puts in the environment: the
    declared ones, what their extras add, and what :data:`PROVIDES` says they bring."""
    todo: list[str] = []
    for item in declared:
        if isinstance(item, str):
            todo.append(normalize(item))
            continue
        todo.append(item.key)
        todo += [f"{item.key}[{extra}]" for extra in item.extras]
    out: set[str] = set()
    while todo:
        key = todo.pop()
        if key in out:
            continue
        out.add(key)
        todo += [normalize(d) if "[" not in d else d for d in PROVIDES.get(key, ())]
    return frozenset(k for k in out if "[" not in k)


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


# --------------------------------------------------------------------------- local packages


def local_installs(project: Project) -> tuple[str, ...]:
    """Directories of the project that its package managers install as packages: uv
    workspace members (``[tool.uv.workspace] members``, less ``exclude``), uv path sources
    (``[tool.uv.sources] x = { path = "libs/x" }``), Poetry path dependencies and local
    paths in requirements files (``-e ./pkg``). Relative to the root, sorted; each holds a
    package manifest or Python code."""
    return project.memo("deps:local-installs", lambda: _local_installs(project))


def _table(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _path_specs(table: dict[str, Any]) -> Iterator[str]:
    """The ``path`` of each ``name = { path = ... }`` (or list of such) entry."""
    for spec in table.values():
        for one in spec if isinstance(spec, list) else [spec]:
            if isinstance(one, dict) and isinstance(one.get("path"), str):
                yield one["path"]


def _local_installs(project: Project) -> tuple[str, ...]:
    import fnmatch

    dirs = sorted(
        {
            "" if (p := PurePosixPath(rel).parent.as_posix()) == "." else p
            for rel in project.files
            if PurePosixPath(rel).name in ("pyproject.toml", "setup.py", "setup.cfg")
        }
    )
    found: set[str] = set()
    for rel in manifests(project):
        name = PurePosixPath(rel).name
        base = PurePosixPath(rel).parent.as_posix()
        base = "" if base == "." else base
        paths: list[str] = []
        if name == "pyproject.toml":
            tool = _table(project.toml(rel), "tool")
            uv = _table(tool, "uv")
            workspace = _table(uv, "workspace")
            members = [m.rstrip("/") for m in workspace.get("members", []) if isinstance(m, str)]
            excluded = [m.rstrip("/") for m in workspace.get("exclude", []) if isinstance(m, str)]
            for candidate in dirs:
                if candidate == base or (base and not candidate.startswith(base + "/")):
                    continue
                sub = candidate[len(base) + 1 :] if base else candidate
                if any(fnmatch.fnmatchcase(sub, m) for m in members) and not any(
                    fnmatch.fnmatchcase(sub, m) for m in excluded
                ):
                    found.add(candidate)
            paths += _path_specs(_table(uv, "sources"))
            poetry = _table(tool, "poetry")
            tables = [_table(poetry, "dependencies"), _table(poetry, "dev-dependencies")]
            tables += [_table(g, "dependencies") for g in _table(poetry, "group").values()]
            for table in tables:
                paths += _path_specs(table)
        elif name not in ("setup.py", "setup.cfg", "Pipfile"):
            found.update(
                lp.path for lp in requirements_file(project, rel)[1] if lp.path and lp.path in dirs
            )
        for raw in paths:
            target = _rel_join(base or ".", raw)
            if target and target in dirs:
                found.add(target)
    found.discard("")
    return tuple(sorted(found))
