"""AC501 debug-logging-in-production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import EnvValue, Where, deployment
from agentcheck.deployment.appcode import DEBUG_LOGGING_WORDS, debug_logging
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import (
    production_agent_workloads,
    production_env_file_values,
    workload_ignores,
)
from agentcheck.pyindex import python_naming

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["DebugLoggingInProduction"]

#: Variables that set the server's log level: langgraph-api and Aegra read ``LOG_LEVEL``.
LEVEL_VARS = ("LOG_LEVEL", "UVICORN_LOG_LEVEL", "GUNICORN_LOG_LEVEL")
DEBUG_LEVELS = frozenset({"DEBUG", "TRACE"})
_LOG_FLAGS = ("--log-level", "--log_level")
_QUOTES = "\"'"


class DebugLoggingInProduction(Rule):
    """Production logs at DEBUG level.

    What it does
    ------------
    Reports ``LOG_LEVEL=DEBUG`` (also ``UVICORN_LOG_LEVEL``) in the environment of a production
    agent workload (Kubernetes env, a ConfigMap it loads, compose ``environment`` or
    ``env_file``, the image's Dockerfile ``ENV``) or in a production env file; a server
    started with ``--log-level debug``; and ``logging.basicConfig(level=logging.DEBUG)`` or
    ``logging.getLogger().setLevel(DEBUG)`` in served code (outside ``__main__`` blocks).

    Why is this bad?
    ----------------
    At DEBUG, langgraph-api, the LLM clients and HTTP libraries log request bodies, prompts,
    model output and headers: user data and sometimes credentials end up in the log store,
    log volume multiplies, and the lines that matter drown. The deployment guide's checklist
    asks for it explicitly: no DEBUG in production.

    Example
    -------
    ```yaml
    env:
      - name: LOG_LEVEL
        value: DEBUG
    ```

    Use instead
    -----------
    ```yaml
    env:
      - name: LOG_LEVEL
        value: INFO
    ```
    """

    code = "AC501"
    name = "debug-logging-in-production"
    severity = Severity.WARNING
    production_dependent = True
    message = "Production logs at DEBUG level."
    fix = "Set LOG_LEVEL=INFO (or WARNING) in production; keep DEBUG for local development."

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for finding in self._findings(project):
            key = (finding.path, finding.line)
            if key not in seen:
                seen.add(key)
                yield finding

    def _findings(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        for w in production_agent_workloads(dep):
            if workload_ignores(w, self):
                continue
            env = dep.env_of(w)
            for var in LEVEL_VARS:
                value = env.get(var)
                if value is not None and _is_debug(value):
                    yield self._env_finding(value, f"{w.kind} {w.name}")
            c = w.main
            flag = _debug_flag(c.argv) if c is not None else None
            if c is not None and flag is not None:
                where = c.command_where or c.where
                yield self.finding(
                    where.path,
                    where.line,
                    where.column,
                    message=f"{w.name} starts its server with `{flag}`: production logs at "
                    "DEBUG level.",
                    fix="Drop the flag or use `--log-level info`.",
                )
        for server in dep.servers:
            info = dep.dockerfiles.get(server.dockerfile or "")
            if info is None or not info.production:
                continue
            for var in LEVEL_VARS:
                value = info.env.get(var)
                if value is not None and _is_debug(value):
                    yield self._env_finding(value, f"the image built by {info.path}")
        for value in production_env_file_values(project):
            if value.name in LEVEL_VARS and _is_debug(value):
                yield self._env_finding(value, f"production env file {value.where.path}")
        for rel in sorted(dep.served_files):
            tree = python_naming(project, rel, DEBUG_LOGGING_WORDS)
            if tree is None:
                continue
            for site in debug_logging(tree):
                yield self.finding(
                    rel,
                    site.line,
                    site.column,
                    message=f"Served code sets the log level to DEBUG ({site.call}): every "
                    "library logs at DEBUG in production.",
                    fix='Use `level=os.environ.get("LOG_LEVEL", "INFO")` (or logging.INFO) '
                    "and leave DEBUG to local runs.",
                )

    def _env_finding(self, value: EnvValue, owner: str) -> Finding:
        where: Where = value.where
        return self.finding(
            where.path,
            where.line,
            where.column,
            message=f"{value.name}={value.value} in {owner}: production logs at DEBUG level.",
            fix=f"Set `{value.name}: INFO` (or WARNING) for production; keep DEBUG to local "
            "development.",
        )


def _is_debug(value: EnvValue) -> bool:
    text = (value.value or "").strip().strip(_QUOTES).upper()
    return not value.interpolated and text in DEBUG_LEVELS


def _debug_flag(argv: tuple[str, ...]) -> str | None:
    words = [w for arg in argv for w in arg.split()]
    for i, word in enumerate(words):
        flag, sep, level = word.partition("=")
        if flag not in _LOG_FLAGS:
            continue
        if not sep:
            level = words[i + 1] if i + 1 < len(words) else ""
        level = level.strip(_QUOTES)
        if level.upper() in DEBUG_LEVELS:
            return f"{flag} {level}"
    return None
