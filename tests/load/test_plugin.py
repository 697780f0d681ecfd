"""--agentcheck-load in the live pytest plugin: its option, its items, its settings' errors."""

from __future__ import annotations

import shutil

import pytest

from tests.live.checks.conftest import PROJECT

LIVE = ["--agentcheck", "--agentcheck-live", "-p", "no:cacheprovider"]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    shutil.copytree(PROJECT, pytester.path, dirs_exist_ok=True)
    return pytester


def test_the_option_is_in_the_agentcheck_group(project: pytest.Pytester) -> None:
    result = project.runpytest("--help")
    result.stdout.fnmatch_lines(["*--agentcheck-load*also run the load checks (AC831*"])


def test_the_load_checks_are_items_like_the_others(project: pytest.Pytester) -> None:
    result = project.runpytest(*LIVE, "--agentcheck-load", "--collect-only", "-q", "-k", "AC83")
    lines = [line for line in result.stdout.lines if line.startswith("agentcheck::")]
    assert lines == [
        "agentcheck::live::AC831[agentcheck_probe]",
        "agentcheck::live::AC832[agentcheck_probe]",
    ]
    assert "starting" not in result.stdout.str()


def test_a_misspelt_load_setting_is_a_usage_error_before_anything_starts(
    project: pytest.Pytester,
) -> None:
    project.path.joinpath("pyproject.toml").write_text(
        "[tool.agentcheck.load]\nenabled = true\np95-first-tokn = 2\n", encoding="utf-8"
    )
    result = project.runpytest(*LIVE, "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*[[]tool.agentcheck.load[]]: unknown key 'p95-first-tokn'; did you mean 'p95-first-token'?*"
        ]
    )
