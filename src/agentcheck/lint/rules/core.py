"""Rules about agentcheck itself and its input: AC100, AC900, AC901.

The runner produces these findings; the classes give them codes, names and documentation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from agentcheck.hookspecs import hookimpl
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["INPUTS_MEMO", "ParseError", "RuleCrashed", "UnusedSuppression", "read_inputs"]


class ParseError(Rule):
    """A file agentcheck must read does not parse.

    What it does
    ------------
    Reports JSON, TOML, YAML, nginx and Python files that do not parse, are not valid UTF-8,
    are binary where text is expected, or are too large to read, at the position of the error.

    Python written for a newer Python than the one agentcheck runs on (``type X = ...``,
    ``def f[T]()``, PEP 701 f-strings) is read tolerantly, and its AC100 follows the Python the
    project targets (langgraph.json ``python_version``, ``requires-python``, ``.python-version``,
    the Dockerfile base image): one info finding saying which Python the code needs when the
    project targets it or says nothing, an error per module when every statement excludes it
    (the module fails to import where it runs). A module that does not parse even so, in a
    project that targets a newer Python than agentcheck's, is part of one info finding: its
    own Python may accept it.

    Why is this bad?
    ----------------
    A file that does not parse cannot be checked, and the deployment tooling that reads it
    (``langgraph build``, ``kubectl``, nginx) will reject it too.

    Example
    -------
    ```json
    {"graphs": {"agent": "./agent.py:graph",}}
    ```

    Use instead
    -----------
    ```json
    {"graphs": {"agent": "./agent.py:graph"}}
    ```
    """

    code = "AC100"
    name = "parse-error"
    severity = Severity.ERROR
    message = "A file does not parse."
    fix = "Fix the file so that it parses, or exclude it with [tool.agentcheck] exclude."

    def check(self, project: Project) -> Iterable[Finding]:
        from agentcheck.lint.rules.config._pythons import note_javascript, settle_syntax

        project.memo(INPUTS_MEMO, lambda: read_inputs(project))
        project.memo("core:settled-syntax", lambda: settle_syntax(project))
        project.memo("core:javascript", lambda: note_javascript(project))
        return project.problems


#: The memo entry (and the lint cache's entry) of :func:`read_inputs`.
INPUTS_MEMO = "AC100:inputs"


def read_inputs(project: Project) -> None:
    """Parse the files any run reads (langgraph.json, pyproject.toml, served code, compose
    and Kubernetes YAML, nginx configurations), so that AC100 reports them even when it is the
    only rule selected. Every parse is memoized: with all rules on, this re-reads nothing."""
    from agentcheck.deployment.nginx import project_configs
    from agentcheck.langgraph_config import served_closure

    _ = project.langgraph_configs, project.pyproject, project.k8s_objects
    for rel in served_closure(project):
        project.python(rel)
    for rel in project.compose_files:
        project.yaml(rel)
    project_configs(project)


class UnusedSuppression(Rule):
    """A suppression comment that suppresses nothing.

    What it does
    ------------
    Reports ``# agentcheck: ignore[CODE]`` comments whose line has no finding of that code.

    Why is this bad?
    ----------------
    Stale suppressions hide the next real problem on that line and mislead readers.

    Example
    -------
    ```yaml
    image: agent:1.4.2  # agentcheck: ignore[AC506] pinned elsewhere
    ```

    Use instead
    -----------
    ```yaml
    image: agent:1.4.2
    ```
    """

    code = "AC900"
    name = "unused-suppression"
    severity = Severity.WARNING
    message = "This suppression suppresses nothing."
    fix = "Remove the suppression, or the codes in it that no longer apply."

    def check(self, project: Project) -> Iterable[Finding]:
        return ()  # produced by the runner, which knows what was suppressed


class RuleCrashed(Rule):
    """A rule raised an exception.

    What it does
    ------------
    Reports a rule that crashed, with the location of the exception, and lets the run go on.

    Why is this bad?
    ----------------
    The crashed rule checked nothing: its problems may still be there. Please report it.

    Example
    -------
    ```text
    src/agentcheck/lint/rules/x.py:12:1: AC901 [rule-crashed] AC123 raised KeyError: 'graphs'
    ```

    Use instead
    -----------
    ```text
    Upgrade agentcheck or the plugin; report the traceback to its authors.
    ```
    """

    code = "AC901"
    name = "rule-crashed"
    severity = Severity.ERROR
    message = "A rule crashed."
    fix = "Report this to the rule's authors; the other rules ran."

    def check(self, project: Project) -> Iterable[Finding]:
        return ()  # produced by the runner


@hookimpl
def agentcheck_rules() -> list[type[Rule]]:
    return [ParseError, UnusedSuppression, RuleCrashed]
