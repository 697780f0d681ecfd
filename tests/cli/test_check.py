"""``agentcheck check`` and the installed command, in subprocesses.

The test rules reach the subprocess the way a third party's do: an ``agentcheck`` entry point
of an installed distribution (a dist-info directory on ``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentcheck.cli import build_parser
from agentcheck.cli._check import pytest_args_for_check
from agentcheck.errors import UsageError
from tests.cli.testrules import copy_fixture

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("site")
    dist = site / "agentcheck_testrules-0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: agentcheck-testrules\nVersion: 0\n"
    )
    (dist / "entry_points.txt").write_text("[agentcheck]\ntestrules = tests.cli.testrules:PLUGIN\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NO_COLOR"))}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(REPO)])
    return env


@pytest.fixture
def user_project(tmp_path: Path) -> Path:
    """The test project, plus user tests and a conftest that ``check`` must not run."""
    root = copy_fixture(tmp_path / "project")
    (root / "conftest.py").write_text('raise SystemExit("user conftest imported")\n')
    (root / "test_user.py").write_text("def test_user():\n    assert False, 'user test ran'\n")
    return root


def agentcheck(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentcheck", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_rules_lists_a_third_party_plugins_rules(
    plugin_env: dict[str, str], tmp_path: Path
) -> None:
    proc = agentcheck(plugin_env, "rules", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    codes = [line.split()[0] for line in proc.stdout.splitlines()[1:]]
    assert {"AC100", "TST101", "TST102", "TST103", "AC299"} <= set(codes)
    assert codes == sorted(codes)


def test_check_runs_the_rules_as_pytest_items_and_nothing_of_the_users(
    plugin_env: dict[str, str], user_project: Path
) -> None:
    proc = agentcheck(
        plugin_env, "check", "project", "--select", "TST1,AC299", cwd=user_project.parent
    )
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    for line in (
        "*agentcheck::TST101[[]graph-file-missing[]] FAILED*",
        "*agentcheck::TST102[[]latest-image[]] FAILED*",
        "*agentcheck::TST103[[]readme-missing[]] PASSED*",
        "*agentcheck::AC299[[]test-env-password[]] FAILED*",
        "project/langgraph.json:5:15: TST101 [[]graph-file-missing[]] Graph 'triage'*",
        "*below fail-on (warning)*",
        "project/langgraph.json:1:1: TST103 [[]readme-missing[]] The project has no README.md.",
    ):
        pytest.LineMatcher(out.splitlines()).fnmatch_lines([line])
    assert "user" not in out  # neither the user's test nor their conftest
    assert "hunter2" not in out
    assert "Traceback" not in out + proc.stderr


def test_check_exit_0_when_only_below_fail_on_and_pytest_args_pass_through(
    plugin_env: dict[str, str], user_project: Path
) -> None:
    proc = agentcheck(plugin_env, "check", ".", "--", "-k", "TST103", cwd=user_project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_check_live_options_need_live(plugin_env: dict[str, str], user_project: Path) -> None:
    proc = agentcheck(plugin_env, "check", ".", "--replicas", "2", cwd=user_project)
    assert proc.returncode == 2
    assert proc.stderr == "agentcheck: error: --replicas: live options need --live\n"


def test_check_pytest_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "nginx.conf").write_text("events {}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    args = build_parser().parse_args(
        ["check", ".", "--live", "--runtime", "local", "--replicas", "2", "--proxy",
         "deploy/nginx.conf", "--select", "AC4,AC8", "--fail-on", "error", "--url",
        "http://127.0.0.1:8123", "--url", "http://127.0.0.1:8124", "--since", "v1.2.0",
         "--load"]
    )  # fmt: skip
    argv = pytest_args_for_check(args, ["-x"])
    assert argv[argv.index("--agentcheck-root") + 1] == str(tmp_path.resolve())
    assert {"--agentcheck", "--agentcheck-only", "--agentcheck-live", "--noconftest"} <= set(argv)
    assert argv[argv.index("-p") + 1] == "no:cacheprovider"
    for expected in (
        "--agentcheck-select=AC4",
        "--agentcheck-select=AC8",
        "--agentcheck-fail-on=error",
        "--agentcheck-runtime=local",
        "--agentcheck-replicas=2",
        f"--agentcheck-proxy={tmp_path.resolve() / 'deploy' / 'nginx.conf'}",
        "--agentcheck-url=http://127.0.0.1:8123",
        "--agentcheck-url=http://127.0.0.1:8124",
        "--agentcheck-since=v1.2.0",
        "--agentcheck-load",
    ):
        assert expected in argv
    assert argv[-1] == "-x"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--replicas", "0"], "--replicas must be at least 1"),
        (["--proxy", "nope.conf"], "no such file"),
    ],
)
def test_check_rejects_bad_live_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    args: argparse.Namespace = build_parser().parse_args(["check", ".", "--live", *extra])
    with pytest.raises(UsageError, match=message):
        pytest_args_for_check(args, [])
