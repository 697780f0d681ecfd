"""Every rule against its bad and good fixture projects (see tests/fixtureprojects.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.plugins import all_rules
from agentcheck.project import Project
from tests.fixtureprojects import FixtureProject, all_fixture_projects

FIXTURES = all_fixture_projects()


def _lint(
    fixture: FixtureProject, tmp_path: Path, codes: set[str] | None
) -> set[tuple[str, int, str]]:
    root = fixture.materialize(tmp_path / fixture.name)
    project = Project(root)
    rules = enabled_rules(project, select=sorted(codes) if codes is not None else ["ALL"])
    result = lint(project, rules)
    return {(f.path, f.line, f.code) for f in result.findings}


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if not f.good], ids=lambda f: f.name)
def test_bad_project_reports_exactly_the_marked_findings(
    fixture: FixtureProject, tmp_path: Path
) -> None:
    expected = fixture.expected()
    assert any(code == fixture.code for _, _, code in expected), (
        f"{fixture.name} marks no {fixture.code} finding"
    )
    codes = {fixture.code} | {code for _, _, code in expected}
    actual = _lint(fixture, tmp_path, codes)
    assert sorted(actual) == sorted(expected)


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if f.good], ids=lambda f: f.name)
def test_good_project_is_clean_with_every_rule_on(fixture: FixtureProject, tmp_path: Path) -> None:
    assert not fixture.expected(), f"{fixture.name} is a good project but marks findings"
    assert _lint(fixture, tmp_path, None) == set()


def test_every_rule_has_a_bad_and_a_good_fixture() -> None:
    runner_only = {"AC900", "AC901"}
    have = {(f.code, f.good) for f in FIXTURES}
    missing = [
        f"{rule.code}-{kind}"
        for rule in all_rules()
        if rule.code not in runner_only
        for kind, good in (("bad", False), ("good", True))
        if (rule.code, good) not in have
    ]
    assert not missing, f"rules without fixture projects: {missing}"
