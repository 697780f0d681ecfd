"""AC105 undeclared-dependency: served code imports a third-party module declared nowhere."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from agentcheck import deps
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.config._common import (
    project_packages,
    served_imports,
    sibling_module,
)

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["UndeclaredDependency"]


class UndeclaredDependency(Rule):
    """Served code imports a third-party module that no dependency declares.

    What it does
    ------------
    Follows the modules langgraph.json serves and the project modules they import,
    transitively, and checks every third-party import against what the deployment declares:
    ``pyproject.toml`` (dependencies, optional dependencies, dependency groups, Poetry),
    ``requirements*.txt`` (with ``-r`` includes), ``setup.cfg``/``setup.py``, ``Pipfile`` and
    langgraph.json ``dependencies``, in the config's directory, the directories above it and
    its local dependencies. Import names map to distributions (``yaml`` -> ``pyyaml``,
    ``langchain_openai`` -> ``langchain-openai``); a package that a declared one is known to
    bring (``langchain_core`` with ``langgraph``) counts as declared. The standard library,
    the project's own modules and imports guarded by ``try/except ImportError`` or ``if
    TYPE_CHECKING`` never count.

    Why is this bad?
    ----------------
    It works on the developer's machine, where the package happens to be installed, and the
    image built from the declared dependencies fails at startup with ``ModuleNotFoundError``.

    Example
    -------
    ```python
    from langchain_openai import ChatOpenAI  # requirements.txt: langgraph==1.0.3
    ```

    Use instead
    -----------
    ```text
    # requirements.txt
    langgraph==1.0.3
    langchain-openai==1.0.2
    ```
    """

    code = "AC105"
    name = "undeclared-dependency"
    severity = Severity.ERROR
    message = "Served code imports a third-party module that no dependency declares."
    fix = "Declare the distribution in pyproject.toml, requirements.txt or langgraph.json."

    def check(self, project: Project) -> Iterable[Finding]:
        seen: set[tuple[str, int, str]] = set()
        own = project_packages(project)
        for cfg in project.langgraph_configs:
            if cfg.doc is None or not isinstance(cfg.doc.data, dict):
                continue
            declared = deps.declared_for_config(project, cfg)
            available = deps.provided([*declared, *deps.SERVER_PROVIDES])
            for rel, ref in served_imports(project, cfg):
                top = ref.top or ""
                if not top or deps.is_stdlib(top) or top in own:
                    continue
                if sibling_module(project, rel, top) is not None:
                    continue  # the project's own module next to it (AC106 if unreachable)
                dists = deps.distributions_for_import(ref.absolute or top)
                if not dists or any(d in available for d in dists):
                    continue
                key = (rel, ref.line, top)
                if key in seen:
                    continue
                seen.add(key)
                wanted = " or ".join(dists)
                yield self.finding(
                    rel,
                    ref.line,
                    ref.col,
                    message=f"{rel} imports {ref.absolute}, but nothing the deployment of "
                    f"{cfg.path} declares provides {wanted} (pyproject.toml, requirements "
                    "files, `dependencies`).",
                    fix=f"Add {dists[0]} to the dependencies the deployment installs.",
                )
