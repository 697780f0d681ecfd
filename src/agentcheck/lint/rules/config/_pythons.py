"""Which Python a project targets, and what that means for code the running Python cannot read.

The project states its Python in langgraph.json ``python_version``, the ``requires-python`` of a
pyproject.toml (Poetry's ``python`` too), a ``.python-version`` file and the Python of its
Dockerfiles' base images (:class:`Statement`). AC107 compares them; :func:`settle_syntax` uses
them to decide what a module written for a newer Python than agentcheck's own is (see
:mod:`agentcheck.pysyntax`): fine where the project runs (one info finding saying which Python
it needs), or broken there (AC100).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck import deps
from agentcheck.langgraph_config import targets
from agentcheck.lint.finding import Severity
from agentcheck.lint.rules.config._common import image_python_version
from agentcheck.pysyntax import RUNNING, version_key

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from agentcheck.project import LanggraphConfig, Project
    from agentcheck.pysyntax import SyntaxNote

__all__ = [
    "DEFAULT_BUILD_PYTHON",
    "Statement",
    "docker_images",
    "note_javascript",
    "pinned_python",
    "project_statements",
    "python_version_file",
    "requires_python",
    "settle_syntax",
]

#: The Python ``langgraph build`` uses when langgraph.json sets no ``python_version``.
DEFAULT_BUILD_PYTHON = "3.11"
_VERSION = re.compile(r"^\s*(3\.\d{1,2})(?:\.\d+)?")
#: Minor versions of Python 3 a statement may allow, oldest first.
_MINORS = tuple(f"3.{m}" for m in range(8, 20))
#: How many files a settled finding names before "and N more".
_NAMED = 3


@dataclass(frozen=True)
class Statement:
    """One statement of the Python version: where, and what it says."""

    path: str
    line: int
    column: int
    what: str
    version: str | None = None
    spec: SpecifierSet | None = None

    def allows(self, version: str) -> bool:
        if self.spec is not None:
            return any(
                self.spec.contains(f"{version}.{patch}", prereleases=True) for patch in (0, 99)
            )
        return self.version == version

    @property
    def newer_than_running(self) -> str | None:
        """The oldest Python the statement allows that is newer than agentcheck's own."""
        running = version_key(RUNNING)
        return next((v for v in _MINORS if version_key(v) > running and self.allows(v)), None)

    def describe(self) -> str:
        return f"{self.what} in {self.path}"


def pinned_python(cfg: LanggraphConfig) -> Statement | None:
    """langgraph.json ``python_version``."""
    declared = cfg.data.get("python_version")
    if cfg.doc is None or not isinstance(declared, str):
        return None
    match = _VERSION.match(declared)
    if match is None:
        return None
    line, col = cfg.doc.loc("python_version")
    return Statement(cfg.path, line, col, f'"python_version": "{declared}"', match[1])


def requires_python(project: Project, directory: str) -> Statement | None:
    """The ``requires-python`` of the pyproject.toml in ``directory``, else at the root."""
    for where in dict.fromkeys((directory, "")):
        rel = f"{where}/pyproject.toml" if where else "pyproject.toml"
        found = deps.requires_python(project, rel)
        if found is not None:
            spec, line = found
            return Statement(rel, line, 1, f"requires-python '{spec}'", spec=spec)
    return None


def python_version_file(project: Project, directory: str) -> Statement | None:
    """The ``.python-version`` in ``directory``, else at the root."""
    for where in dict.fromkeys((directory, "")):
        rel = f"{where}/.python-version" if where else ".python-version"
        if rel not in project.files:
            continue
        text = project.text(rel) or ""
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        match = _VERSION.match(first)
        if match:
            return Statement(rel, 1, 1, f".python-version {first.strip()}", match[1])
    return None


#: Programs whose image is not the agent's (a UI, a proxy, a JavaScript app).
_NOT_AGENT_PROGRAMS = frozenset(
    {"streamlit", "gradio", "chainlit", "nginx", "caddy", "envoy", "haproxy", "traefik"}
    | {"node", "npm", "npx", "yarn", "pnpm", "bun", "jupyter"}
)


def docker_images(project: Project, base: str | None) -> Iterator[Statement]:
    """The final-stage base image of every Dockerfile in directory ``base``, above it or below
    it (every Dockerfile when ``base`` is None), when its tag names a Python version.

    Only the agent's images count: the Dockerfiles the servers are built from when the model
    knows them, else every Dockerfile whose command does not start a UI, a proxy or a
    JavaScript app."""
    from agentcheck.deployment import deployment

    dep = deployment(project)
    agents = {s.dockerfile for s in dep.servers if s.dockerfile}
    for rel, info in dep.dockerfiles.items():
        if agents and rel not in agents:
            continue  # the image of another workload (a sandbox, a UI, a proxy)
        program = PurePosixPath((info.entrypoint or info.cmd or ("",))[0]).name
        if not agents and program in _NOT_AGENT_PROGRAMS:
            continue
        parent = PurePosixPath(rel).parent.as_posix()
        parent = "" if parent == "." else parent
        related = (
            base is None
            or not parent
            or parent == base
            or base.startswith(parent + "/")
            or (not base or parent.startswith(base + "/"))
        )
        if not related or not info.base_image or info.base_where is None:
            continue
        if info.builds_agent is False:
            continue  # another service's image (a proxy, a frontend): its Python is its own
        version = image_python_version(info.base_image)
        if version is None:
            continue
        yield Statement(
            rel,
            info.base_where.line,
            info.base_where.column,
            f"the base image {info.base_image}",
            version,
        )


def project_statements(project: Project) -> list[Statement]:
    """Every statement of the Python version anywhere in the project."""
    found: list[Statement | None] = [requires_python(project, ""), python_version_file(project, "")]
    for cfg in project.langgraph_configs:
        found += [
            pinned_python(cfg),
            requires_python(project, cfg.dir),
            python_version_file(project, cfg.dir),
        ]
    found += docker_images(project, None)
    return list({(s.path, s.line): s for s in found if s is not None}.values())


# --------------------------------------------------------------------------- AC100


def settle_syntax(project: Project) -> None:
    """Decide the AC100 findings of modules the running Python did not read as written.

    - Read tolerantly (newer syntax rewritten): fine when the project states no Python or a
      statement allows the Python that syntax needs: one info finding for the project saying
      which Python it needs. When every statement excludes it, each file is AC100: it breaks
      where the project runs.
    - Not read at all: when the project targets a Python newer than agentcheck's, whose
      grammar may accept the file, the error becomes part of one info finding; else it stays.
    """
    notes = project.python_notes
    if not notes:
        return
    statements = project_statements(project)
    tolerant = {rel: n for rel, n in sorted(notes.items()) if n.error is None and n.needs}
    if tolerant:
        needs = max((n.needs or RUNNING for n in tolerant.values()), key=version_key)
        if statements and not any(s.allows(needs) for s in statements):
            for rel, note in tolerant.items():
                _broken_where_it_runs(project, rel, note, statements)
        else:
            _needs_newer(project, tolerant, needs, statements)
    target = next((s for s in statements if s.newer_than_running is not None), None)
    failing = {rel: n for rel, n in sorted(notes.items()) if n.error is not None}
    unreadable: dict[str, SyntaxNote] = {}
    for rel, note in failing.items():
        if target is not None or (not statements and note.needs is not None):
            assert note.error is not None
            project.retract_problem(rel, *note.error)
            unreadable[rel] = note
    if unreadable:
        _unreadable(project, unreadable, target)


def _files(rels: list[str]) -> str:
    named = ", ".join(rels[:_NAMED])
    return named + (f" and {len(rels) - _NAMED} more" if len(rels) > _NAMED else "")


def _broken_where_it_runs(
    project: Project, rel: str, note: SyntaxNote, statements: list[Statement]
) -> None:
    stated = "; ".join(s.describe() for s in statements[:2])
    project.problem(
        rel,
        f"uses {', '.join(note.features)}, syntax of Python {note.needs}, but the project "
        f"targets an older Python ({stated}): the module fails to import there",
        note.line,
        1,
    )


def _needs_newer(
    project: Project, tolerant: dict[str, SyntaxNote], needs: str, statements: list[Statement]
) -> None:
    rels = list(tolerant)
    features = list(dict.fromkeys(f for n in tolerant.values() for f in n.features))
    allowing = next((s for s in statements if s.allows(needs)), None)
    target = (
        f"the project targets it ({allowing.describe()})"
        if allowing is not None
        else "the project does not say which Python it targets"
    )
    first = tolerant[rels[0]]
    project.problem(
        rels[0],
        f"{len(rels)} module(s) need Python {needs} or newer ({', '.join(features)}): "
        f"{_files(rels)}; agentcheck runs on Python {RUNNING} and reads them tolerantly, "
        f"and {target}",
        first.line,
        1,
        severity=Severity.INFO,
        fix=f"Nothing to fix in the project; run agentcheck on Python {needs} or newer for an "
        "exact reading.",
    )


def _unreadable(
    project: Project, unreadable: dict[str, SyntaxNote], target: Statement | None
) -> None:
    rels = list(unreadable)
    first = unreadable[rels[0]]
    assert first.error is not None
    why = (
        f"the project targets Python {target.newer_than_running} ({target.describe()})"
        if target is not None
        else f"they use syntax of Python {first.needs}"
    )
    project.problem(
        rels[0],
        f"{len(rels)} module(s) do not parse with Python {RUNNING}, the Python agentcheck runs "
        f"on ({_files(rels)}; first: {first.error[0]} at line {first.error[1]}), and {why}, "
        "whose grammar may accept them: the rules skip them",
        first.error[1],
        first.error[2],
        severity=Severity.INFO,
        fix="Run agentcheck on the Python the project targets to check them.",
    )


# --------------------------------------------------------------------------- JavaScript


def note_javascript(project: Project) -> None:
    """One info finding per langgraph.json that serves JavaScript graphs: the rules that read
    Python code skip them (the deployment rules do not)."""
    for cfg in project.langgraph_configs:
        js = [t for t in targets(cfg) if t.kind == "graph" and t.is_js]
        if not js:
            continue
        node = cfg.data.get("node_version")
        runtime = f" (node_version {node})" if isinstance(node, str | int) else ""
        names = ", ".join(repr(t.name) for t in js)
        project.problem(
            cfg.path,
            f"{cfg.path} serves JavaScript graphs{runtime}: {names}. agentcheck reads Python "
            "code only: the rules on graph code, dependencies and persistence (AC103, AC105, "
            "AC106, AC301-AC305, AC311, AC406, AC501, AC510, AC511) skip them; the deployment "
            "rules (compose, Kubernetes, proxies, secrets) still apply",
            js[0].line,
            js[0].column,
            severity=Severity.INFO,
            fix="Nothing to fix; check the JavaScript graphs with the JavaScript tooling.",
        )
