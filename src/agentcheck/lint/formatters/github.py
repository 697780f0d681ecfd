"""The GitHub Actions format: one workflow command per finding, shown as an annotation.

``::error file=langgraph.json,line=3,col=14,title=AC102::Graph 'agent' ...``. Severities map
to ``error``, ``warning`` and ``notice``; the fix follows the message on its own line. Values
are escaped as the Actions runner expects (``%``, CR and LF everywhere, and ``:`` and ``,`` in
properties).
"""

from __future__ import annotations

from agentcheck.lint.finding import Severity
from agentcheck.lint.formatters._report import Report

__all__ = ["escape_data", "escape_property", "render"]

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, *, color: bool = False) -> str:
    """One ``::level file=...,line=...,col=...,title=CODE::message`` line per finding."""
    lines = []
    for f in report.findings:
        props = ",".join(
            f"{key}={escape_property(value)}"
            for key, value in (
                ("file", report.display_path(f.path)),
                ("line", str(f.line)),
                ("col", str(f.column)),
                ("title", f.code),
            )
        )
        message = f"[{f.name}] {f.message}"
        if f.fix:
            message += f"\nfix: {f.fix}"
        lines.append(f"::{_LEVEL[f.severity]} {props}::{escape_data(message)}")
    return "".join(line + "\n" for line in lines)
