"""Fuzz: seeded hostile projects (tests/hostile_projects.py) never crash a rule, never end in
an internal error, never read outside the root, never print a planted key, never hang.

Reads outside the root are caught where they happen: every ``open`` of the process is watched
for paths in the canary directory beside the project. The longer run is benchmarks/hostile.py.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcheck.cli import error_message as cli_error
from agentcheck.deployment._guard import READER_FAILED
from agentcheck.errors import AgentcheckError
from agentcheck.lint.formatters import FORMATS, Report
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.plugins import get_plugin_manager
from agentcheck.project import Project
from tests.hostile_projects import CANARY, KEYS, make_case, plant_outside, watch_opens

SEED = 15_000
CASES = 200
#: A case that takes longer than this is a hang (the slowest take about a second here).
HANG = 60


class Hang(Exception):
    pass


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outside").resolve()
    plant_outside(path)
    return path


@pytest.fixture
def watched_opens(outside: Path) -> Iterator[list[str]]:
    with watch_opens(outside) as seen:
        yield seen


def _alarm(signum: int, frame: object) -> None:
    raise Hang


@pytest.mark.parametrize("seed", range(SEED, SEED + CASES))
def test_hostile_project(
    seed: int, tmp_path: Path, outside: Path, watched_opens: list[str]
) -> None:
    root = tmp_path / "project"
    classes = make_case(seed, root, outside)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG)
    try:
        try:
            project = Project(root)
            rules = enabled_rules(project, _pm())
        except AgentcheckError as exc:  # a usage or configuration error: exit 2, said clearly
            outputs = [cli_error(exc)]
        else:
            result = lint(project, rules)
            report = Report.from_result(result, project)
            outputs = [render(report) for render in FORMATS.values()]
            crashed = [f.message for f in result.findings if f.code == "AC901"]
            assert crashed == [], classes
            guarded = [f.message for f in result.findings if READER_FAILED in f.message]
            assert guarded == [], classes
    except Hang:
        pytest.fail(f"case {seed} ({classes}) ran past {HANG} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert watched_opens == [], classes
    text = "\n".join(outputs)
    assert CANARY not in text, classes
    assert CANARY.lower() not in text, classes
    for key in KEYS:
        assert key not in text, classes


_PM: list[Any] = []


def _pm() -> Any:
    if not _PM:
        _PM.append(get_plugin_manager())
    return _PM[0]
