"""What the README tells a new user is true: its first two commands, install lines, console
examples (run and compared with their real output), and its CI snippet."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from agentcheck._extras import DISTRIBUTION
from agentcheck.cli import build_parser, main
from tests.fixtureprojects import all_fixture_projects
from tests.packaging.conftest import EXAMPLE, REPO, run
from tests.packaging.readme import README, ConsoleExample, console_examples, fenced_blocks, mismatch

EXTRAS = set(
    tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
)
EXAMPLES = {example.command: example for example in console_examples()}
LINT_EXAMPLE = "agentcheck lint examples/support-desk"
NO_CONFIG = "agentcheck lint examples/support-desk/deploy"
NO_PYTEST = "agentcheck check . --live"
RELEASES = "agentcheck lint --select AC6 -q"
LIVE = (
    "agentcheck check examples/support-desk --live --proxy examples/support-desk/deploy/nginx.conf"
)


def test_the_readme_starts_with_the_demo_and_test_commands() -> None:
    title, blank, fence, demo, test, close, *_ = README.splitlines()
    assert (title, blank, fence, close) == ("# agentcheck", "", "```bash", "```")
    assert demo.split()[0] == "./scripts/demo"
    assert test.split()[0] == "./scripts/test"
    for script in ("demo", "test"):
        assert os.access(REPO / "scripts" / script, os.X_OK)


def test_every_console_example_is_checked_by_a_test() -> None:
    assert set(EXAMPLES) == {LINT_EXAMPLE, NO_CONFIG, NO_PYTEST, LIVE, RELEASES}


def test_install_lines_name_the_distribution_and_real_extras() -> None:
    lines = [
        line.split("#")[0].strip()
        for block in fenced_blocks(README, "bash")
        for line in block.splitlines()
        if line.startswith("pip install")
    ]
    assert len(lines) >= 3
    for line in lines:
        (requirement,) = shlex.split(line)[2:]
        req = Requirement(requirement)
        assert req.name == DISTRIBUTION, line
        assert req.extras <= EXTRAS, line
    assert "Python 3.11 or newer" in README


def _printed(capsys: pytest.CaptureFixture[str], argv: list[str], status: int) -> str:
    assert main(argv) == status
    out, err = capsys.readouterr()
    return out + err


def _assert_shown_as_printed(example: ConsoleExample, output: str) -> None:
    wrong = mismatch(example.printed, output)
    assert wrong is None, (
        f"README shows for `{example.command}`:\n{wrong}\nbut it prints:\n{output}"
    )


def test_the_lint_example_is_real(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    example = EXAMPLES[LINT_EXAMPLE]
    _assert_shown_as_printed(example, _printed(capsys, shlex.split(example.command)[1:], 1))


def test_the_no_langgraph_json_example_is_real(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    example = EXAMPLES[NO_CONFIG]
    output = _printed(capsys, shlex.split(example.command)[1:], 0)
    _assert_shown_as_printed(example, output)
    assert "rules ran (AC100-" in output


def test_the_missing_extra_example_is_real(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The wheel test checks this in a real lint-only install; here pytest is hidden.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "pytest", None)
    example = EXAMPLES[NO_PYTEST]
    _assert_shown_as_printed(example, _printed(capsys, shlex.split(example.command)[1:], 2))


def test_the_releases_example_is_real(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The fixture project whose release v1.0.0 named the waiting node 'review'.
    (fixture,) = [f for f in all_fixture_projects() if f.name == "ac602-bad-renamed-interrupt-node"]
    monkeypatch.chdir(fixture.materialize(tmp_path / "project"))
    example = EXAMPLES[RELEASES]
    _assert_shown_as_printed(example, _printed(capsys, shlex.split(example.command)[1:], 1))


@pytest.mark.slow
def test_the_live_example_is_real() -> None:
    example = EXAMPLES[LIVE]
    agentcheck = Path(sys.executable).parent / "agentcheck"
    result = run([str(agentcheck), *shlex.split(example.command)[1:]], REPO, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr  # lint findings; live passes
    _assert_shown_as_printed(example, result.stdout)


def _workflow() -> dict[str, dict[str, dict[str, object]]]:
    (block,) = [b for b in fenced_blocks(README, "yaml") if "runs-on:" in b]
    data: dict[str, dict[str, dict[str, object]]] = yaml.safe_load(block)
    return data


def _runs(job: dict[str, object]) -> list[str]:
    steps = job["steps"]
    assert isinstance(steps, list)
    return [str(step["run"]) for step in steps if "run" in step]


def test_the_ci_lint_job_uploads_the_sarif_it_writes(tmp_path: Path) -> None:
    job = _workflow()["jobs"]["lint"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    checkout = job["steps"][0]  # type: ignore[index]
    assert checkout == {
        "uses": "actions/checkout@v4",
        "with": {"fetch-depth": 0},
    }  # tags, for AC6xx
    (lint_line,) = [r for r in _runs(job) if r.startswith("agentcheck ")]
    args = build_parser().parse_args(shlex.split(lint_line)[1:])
    assert (args.command, args.format) == ("lint", "sarif")
    steps = job["steps"]
    assert isinstance(steps, list)
    (upload,) = [
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    ]
    assert upload["with"]["sarif_file"] == args.output_file
    assert "cancelled()" in upload["if"]  # upload even when lint failed the job
    installs = [r for r in _runs(job) if r.startswith("pip install")]
    assert installs == [f"pip install {DISTRIBUTION}"]

    # Run the job's lint line in a checkout: it writes the SARIF code scanning reads.
    checkout = shutil.copytree(EXAMPLE, tmp_path / "checkout")
    cwd = Path.cwd()
    os.chdir(checkout)
    try:
        status = main(shlex.split(lint_line)[1:])
    finally:
        os.chdir(cwd)
    assert status == 1
    sarif = json.loads((checkout / args.output_file).read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert results
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        for r in results
    )


def test_the_ci_live_job_runs_a_valid_pytest_command(tmp_path: Path) -> None:
    job = _workflow()["jobs"]["live"]
    assert job["needs"] == "lint"
    (install,) = [r for r in _runs(job) if r.startswith("pip install")]
    assert Requirement(shlex.split(install)[2]).extras == {"live"}
    (pytest_line,) = [r for r in _runs(job) if r.startswith("pytest ")]
    args = shlex.split(pytest_line)
    assert {"--agentcheck", "--agentcheck-only", "--agentcheck-live"} <= set(args)
    # Collect only (nothing is started): every option exists and the live settings are valid
    # on a project laid out as the snippet assumes.
    checkout = shutil.copytree(EXAMPLE, tmp_path / "checkout")
    result = run(
        [sys.executable, "-m", *args, "--collect-only", "-q", "-p", "no:cacheprovider"], checkout
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "agentcheck::live::AC801[triage]" in result.stdout
    assert "agentcheck::AC102[graph-target-missing]" in result.stdout


@pytest.mark.parametrize(
    ("printed", "output", "wrong"),
    [
        (("a", "b"), "a\nb\n", None),
        (("a", "b"), "a\nb\nc\n", "a\nb"),  # the output goes on: not shown as complete
        (("b",), "a\nb\n", "b"),  # the output starts earlier
        (("...", "b", "..."), "a\nb\nc\n", None),
        (("a", "...", "c"), "a\nb\nx\nc\n", None),
        (("a", "...", "c", "b"), "a\nb\nc\n", "c\nb"),  # order counts
        (("x PASSED   [ 85%]",), "x PASSED [ 91%]\n", None),  # progress column ignored
    ],
)
def test_console_examples_match_only_what_really_prints(
    printed: tuple[str, ...], output: str, wrong: str | None
) -> None:
    assert mismatch(printed, output) == wrong
