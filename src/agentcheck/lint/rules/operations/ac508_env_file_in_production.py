"""AC508 env-file-in-production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import is_example

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["EnvFileInProduction"]


class EnvFileInProduction(Rule):
    """Production reads its secrets from a plaintext env file.

    What it does
    ------------
    Reports ``env_file:`` entries of services in production compose files, any compose
    ``env_file`` that names a production env file (``.env.production``, ``prod.env``), and a
    langgraph.json whose ``env`` names a production env file. ``"env": ".env"`` in
    langgraph.json, with ``.env`` git-ignored and a ``.env.example`` committed, is the normal
    local-development pattern and is not reported; neither are example files or compose files
    named dev/local/test/override.

    Why is this bad?
    ----------------
    An env file is a plaintext copy of every secret, sitting on the host or in the build
    context, readable by anyone with shell or backup access, never rotated, and one
    ``git add -A`` away from the repository. The deployment guide's checklist asks that
    environment variables be injected securely, not from plaintext files: CI/CD variables,
    compose ``secrets``, Kubernetes Secrets or a cloud secret manager.

    Example
    -------
    ```yaml
    services:
      agent-server:
        env_file: .env.production
    ```

    Use instead
    -----------
    ```yaml
    services:
      agent-server:
        environment:
          LANGSMITH_API_KEY: ${LANGSMITH_API_KEY}  # injected by CI/CD
    ```
    """

    code = "AC508"
    name = "env-file-in-production"
    severity = Severity.WARNING
    production_dependent = True
    message = "Production reads secrets from a plaintext env file."
    fix = "Inject variables from CI/CD or a secret store (compose secrets, k8s secretKeyRef)."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        seen: set[tuple[str, int, int]] = set()
        for w in dep.workloads:
            if w.platform != "compose":
                continue
            for c in w.containers:
                for ref in c.env_files:
                    if is_example(ref.path):
                        continue
                    prod_file = _is_production_env(project, ref.path)
                    if not (w.production or prod_file):
                        continue
                    key = (ref.where.path, ref.where.line, ref.where.column)
                    if key in seen:
                        continue
                    seen.add(key)
                    yield self.finding(
                        ref.where.path,
                        ref.where.line,
                        ref.where.column,
                        message=f"Compose service {w.name} reads its environment from "
                        f"{ref.ref}, a plaintext file on the host: every secret in it is one "
                        "copy or backup away from leaking.",
                        fix=f"Remove `env_file: {ref.ref}` and list the variables under "
                        "`environment:` as `${VAR}` injected by CI/CD, or mount them as "
                        "compose `secrets:`.",
                    )
        for cfg in project.langgraph_configs:
            env = cfg.data.get("env")
            if not isinstance(env, str) or cfg.doc is None:
                continue
            rel = cfg.resolve(env)
            if is_example(rel) or not _is_production_env(project, rel):
                continue
            line, column = cfg.doc.loc("env")
            yield self.finding(
                cfg.path,
                line,
                column,
                message=f'{cfg.path} deploys with "env": "{env}", a plaintext production env '
                "file: `langgraph up` and deployments read every secret from it.",
                fix='Drop "env" from the deployed config (or point it at a git-ignored `.env` '
                "for local runs) and inject production variables from your secret store.",
            )


def _is_production_env(project: Project, rel: str) -> bool:
    """Whether ``rel`` names a production env file (configured globs, or prod in the name)."""
    from agentcheck.deployment._production import file_verdict

    return file_verdict(project, rel, "env").production
