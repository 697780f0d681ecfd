"""The deployment guide's own examples must fail the guide's own checklist.

``tests/fixtures/seed/`` is a project written exactly like the guide's compose file, k8s
Deployment, langgraph.json and graph. The issue's bar: it gets at least AC306 (``DATABASE_URL``
instead of ``DATABASE_URI``), AC503 (no probes, no healthcheck), AC506 (``my-agent:latest``)
and AC207 (``postgres``/``postgres`` published on all interfaces). Codes whose rules are
written in parallel are skipped, with the reason, until they are registered.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.plugins import all_rules
from agentcheck.project import Project

SEED = Path(__file__).parents[1] / "fixtures" / "seed"

Found = set[tuple[str, int, str]]


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> Found:
    root = tmp_path_factory.mktemp("seed") / "my-agent"
    shutil.copytree(SEED, root, ignore=shutil.ignore_patterns("README.md"))
    project = Project(root)
    result = lint(project, enabled_rules(project, select=["ALL"]))
    return {(f.path, f.line, f.code) for f in result.findings}


def _require(code: str) -> None:
    if code not in {rule.code for rule in all_rules()}:
        pytest.skip(f"{code} is not registered yet: its rule is being written in parallel")


@pytest.mark.parametrize(
    ("code", "path", "line"),
    [
        pytest.param("AC503", "docker-compose.yml", 4, id="AC503-compose-no-healthcheck"),
        pytest.param("AC503", "k8s/deployment.yaml", 17, id="AC503-k8s-no-probes"),
        pytest.param("AC506", "k8s/deployment.yaml", 18, id="AC506-my-agent-latest"),
    ],
)
def test_seed_operations_findings_point_at_the_line_to_change(
    findings: Found, code: str, path: str, line: int
) -> None:
    assert (path, line, code) in findings


@pytest.mark.parametrize(
    ("code", "path"),
    [
        pytest.param("AC306", "docker-compose.yml", id="AC306-compose-DATABASE_URL"),
        pytest.param("AC306", "k8s/deployment.yaml", id="AC306-k8s-DATABASE_URL"),
        pytest.param("AC207", "docker-compose.yml", id="AC207-postgres-postgres-published"),
    ],
)
def test_seed_gets_the_other_areas_findings(findings: Found, code: str, path: str) -> None:
    _require(code)
    assert any(c == code and p == path for p, _, c in findings), sorted(findings)


def test_seed_gets_at_least_the_issue_codes(findings: Found) -> None:
    registered = {rule.code for rule in all_rules()}
    wanted = {"AC306", "AC503", "AC506", "AC207"} & registered
    assert wanted <= {code for _, _, code in findings}
