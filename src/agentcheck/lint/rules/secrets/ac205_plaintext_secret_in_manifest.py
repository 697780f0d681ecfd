"""AC205 plaintext-secret-in-manifest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.secrets._judge import manifest_secrets

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["PlaintextSecretInManifest"]


class PlaintextSecretInManifest(Rule):
    """A deployment manifest sets a secret to a literal value.

    What it does
    ------------
    Reads the variables that deployment manifests set: compose ``environment`` (list and map
    forms), ``build.args`` and committed ``env_file`` files; ``env`` of the containers and
    initContainers of Kubernetes Pods, Deployments, StatefulSets, DaemonSets, Jobs and
    CronJobs, ConfigMap ``data`` and Secret ``stringData``/``data``; Dockerfile ``ENV`` and
    ``ARG`` defaults; the ``env`` object of ``langgraph.json``. It reports a variable with a
    secret's name (``KEY``, ``TOKEN``, ``SECRET``, ``PASSWORD``, ``CREDENTIALS`` ...) and a
    literal value, and any variable whose value holds a provider key or a URL with a literal
    password (``DATABASE_URL=postgresql://postgres:postgres@db/app``).

    ``${VAR}`` interpolation (without a literal default), empty values, ``valueFrom`` /
    ``secretKeyRef``, paths and placeholders are fine. Default passwords (``postgres``) count
    in production manifests only. A credential reported here is not reported again by AC201.

    Why is this bad?
    ----------------
    Manifests are committed, reviewed in pull requests, printed by ``kubectl describe`` and
    ``docker inspect``; Dockerfile ``ENV`` and ``ARG`` values are baked into every layer of the
    image. The seed checklist: production secrets are injected, not written in files.

    Example
    -------
    ```yaml
    env:
      - name: OPENAI_API_KEY
        value: sk-proj-...
    ```

    Use instead
    -----------
    ```yaml
    env:
      - name: OPENAI_API_KEY
        valueFrom:
          secretKeyRef:
            name: agent-secrets
            key: openai-api-key
    ```
    """

    code = "AC205"
    name = "plaintext-secret-in-manifest"
    severity = Severity.ERROR
    message = "A deployment manifest sets a secret to a literal value."
    fix = (
        "Reference the secret instead: Kubernetes secretKeyRef, compose `secrets` or "
        "`${VAR}` from the deploy environment, CI secret injection; rotate the exposed value."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        for found in manifest_secrets(project):
            entry = found.entry
            yield self.finding(
                entry.where.path,
                entry.where.line,
                entry.where.column,
                message=f"{entry.name} in {entry.owner} is {found.what} in plain text "
                f"(`{found.redacted}`).",
                anchor=f"{entry.name}:{found.fingerprint}",
            )
