"""Lint: the deployment checklist as rules over a project's files."""

from __future__ import annotations

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

__all__ = ["Finding", "Rule", "Severity"]
