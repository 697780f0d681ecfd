"""The JSON format: one object, as DESIGN.md specifies.

``{"version": str, "findings": [{"code", "name", "severity", "path", "line", "column",
"message", "fix"}], "summary": {"total", "error", "warning", "info", "suppressed",
"baselined"}}``, paths relative to the linted root, severities ``error|warning|info``.
"""

from __future__ import annotations

import json
from typing import Any

from agentcheck import __version__
from agentcheck.lint.finding import Finding
from agentcheck.lint.formatters._report import Report

__all__ = ["finding_to_dict", "render"]


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "message": finding.message,
        "fix": finding.fix,
    }


def render(report: Report, *, color: bool = False) -> str:
    """``report`` as one JSON object (``color`` is ignored)."""
    data = {
        "version": __version__,
        "findings": [finding_to_dict(f) for f in report.findings],
        "summary": report.summary(),
    }
    return json.dumps(data, indent=2) + "\n"
