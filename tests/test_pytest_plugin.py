"""``pytest --agentcheck``, end to end with ``pytester``, using the test rules of tests/cli.

The project (tests/fixtures/cli/project) has one finding per test rule: TST101 (error),
TST102 (warning), TST103 (info) and AC299 (error).
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agentcheck.lint import runner
from tests.cli.testrules import copy_fixture, use_test_rules

ITEMS = [
    "agentcheck::AC100[parse-error]",
    "agentcheck::AC299[test-env-password]",
    "agentcheck::AC900[unused-suppression]",
    "agentcheck::AC901[rule-crashed]",
    "agentcheck::TST101[graph-file-missing]",
    "agentcheck::TST102[latest-image]",
    "agentcheck::TST103[readme-missing]",
]


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    use_test_rules(monkeypatch)
    copy_fixture(pytester.path)
    pytester.makepyfile(test_user="def test_user():\n    pass\n")
    return pytester


def test_one_item_per_enabled_rule_with_the_code_in_the_node_id(project: pytest.Pytester) -> None:
    result = project.runpytest("--agentcheck", "--collect-only", "-q")
    assert result.ret == 0
    assert result.outlines[: len(ITEMS) + 1] == [*ITEMS, "test_user.py::test_user"]


def test_items_pass_and_fail_by_the_rules_findings(project: pytest.Pytester) -> None:
    result = project.runpytest("--agentcheck", "-v")
    result.assert_outcomes(passed=5, failed=3)
    result.stdout.fnmatch_lines(
        [
            "agentcheck::AC100[[]parse-error[]] PASSED*",
            "agentcheck::AC299[[]test-env-password[]] FAILED*",
            "agentcheck::TST101[[]graph-file-missing[]] FAILED*",
            "agentcheck::TST102[[]latest-image[]] FAILED*",
            "agentcheck::TST103[[]readme-missing[]] PASSED*",
            "test_user.py::test_user PASSED*",
        ]
    )


def test_a_failure_prints_the_findings_not_a_traceback(project: pytest.Pytester) -> None:
    result = project.runpytest("--agentcheck", "-k", "TST101")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ TST101 [[]graph-file-missing[]] _*",
            "langgraph.json:5:15: TST101 [[]graph-file-missing[]] Graph 'triage': triage.py "
            "does not exist.",
            "  |",
            '5 |     "triage": "./triage.py:graph"',
            "  |               ^",
            "  = fix: Point the graph at a file that exists.",
            "",
            "`agentcheck explain TST101` documents this rule.",
        ]
    )
    out = result.stdout.str()
    assert "Traceback" not in out
    assert "RuleFindings" not in out
    assert "def runtest" not in out


def test_secrets_findings_never_show_the_line(project: pytest.Pytester) -> None:
    result = project.runpytest("--agentcheck", "-k", "AC299")
    result.assert_outcomes(failed=1)
    assert "hunter2" not in result.stdout.str()


def test_below_fail_on_passes_and_is_listed(project: pytest.Pytester) -> None:
    result = project.runpytest("--agentcheck", "-k", "TST103")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*= agentcheck =*",
            "1 finding below fail-on (warning), not failing:",
            "langgraph.json:1:1: TST103 [[]readme-missing[]] The project has no README.md.",
        ]
    )
    result = project.runpytest("--agentcheck", "-k", "TST103", "--agentcheck-fail-on", "info")
    result.assert_outcomes(failed=1)


def test_keyword_marker_and_deselect_apply(project: pytest.Pytester) -> None:
    result = project.runpytest("--agentcheck", "-k", "AC10", "-v")
    result.assert_outcomes(passed=1, deselected=len(ITEMS))
    result.stdout.fnmatch_lines(["agentcheck::AC100[[]parse-error[]] PASSED*"])

    result = project.runpytest("--agentcheck", "-m", "not agentcheck")
    result.assert_outcomes(passed=1, deselected=len(ITEMS))

    result = project.runpytest(
        "--agentcheck", "-m", "agentcheck", "--deselect", "agentcheck::TST1", "--deselect",
        "agentcheck::AC299",
    )  # fmt: skip
    result.assert_outcomes(passed=3, deselected=5)


def test_last_failed_reruns_the_failed_rules(project: pytest.Pytester) -> None:
    project.runpytest("--agentcheck").assert_outcomes(passed=5, failed=3)
    result = project.runpytest("--agentcheck", "--lf", "-v")
    result.assert_outcomes(failed=3, deselected=5)
    result.stdout.fnmatch_lines(["*rerun previous 3 failures*"])


def test_junitxml(project: pytest.Pytester) -> None:
    xml = project.path / "report.xml"
    result = project.runpytest("--agentcheck", f"--junitxml={xml}")
    assert result.ret == 1
    cases = {
        (case.get("classname"), case.get("name")): case
        for case in ET.parse(xml).getroot().iter("testcase")
    }
    assert ("agentcheck", "TST101[graph-file-missing]") in cases
    failure = cases["agentcheck", "TST101[graph-file-missing]"].find("failure")
    assert failure is not None
    assert "langgraph.json:5:15: TST101" in (failure.text or "")
    assert cases["agentcheck", "AC100[parse-error]"].find("failure") is None
    assert ("test_user", "test_user") in cases


def test_agentcheck_root(project: pytest.Pytester) -> None:
    # The agent lives in agent/ with its own [tool.agentcheck]; the rootdir is the repository.
    agent = project.mkdir("agent")
    for name in ("langgraph.json", "agent.py", "compose.yaml", ".env", "pyproject.toml"):
        (project.path / name).rename(agent / name)
    (agent / "pyproject.toml").write_text('[tool.agentcheck]\nfail-on = "error"\n')
    project.makeini("[pytest]\n")
    result = project.runpytest("--agentcheck", "-k", "TST102")
    result.assert_outcomes(failed=1)  # the rootdir's configuration: fail on warnings
    result.stdout.fnmatch_lines(["agent/compose.yaml:3:12: TST102 *"])
    result = project.runpytest("--agentcheck", "--agentcheck-root", "agent", "-k", "TST10")
    result.assert_outcomes(passed=2, failed=1, deselected=5)  # agent/'s: fail on errors only
    result.stdout.fnmatch_lines(
        [
            "agentcheck: */agent, 7 rules",
            "agent/langgraph.json:5:15: TST101 [[]graph-file-missing[]] Graph 'triage': triage.py *",
        ]
    )


def test_missing_root_is_a_usage_error(project: pytest.Pytester) -> None:
    result = project.runpytest("--agentcheck", "--agentcheck-root", "nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --agentcheck-root nowhere: no such directory"])


def test_select_and_ignore_options(project: pytest.Pytester) -> None:
    result = project.runpytest(
        "--agentcheck", "--collect-only", "-q", "--agentcheck-select", "TST1,AC299",
        "--agentcheck-ignore", "TST103",
    )  # fmt: skip
    assert result.outlines[:5] == [
        "agentcheck::AC299[test-env-password]",
        "agentcheck::TST101[graph-file-missing]",
        "agentcheck::TST102[latest-image]",
        "agentcheck::AC901[rule-crashed]",  # crashes are always reported somewhere
        "test_user.py::test_user",
    ]


def test_config_errors_are_usage_errors(project: pytest.Pytester) -> None:
    project.makepyprojecttoml('[tool.agentcheck]\nselct = ["AC1"]\n')
    result = project.runpytest("--agentcheck")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *unknown key 'selct'; did you mean 'select'?"])
    assert "Traceback" not in result.stderr.str()


def test_unknown_selectors_are_usage_errors(project: pytest.Pytester) -> None:
    result = project.runpytest("--agentcheck", "--agentcheck-select", "TST9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --agentcheck-select: 'TST9' matches no rule*"])


def test_lint_runs_once_lazily(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = runner.lint

    def counting(*args: object, **kwargs: object) -> runner.LintResult:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "lint", counting)
    project.runpytest("--agentcheck", "--collect-only")
    assert calls == []
    project.runpytest("--agentcheck")
    assert calls == [1]


def test_without_agentcheck_nothing_is_added(project: pytest.Pytester) -> None:
    project.makeconftest(
        "def pytest_sessionfinish(session):\n"
        "    pm = session.config.pluginmanager\n"
        "    assert pm.get_plugin('agentcheck-lint') is None\n"
        "    assert pm.get_plugin('agentcheck-only') is None\n"
        "    print('\\nchecked plugins')\n"
    )
    result = project.runpytest("-v", "-s")
    result.assert_outcomes(passed=1)
    assert "agentcheck::" not in result.stdout.str()
    result.stdout.fnmatch_lines(["checked plugins"])


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, agentcheck.pytest_plugin\n"
        "heavy = ['agentcheck.lint.runner', 'agentcheck.project', 'agentcheck.plugins', "
        "'yaml', 'pathspec', 'detect_secrets', 'langgraph', 'httpx']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_agentcheck_only_collects_no_test_files(project: pytest.Pytester) -> None:
    project.makeconftest("raise SystemExit('conftest must not matter')\n")
    (project.path / "conftest.py").unlink()
    project.makepyfile(test_broken="raise ImportError('must not be collected')\n")
    result = project.runpytest("--agentcheck", "--agentcheck-only", "-v")
    result.assert_outcomes(passed=4, failed=3)
    out = result.stdout.str()
    assert "test_user" not in out
    assert "test_broken" not in out


def test_agentcheck_only_without_agentcheck_collects_nothing(project: pytest.Pytester) -> None:
    result = project.runpytest("--agentcheck-only")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_collector_path_is_fictional(project: pytest.Pytester) -> None:
    # The collector's path is <rootdir>/agentcheck, so its node id is "agentcheck"; nothing
    # is created there.
    result = project.runpytest("--agentcheck", "--collect-only", "-q", "-k", "AC100")
    assert result.outlines[0] == "agentcheck::AC100[parse-error]"
    assert not (Path(project.path) / "agentcheck").exists()
