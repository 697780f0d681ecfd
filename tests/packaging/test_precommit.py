"""The pre-commit hook, run by pre-commit itself on the example project.

``pre-commit try-repo`` installs agentcheck's checkout the way a hosted hook repository is
installed (a virtualenv, ``pip install .``, its dependencies from the package registry); the
README's ``repo: local`` snippet installs the built wheel through ``additional_dependencies``.
Both must fail on the example's planted problems and print the same findings as lint.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

import agentcheck
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.project import Project
from tests.packaging.conftest import EXAMPLE, REPO, git_project, run
from tests.packaging.readme import README, fenced_blocks

#: pip could not reach the package registry at all: the environment cannot be built here.
_OFFLINE = re.compile(
    r"Temporary failure in name resolution|Failed to establish a new connection|"
    r"Network is unreachable|No route to host"
)


def _pre_commit(args: list[str], project: Path, home: Path) -> tuple[int, str]:
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("pre-commit is not installed (it is in agentcheck's test extra)")
    result = run(
        [sys.executable, "-m", "pre_commit", *args], project, {"PRE_COMMIT_HOME": str(home)}
    )
    output = result.stdout + result.stderr
    log = home / "pre-commit.log"
    if log.exists():
        output += log.read_text(errors="replace")
    if result.returncode not in (0, 1) and _OFFLINE.search(output):
        pytest.skip("pre-commit cannot install the hook's environment: no package registry")
    return result.returncode, output


def _finding_lines(project: Path) -> list[str]:
    """``path:line:col: CODE [name]`` of every finding lint reports on ``project``."""
    proj = Project(project)
    return [
        f"{f.path}:{f.line}:{f.column}: {f.code} [{f.name}]"
        for f in lint(proj, enabled_rules(proj)).findings
    ]


def _assert_hook_failed_on_the_findings(code: int, output: str, project: Path) -> None:
    assert code == 1, output
    assert re.search(r"^agentcheck\.+Failed$", output, re.MULTILINE), output
    expected = _finding_lines(project)
    assert len(expected) >= 5  # the example's planted problems
    missing = [line for line in expected if line not in output]
    assert not missing, f"the hook did not report {missing}:\n{output}"


@pytest.mark.slow
def test_try_repo_runs_the_published_hook_on_the_example(tmp_path: Path) -> None:
    project = git_project(EXAMPLE, tmp_path / "project")
    code, output = _pre_commit(
        ["try-repo", str(REPO), "agentcheck", "--all-files"], project, tmp_path / "home"
    )
    _assert_hook_failed_on_the_findings(code, output, project)


def _local_hook_config() -> str:
    (block,) = [b for b in fenced_blocks(README, "yaml") if "repo: local" in b]
    return block


def test_the_readme_local_hook_matches_the_published_one() -> None:
    (published,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    (repo,) = yaml.safe_load(_local_hook_config())["repos"]
    (local,) = repo["hooks"]
    assert local["additional_dependencies"] == [f"langgraph-agentcheck=={agentcheck.__version__}"]
    for key in ("id", "entry", "language", "pass_filenames", "always_run", "require_serial"):
        assert local[key] == published[key], key


def test_the_readme_hosted_hook_names_this_version_tag() -> None:
    (block,) = [b for b in fenced_blocks(README, "yaml") if "rev:" in b]
    (repo,) = yaml.safe_load(block)["repos"]
    assert repo["rev"] == f"v{agentcheck.__version__}"
    assert [hook["id"] for hook in repo["hooks"]] == ["agentcheck"]


@pytest.mark.slow
def test_the_readme_local_hook_runs_from_the_built_wheel(wheel: Path, tmp_path: Path) -> None:
    pin = f'"langgraph-agentcheck=={agentcheck.__version__}"'
    config = _local_hook_config()
    assert pin in config
    # Not on the registry yet: the README says to name a wheel instead, as done here.
    config = config.replace(pin, f'"langgraph-agentcheck @ {wheel.as_uri()}"')
    project = git_project(EXAMPLE, tmp_path / "project", {".pre-commit-config.yaml": config})
    code, output = _pre_commit(["run", "--all-files"], project, tmp_path / "home")
    _assert_hook_failed_on_the_findings(code, output, project)
