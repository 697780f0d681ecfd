"""agentcheck: find what will break a LangGraph deployment, before it does."""

from __future__ import annotations

from agentcheck.errors import AgentcheckError, ConfigError, LiveError, UsageError
from agentcheck.hookspecs import hookimpl
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

__version__ = "0.1.0"

__all__ = [
    "AgentcheckError",
    "ConfigError",
    "Finding",
    "LiveError",
    "Rule",
    "Severity",
    "UsageError",
    "__version__",
    "hookimpl",
]
