"""Output formats for lint results.

Each format is a module with ``render(report, *, color=False) -> str``; :data:`FORMATS` maps
the names ``agentcheck lint --format`` accepts to them.
"""

from __future__ import annotations

from typing import Protocol

from agentcheck.lint.formatters import github, json, junit, sarif, text
from agentcheck.lint.formatters._report import Report, display_prefix

__all__ = ["FORMATS", "Formatter", "Report", "display_prefix"]


class Formatter(Protocol):
    """Renders a :class:`Report` as the text of one output format."""

    def __call__(self, report: Report, *, color: bool = False) -> str: ...


#: Output formats by name, in the order ``--help`` lists them.
FORMATS: dict[str, Formatter] = {
    "text": text.render,
    "json": json.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
}
