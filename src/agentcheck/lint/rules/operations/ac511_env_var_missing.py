"""AC511 env-var-missing-in-production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import Workload, deployment
from agentcheck.deployment.envreads import ENV_READ_WORDS, EnvRead, env_reads
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import (
    production_agent_workloads,
    workload_ignores,
)
from agentcheck.pyindex import python_naming

if TYPE_CHECKING:
    from agentcheck.deployment import Deployment
    from agentcheck.project import Project

__all__ = ["EnvVarMissingInProduction"]

#: Set in every container by the runtime or the base image.
RUNTIME_VARS = frozenset({"PATH", "HOME", "HOSTNAME", "PWD", "USER", "LANG", "TERM", "SHLVL"})


class EnvVarMissingInProduction(Rule):
    """Served code needs a variable that production does not set.

    What it does
    ------------
    Reads served code (the graphs, auth, app and checkpointer modules langgraph.json names,
    and the project modules they import) for environment variables read without a default:
    ``os.environ["X"]`` (outside ``try/except KeyError`` and ``if "X" in os.environ``),
    ``os.getenv("X")`` / ``os.environ.get("X")`` whose ``None`` is passed on where it fails
    (a call argument, a method call, arithmetic), and fields of pydantic ``BaseSettings``
    classes without a default (``env_prefix`` and aliases honoured, names compared
    case-insensitively as pydantic does). Each is reported when a production agent workload
    (Kubernetes or compose) does not provide the variable: not in its ``env``/``environment``,
    a Secret or ConfigMap it loads, its env files, nor its image's Dockerfile ``ENV``.

    The rule needs production manifests to judge: a project with none (only a Dockerfile, or
    only langgraph.json) is not checked, since the variables may come from ``docker run -e``
    or a platform's settings. A workload loading env from a Secret or ConfigMap that is not in
    the repository, or from an env file that is not there, may provide anything: it is not
    reported either.

    Why is this bad?
    ----------------
    A module-level ``os.environ["X"]`` raises ``KeyError`` when the server imports the graph:
    the deployment crash-loops at start-up (or, inside a node, every run fails), and the
    missing variable is discovered in production instead of in review.

    Example
    -------
    ```python
    HELPDESK_URL = os.environ["HELPDESK_URL"]  # and no manifest sets HELPDESK_URL
    ```

    Use instead
    -----------
    ```yaml
    env:
      - name: HELPDESK_URL
        valueFrom: {configMapKeyRef: {name: agent, key: helpdesk-url}}
    ```
    """

    code = "AC511"
    name = "env-var-missing-in-production"
    severity = Severity.ERROR
    message = "Served code reads a variable that no production manifest provides."
    fix = "Provide the variable in the production manifest, or give the read a default."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        workloads = [
            w
            for w in production_agent_workloads(dep)
            if w.main is not None and not workload_ignores(w, self) and not _opaque(w)
        ]
        if not workloads:
            return
        provided = {w.name: _provided(dep, w) for w in workloads}
        for rel in sorted(dep.served_files):
            tree = python_naming(project, rel, ENV_READ_WORDS)
            if tree is None:
                continue
            for read in env_reads(tree):
                if read.name in RUNTIME_VARS:
                    continue
                lacking = [w for w in workloads if not _has(provided[w.name], read)]
                if lacking:
                    yield self._finding(rel, read, lacking)

    def _finding(self, rel: str, read: EnvRead, lacking: list[Workload]) -> Finding:
        w = lacking[0]
        where = (
            f"{w.kind} {w.name} ({w.where.path})"
            if w.platform == "kubernetes"
            else (f"compose service {w.name} ({w.where.path})")
        )
        if len(lacking) > 1:
            where += f" and {len(lacking) - 1} more"
        if read.kind == "settings":
            what = f"Settings field {read.detail} has no default and reads {read.name}"
            code_fix = f"give {read.detail} a default"
        elif read.kind == "subscript":
            what = f'os.environ["{read.name}"] raises KeyError'
            code_fix = f'use os.environ.get("{read.name}", <default>)'
        else:
            what = f"{read.name} is read without a default and None is used"
            code_fix = f'pass a default: os.getenv("{read.name}", <default>)'
        when = "at start-up" if read.function is None else f"when {read.function}() runs"
        if w.platform == "kubernetes":
            manifest = (
                f"`- name: {read.name}` with `valueFrom.secretKeyRef` (or `value:`) under "
                f"env of {w.kind} {w.name}"
            )
        else:
            manifest = f"`{read.name}: ${{{read.name}}}` under environment of service {w.name}"
        return self.finding(
            rel,
            read.line,
            read.column,
            message=f"{what} {when}, and {where} does not set {read.name}.",
            fix=f"Add {manifest}, or {code_fix}.",
            anchor=f"{read.name}:{read.detail or read.kind}",
        )


def _opaque(w: Workload) -> bool:
    """Env from sources whose keys the project does not show."""
    c = w.main
    assert c is not None
    return any(not ref.resolved for ref in c.env_from) or any(not ref.exists for ref in c.env_files)


def _provided(dep: Deployment, w: Workload) -> frozenset[str]:
    return frozenset(dep.env_of(w))


def _has(provided: frozenset[str], read: EnvRead) -> bool:
    if read.name in provided:
        return True
    if read.case_sensitive:
        return False
    wanted = read.name.lower()
    return any(name.lower() == wanted for name in provided)
