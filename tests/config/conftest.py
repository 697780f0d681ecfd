from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from agentcheck.lint.finding import Finding
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.project import Project

MakeProject = Callable[[Mapping[str, str | bytes]], Project]


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """Write ``{relative path: content}`` (dedented) below a fresh root; return its Project."""

    def make(files: Mapping[str, str | bytes]) -> Project:
        root = tmp_path / "repo"
        write_tree(root, files)
        return Project(root)

    return make


def run(project: Project, *select: str) -> list[Finding]:
    """The findings of the selected rules (``"AC1"`` selects the family)."""
    return lint(project, enabled_rules(project, select=list(select))).findings


def located(findings: list[Finding]) -> set[tuple[str, int, str]]:
    return {(f.path, f.line, f.code) for f in findings}
