from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from agentcheck.lint.finding import Finding
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.project import Project
from tests.conftest import GRAPH

LintFiles = Callable[..., list[Finding]]

LANGGRAPH_JSON = '{"dependencies": ["."], "graphs": {"agent": "./agent.py:graph"}}\n'


@pytest.fixture
def lint_files(tmp_path: Path) -> LintFiles:
    """Write ``files`` (a langgraph project: langgraph.json and agent.py unless given) and
    lint them with the selected codes (default: AC5xx and the runner's own)."""

    def run(
        files: dict[str, str | bytes], select: tuple[str, ...] = ("AC5", "AC9", "AC100")
    ) -> list[Finding]:
        root = tmp_path / "project"
        tree = {"langgraph.json": LANGGRAPH_JSON, "agent.py": GRAPH, **files}
        for rel, content in tree.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        project = Project(root)
        return lint(project, enabled_rules(project, select=list(select))).findings

    return run


def codes(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return sorted((f.path, f.line, f.code) for f in findings)
