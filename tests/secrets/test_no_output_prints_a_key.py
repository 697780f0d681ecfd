"""No output agentcheck writes ever holds a planted key in full.

Every AC2xx bad fixture project is linted in every format (text, JSON, SARIF, GitHub, JUnit),
written to a baseline, and run as ``pytest --agentcheck`` items (terminal output and pytest's
own JUnit XML); every planted value of :mod:`tests.secrets.fakekeys` is then searched for in
all of it. To show the search is not vacuous, each test also checks that the keys were found:
every line of a scanned file that holds a planted key has a finding.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentcheck.cli import main
from agentcheck.lint.rules.secrets._common import scanned_paths
from agentcheck.project import Project
from tests.fixtureprojects import FixtureProject, all_fixture_projects
from tests.secrets.fakekeys import KEYS

BAD = [f for f in all_fixture_projects() if f.code.startswith("AC2") and not f.good]
FORMATS = ("text", "json", "sarif", "github", "junit")


def leaked(text: str) -> list[str]:
    """Names of the planted keys that appear in ``text`` in full."""
    return [name for name, value in KEYS.items() if value in text]


def planted(root: Path) -> set[tuple[str, int]]:
    """``(path, line)`` of every planted key in a file the secrets scan reads."""
    places = set()
    for rel in scanned_paths(Project(root)):
        try:
            lines = (root / rel).read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        for lineno, line in enumerate(lines, start=1):
            if leaked(line):
                places.add((rel, lineno))
    return places


@pytest.fixture(params=BAD, ids=lambda f: f.name)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    fixture: FixtureProject = request.param
    return fixture.materialize(tmp_path / fixture.name)


def test_no_format_and_no_baseline_prints_a_key(project: Path, tmp_path: Path) -> None:
    outputs = {}
    for fmt in FORMATS:
        out = tmp_path / f"report.{fmt}"
        assert main(["lint", str(project), "--format", fmt, "-o", str(out), "--exit-zero"]) == 0
        outputs[fmt] = out.read_text(encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    assert main(["lint", str(project), "--write-baseline", str(baseline)]) == 0
    outputs["baseline"] = baseline.read_text(encoding="utf-8")

    for name, text in outputs.items():
        assert leaked(text) == [], f"{name} output prints a planted key"

    findings = json.loads(outputs["json"])["findings"]
    found = {(f["path"], f["line"]) for f in findings if f["code"].startswith("AC2")}
    assert found, "the project has AC2xx findings"
    assert planted(project) <= found, "every planted key in a scanned file is reported"


def test_pytest_items_and_their_junit_xml_print_no_key(
    project: Path, pytester: pytest.Pytester
) -> None:
    xml = pytester.path / "junit.xml"
    # In process: the items only lint (no server, no httpx), and a subprocess per fixture cost
    # more than half of the fast suite's time.
    result = pytester.runpytest_inprocess(
        "--agentcheck",
        "--agentcheck-only",
        f"--agentcheck-root={project}",
        "--agentcheck-select=AC2",
        "-rA",
        "-vv",
        f"--junitxml={xml}",
    )
    result.stdout.fnmatch_lines(["*agentcheck::AC2* FAILED*"])
    output = result.stdout.str() + result.stderr.str()
    assert leaked(output) == []
    assert leaked(xml.read_text(encoding="utf-8")) == []


def test_every_fake_key_is_planted_in_some_fixture() -> None:
    texts = [
        path.read_text(encoding="utf-8", errors="replace")
        for fixture in all_fixture_projects()
        if fixture.code.startswith("AC2")
        for path in fixture.path.rglob("*")
        if path.is_file()
    ]
    unused = [name for name, value in KEYS.items() if not any(value in t for t in texts)]
    assert unused == []
