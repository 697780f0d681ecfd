"""AC502 tracing-not-configured."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from agentcheck.deployment import EnvValue, Workload, deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import (
    production_agent_workloads,
    server_kind,
    workload_ignores,
)

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["TracingNotConfigured"]

#: The switches the LangSmith SDK and langgraph-api read, first defined wins.
TRACING_SWITCHES = (
    "LANGSMITH_TRACING",
    "LANGSMITH_TRACING_V2",
    "LANGCHAIN_TRACING_V2",
    "LANGCHAIN_TRACING",
)
API_KEYS = ("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")
#: OpenTelemetry exporters (langgraph-api turns OTel on when one is set); Aegra's targets.
OTEL_VARS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TARGETS")
_FALSE = frozenset({"0", "false", "no", "off", "f", "n", ""})


class TracingNotConfigured(Rule):
    """Production sends no traces.

    What it does
    ------------
    Reports a production agent workload (Kubernetes or compose) whose environment enables
    neither LangSmith tracing nor an OpenTelemetry exporter. LangSmith counts when
    ``LANGSMITH_TRACING`` is true and ``LANGSMITH_API_KEY`` is provided (from a secret; a
    literal key is AC205's business); Agent Server also turns tracing on by itself when it
    has a LangSmith key, unless ``LANGSMITH_TRACING=false``. OpenTelemetry counts when
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``, or Aegra's ``OTEL_TARGETS``)
    is set. A workload that loads env from a Secret or ConfigMap not in the repository, or
    from an env file that is not there, may set them: it is not reported.

    Why is this bad?
    ----------------
    An agent run is a chain of model calls, tools and checkpoints; when one goes wrong in
    production, the trace is the only record of what the model saw and did. The deployment
    guide's checklist asks that monitoring be configured before release.

    Example
    -------
    ```yaml
    env:
      - name: LANGGRAPH_CLOUD_LICENSE_KEY
        valueFrom: {secretKeyRef: {name: agent, key: license-key}}
    ```

    Use instead
    -----------
    ```yaml
    env:
      - name: LANGSMITH_TRACING
        value: "true"
      - name: LANGSMITH_API_KEY
        valueFrom: {secretKeyRef: {name: agent, key: langsmith-api-key}}
    ```
    """

    code = "AC502"
    name = "tracing-not-configured"
    severity = Severity.WARNING
    production_dependent = True
    message = "Production sends no traces (neither LangSmith nor OpenTelemetry)."
    fix = (
        "Set LANGSMITH_TRACING=true with LANGSMITH_API_KEY from a secret, or "
        "OTEL_EXPORTER_OTLP_ENDPOINT to your collector."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        for w in production_agent_workloads(dep):
            c = w.main
            if c is None or workload_ignores(w, self):
                continue
            if any(not ref.resolved for ref in c.env_from) or any(
                not ref.exists for ref in c.env_files
            ):
                continue  # env we cannot see may configure tracing
            finding = self._check(w, dep.env_of(w))
            if finding is not None:
                yield finding

    def _check(self, w: Workload, env: Mapping[str, EnvValue]) -> Finding | None:
        if any(_set(env.get(var)) for var in OTEL_VARS):
            return None
        switch = next((env[v] for v in TRACING_SWITCHES if v in env), None)
        has_key = any(var in env for var in API_KEYS)
        kind = server_kind(w)
        owner = f"{w.kind} {w.name}" if w.platform == "kubernetes" else f"service {w.name}"
        assert w.main is not None
        where = w.main.env_where or w.main.where
        key_source = (
            "`valueFrom.secretKeyRef`"
            if w.platform == "kubernetes"
            else "`${LANGSMITH_API_KEY}` injected by CI/CD or a compose secret"
        )
        if switch is not None and _is_false(switch):
            return self.finding(
                switch.where.path,
                switch.where.line,
                switch.where.column,
                message=f"{switch.name}={switch.value} in {owner} turns tracing off and no "
                "OpenTelemetry exporter is set: production runs leave no trace.",
                fix=f'Set `{switch.name}: "true"` (with LANGSMITH_API_KEY from a secret), or '
                "set OTEL_EXPORTER_OTLP_ENDPOINT.",
            )
        if has_key and (switch is not None or kind in ("agent-server", "langgraph-dev")):
            return None
        if switch is not None:
            message = (
                f"{switch.name} is on in {owner} but no LANGSMITH_API_KEY is provided: "
                "traces are rejected."
            )
            fix = f"Add LANGSMITH_API_KEY from a secret ({key_source})."
        elif has_key:
            message = (
                f"{owner} has a LangSmith key but LANGSMITH_TRACING is not set: "
                f"{_server_name(kind)} does not trace by default."
            )
            fix = 'Add `LANGSMITH_TRACING: "true"`, or set OTEL_EXPORTER_OTLP_ENDPOINT.'
        else:
            message = (
                f"{owner} sets no tracing: neither LANGSMITH_TRACING with a LangSmith key nor "
                "an OpenTelemetry exporter."
            )
            fix = (
                'Add `LANGSMITH_TRACING: "true"` and LANGSMITH_API_KEY from a secret '
                f"({key_source}), or OTEL_EXPORTER_OTLP_ENDPOINT."
            )
        return self.finding(where.path, where.line, where.column, message=message, fix=fix)


def _set(value: EnvValue | None) -> bool:
    return value is not None and (value.value is None or bool(value.value.strip()))


def _is_false(value: EnvValue) -> bool:
    if value.value is None or value.interpolated:
        return False
    return value.value.strip().strip("\"'").lower() in _FALSE


def _server_name(kind: str) -> str:
    return {"aegra": "Aegra", "custom": "a custom server"}.get(kind, "this server")
