"""AC509 no-auth."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from agentcheck.deployment import Exposure, Workload, deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import (
    server_kind,
    workload_ignores,
)

if TYPE_CHECKING:
    from agentcheck.deployment import Deployment
    from agentcheck.project import Project

__all__ = ["NoAuth"]

#: Servers whose authentication is langgraph.json's ``auth`` (Agent Server, Aegra).
AUTH_FROM_CONFIG = frozenset({"agent-server", "langgraph-dev", "aegra"})
#: Ingress annotations that put authentication in front of the backend.
INGRESS_AUTH_ANNOTATIONS = (
    "nginx.ingress.kubernetes.io/auth-url",
    "nginx.ingress.kubernetes.io/auth-type",
    "nginx.ingress.kubernetes.io/auth-tls-verify-client",
    "alb.ingress.kubernetes.io/auth-type",
    "konghq.com/plugins",
)


class NoAuth(Rule):
    """The agent's API is exposed without authentication.

    What it does
    ------------
    Reports an Ingress, HTTPRoute, LoadBalancer or NodePort Service, or a compose port
    published on all interfaces, that reaches an Agent Server or Aegra workload in
    production while langgraph.json (or aegra.json) has no ``auth``. Agent Server with
    ``LANGGRAPH_AUTH_TYPE=langsmith`` (LangSmith API keys) and Ingresses that authenticate
    themselves (``nginx.ingress.kubernetes.io/auth-url``, ALB ``auth-type``) count as
    authenticated. Loopback-only ports (``127.0.0.1:8000:8000``) are not exposed. Custom
    servers define their own authentication and are not judged.

    Why is this bad?
    ----------------
    Without ``auth``, the server accepts every request: anyone who finds the address can list
    and read every thread (other users' conversations), run the agent on your model budget,
    and call its tools. Self-hosted langgraph-api defaults to no authentication.

    Example
    -------
    ```json
    {"graphs": {"agent": "./agent/graph.py:graph"}}
    ```

    Use instead
    -----------
    ```json
    {"graphs": {"agent": "./agent/graph.py:graph"}, "auth": {"path": "./agent/auth.py:auth"}}
    ```
    """

    code = "AC509"
    name = "no-auth"
    severity = Severity.WARNING
    production_dependent = True
    message = "The API is exposed and langgraph.json has no auth."
    fix = 'Add "auth": {"path": "./auth.py:auth"} to langgraph.json, or stop exposing the port.'

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        if _config_has_auth(project):
            return
        for exposure in dep.exposed:
            w = dep.workload(exposure.workload) if exposure.workload else None
            if w is None or w.role != "agent" or server_kind(w) not in AUTH_FROM_CONFIG:
                continue
            exposing = dep.files.get(exposure.where.path)
            if not (w.production or (exposing is not None and exposing.verdict.production)):
                continue
            if workload_ignores(w, self) or _env_auth(dep, w):
                continue
            if exposure.kind != "published-port":
                ignored = self.code in exposure.ignores or self.name in exposure.ignores
                if ignored or _ingress_auth(exposure.annotations):
                    continue
            yield self._finding(project, exposure, w)

    def _finding(self, project: Project, exposure: Exposure, w: Workload) -> Finding:
        configs = [c.path for c in project.langgraph_configs]
        config = configs[0] if configs else "langgraph.json"
        if exposure.kind == "published-port":
            port = exposure.detail.removesuffix(f" of {w.name}") or "a port"
            what = f"Compose service {w.name} publishes {port} on all interfaces"
            fix = (
                f'Add "auth": {{"path": "./auth.py:auth"}} to {config}, or bind the port to '
                "loopback (`127.0.0.1:HOST:CONTAINER`) behind an authenticating proxy."
            )
        else:
            what = f"{exposure.detail or exposure.kind} exposes {w.kind} {w.name}"
            fix = (
                f'Add "auth": {{"path": "./auth.py:auth"}} to {config} (a langgraph_sdk.Auth '
                "handler), or authenticate at the ingress "
                "(`nginx.ingress.kubernetes.io/auth-url`)."
            )
        return self.finding(
            exposure.where.path,
            exposure.where.line,
            exposure.where.column,
            message=f"{what} and {config} has no auth: anyone who reaches it can read every "
            "thread and run the agent.",
            fix=fix,
        )


def _config_has_auth(project: Project) -> bool:
    for cfg in project.langgraph_configs:
        auth = cfg.data.get("auth")
        if isinstance(auth, Mapping) and auth.get("path"):
            return True
    return False


def _env_auth(dep: Deployment, w: Workload) -> bool:
    """Agent Server authenticating with LangSmith keys, or auth configured through env."""
    env = dep.env_of(w)
    auth_type = env.get("LANGGRAPH_AUTH_TYPE")
    if auth_type is not None and (auth_type.value or "").strip().lower() == "langsmith":
        return True
    custom = env.get("LANGGRAPH_AUTH")
    if custom is not None and custom.value:
        try:
            data: Any = json.loads(custom.value)
        except ValueError:
            return False
        return isinstance(data, Mapping) and bool(data.get("path"))
    return False


def _ingress_auth(annotations: Mapping[str, str]) -> bool:
    return any(annotations.get(key) for key in INGRESS_AUTH_ANNOTATIONS)
