"""What a formatter renders: one lint run's findings, with the context an output format needs."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agentcheck._known_files import CONFIG_NAMES
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.lint.runner import LintResult
    from agentcheck.project import Project

__all__ = ["Report", "display_prefix"]


def _no_source(path: str) -> str | None:
    return None


@dataclass(frozen=True)
class Report:
    """One lint run, ready to print.

    ``findings`` are sorted and already filtered (suppressions, per-file-ignores, baseline).
    ``rules`` are the enabled rules: SARIF describes them and JUnit makes one test case of
    each. Paths in findings are relative to ``root``; formats meant for people (text, github)
    show them behind ``prefix`` so that they resolve from the current directory.
    """

    findings: Sequence[Finding]
    rules: Sequence[type[Rule]] = ()
    fail_on: Severity = Severity.WARNING
    suppressed: int = 0
    baselined: int = 0
    root: Path | None = None
    prefix: str = ""
    #: The text of a file under ``root`` (for source excerpts), or None.
    source: Callable[[str], str | None] = field(default=_no_source, compare=False)
    #: Whether a langgraph.json (or aegra.json) was found; None when not known. Without one
    #: only deployment files were checked, and the text format says so.
    has_langgraph_config: bool | None = None

    @classmethod
    def from_result(
        cls,
        result: LintResult,
        project: Project,
        *,
        fail_on: Severity | None = None,
        findings: Sequence[Finding] | None = None,
        baselined: int = 0,
        prefix: str = "",
    ) -> Report:
        """A report of ``result`` on ``project`` (``findings`` replaces the result's, e.g.
        after a baseline dropped some)."""
        files: set[str] = set()

        def source(path: str) -> str | None:
            if not files:
                files.update(project.files)
            return project.text(path, report=False) if path in files else None

        return cls(
            findings=tuple(result.findings if findings is None else findings),
            rules=tuple(result.rules),
            fail_on=fail_on or project.config.fail_on,
            suppressed=result.suppressed,
            baselined=baselined,
            root=project.root,
            prefix=prefix,
            source=source,
            has_langgraph_config=bool(project.by_name(*CONFIG_NAMES)),
        )

    def failed(self) -> bool:
        """Whether any finding is at or above ``fail_on``."""
        return any(f.severity >= self.fail_on for f in self.findings)

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in reversed(Severity)}
        for f in self.findings:
            counts[f.severity.value] += 1
        return {
            "total": len(self.findings),
            **counts,
            "suppressed": self.suppressed,
            "baselined": self.baselined,
        }

    def display_path(self, path: str) -> str:
        """``path`` as people should see it: behind ``prefix``."""
        return f"{self.prefix}{path}" if self.prefix else path

    def rules_with_findings(self) -> list[tuple[str, str, type[Rule] | None]]:
        """``(code, name, rule)`` for every enabled rule, then for every other code found
        (the runner reports AC901 even when it is not selected), sorted by code."""
        seen: dict[str, tuple[str, str, type[Rule] | None]] = {
            r.code: (r.code, r.name, r) for r in self.rules
        }
        for f in self.findings:
            seen.setdefault(f.code, (f.code, f.name, None))
        return [seen[code] for code in sorted(seen)]

    def by_code(self) -> Mapping[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.code, []).append(f)
        return out


def display_prefix(root: Path, cwd: Path | None = None) -> str:
    """The prefix that turns a root-relative path into one relative to ``cwd``.

    Empty when ``root`` is the current directory; ``"sub/dir/"`` below it; otherwise the
    absolute root (paths going up with ``..`` are harder to read than an absolute one).
    """
    here = (cwd or Path.cwd()).resolve()
    root = root.resolve()
    if root == here:
        return ""
    try:
        rel = root.relative_to(here)
    except ValueError:
        return str(root).rstrip(os.sep) + "/"
    return rel.as_posix().rstrip("/") + "/"
