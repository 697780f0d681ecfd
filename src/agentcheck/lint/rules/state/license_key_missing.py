"""AC307: an Agent Server deployment without a licence or LangSmith key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.state._common import (
    agent_server_workloads,
    env_opaque,
    first,
    where_of,
)

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["LicenseKeyMissing"]

_KEYS = (
    "LANGGRAPH_CLOUD_LICENSE_KEY",
    "LANGSMITH_API_KEY",
    "LANGSMITH_CONTROL_PLANE_API_KEY",
    "LANGCHAIN_API_KEY",
)


class LicenseKeyMissing(Rule):
    """An Agent Server deployment without a licence key or LangSmith API key.

    What it does
    ------------
    For every production workload that runs an Agent Server image, reports an environment
    (``env``, ``envFrom`` Secrets found in the project, compose ``environment`` and
    ``env_file``, the Dockerfile's ``ENV``) with neither ``LANGGRAPH_CLOUD_LICENSE_KEY`` nor
    ``LANGSMITH_API_KEY``. Aegra and custom servers need neither and are not reported.

    Why is this bad?
    ----------------
    The self-hosted Agent Server image checks its licence at start-up: with an enterprise
    licence key or a LangSmith API key it runs, without either it exits. The seed guide's
    Kubernetes manifest sets neither.

    Example
    -------
    ```yaml
    env:
      - name: DATABASE_URI
        valueFrom: {secretKeyRef: {name: agent, key: database-uri}}
    ```

    Use instead
    -----------
    ```yaml
    env:
      - name: LANGSMITH_API_KEY
        valueFrom: {secretKeyRef: {name: agent, key: langsmith-api-key}}
    ```
    """

    code = "AC307"
    name = "license-key-missing"
    severity = Severity.ERROR
    production_dependent = True
    message = "An Agent Server deployment has no licence key or LangSmith API key."
    fix = (
        "Set LANGSMITH_API_KEY (or LANGGRAPH_CLOUD_LICENSE_KEY) from a secret in the server's "
        "environment."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        for w in agent_server_workloads(dep):
            if env_opaque(w) or first(dep.env_of(w), *_KEYS) is not None:
                continue
            at = where_of(w)
            yield self.finding(
                at.path,
                at.line,
                at.column,
                message=(
                    f"{w.name} runs Agent Server without LANGGRAPH_CLOUD_LICENSE_KEY or "
                    "LANGSMITH_API_KEY: the image does not start without a licence."
                ),
                fix=(
                    "Add LANGSMITH_API_KEY (or LANGGRAPH_CLOUD_LICENSE_KEY) to this environment, "
                    "from a secret (k8s secretKeyRef, compose ${LANGSMITH_API_KEY})."
                ),
            )
