"""AC108 unpinned-dependencies: no lock file, and langgraph / langgraph-api float."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck import deps
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["UnpinnedDependencies"]

#: The distributions whose releases change server behaviour under a running deployment.
WATCHED = frozenset({"langgraph", "langgraph-api"})


class UnpinnedDependencies(Rule):
    """No lock file, and ``langgraph`` / ``langgraph-api`` requirements without an upper bound.

    What it does
    ------------
    Reports each declaration of ``langgraph`` or ``langgraph-api`` (pyproject.toml,
    requirements files, langgraph.json ``dependencies``, setup.cfg, Pipfile) that has no upper
    bound or pin (``langgraph``, ``langgraph>=0.2``) when no lock file (``uv.lock``,
    ``poetry.lock``, ``pdm.lock``, ``Pipfile.lock``, ``pylock.toml``) sits beside it or above
    it, and no requirements file there pins every package (pip-compile or ``uv export``
    output counts as a lock).

    Why is this bad?
    ----------------
    Every build resolves the newest release: two replicas built a week apart run different
    servers, a rollback does not roll back the library, and a breaking release lands in
    production unannounced.

    Example
    -------
    ```text
    # requirements.txt
    langgraph>=0.2
    ```

    Use instead
    -----------
    ```text
    # requirements.txt
    langgraph>=0.2,<0.3
    ```
    or commit the lock file of your package manager.
    """

    code = "AC108"
    name = "unpinned-dependencies"
    severity = Severity.INFO
    message = "langgraph is declared without an upper bound and no lock file pins it."
    fix = "Bound the version (langgraph>=1.0,<2) or commit a lock file (uv.lock, poetry.lock)."

    def check(self, project: Project) -> Iterable[Finding]:
        locked_dirs = {_parent(rel) for rel in deps.lock_files(project)}
        # A requirements file that pins every package (pip-compile, uv export) is a lock.
        locked_dirs |= {
            _parent(rel)
            for rel in deps.manifests(project)
            if rel.endswith(".txt") and deps.requirements_fully_pinned(project, rel)
        }
        for item in _declarations(project):
            if item.key not in WATCHED or item.bounded:
                continue
            directory = _parent(item.source)
            if any(_under(directory, locked) for locked in locked_dirs):
                continue
            if item.kind == "requirements" and deps.requirements_fully_pinned(project, item.source):
                continue
            how = f"as {item.specifier!r}, with no upper bound" if item.specifier else "unversioned"
            yield self.finding(
                item.source,
                item.line,
                item.column,
                message=f"{item.name} is declared {how}, and no lock file pins it: each build "
                "may install a newer release.",
                fix=f"Bound it ({item.name}>=X.Y,<X.Y+1) or commit a lock file.",
            )


def _parent(rel: str) -> str:
    parent = PurePosixPath(rel).parent.as_posix()
    return "" if parent == "." else parent


def _under(directory: str, ancestor: str) -> bool:
    return not ancestor or directory == ancestor or directory.startswith(ancestor + "/")


def _declarations(project: Project) -> Iterator[deps.Declared]:
    """Every declaration in the project's dependency manifests and langgraph.json files."""
    seen: set[tuple[str, int, str]] = set()
    for cfg in project.langgraph_configs:
        for item in deps.langgraph_json_dependencies(cfg)[0]:
            seen.add((item.source, item.line, item.key))
            yield item
    for rel in deps.manifests(project):
        for item in deps.declared_in(project, rel):
            if (item.source, item.line, item.key) not in seen:
                seen.add((item.source, item.line, item.key))
                yield item
