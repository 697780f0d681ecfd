"""agentcheck is distributed as langgraph-agentcheck, with extras matching what they bring.

The slow test installs the built wheel in a fresh venv, as a user would, and runs it.
"""

from __future__ import annotations

import re
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import agentcheck
from agentcheck._extras import DISTRIBUTION, LIVE_MODULES, missing, require
from agentcheck.cli import main
from agentcheck.errors import UsageError
from tests.packaging.conftest import EXAMPLE, REPO, Venv, run

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _names(requirements: list[str]) -> set[str]:
    return {Requirement(r).name for r in requirements}


def test_the_distribution_is_langgraph_agentcheck_and_keeps_the_agentcheck_names() -> None:
    assert PYPROJECT["name"] == DISTRIBUTION == "langgraph-agentcheck"
    assert PYPROJECT["scripts"] == {"agentcheck": "agentcheck.cli:main"}
    assert set(PYPROJECT["entry-points"]["pytest11"].values()) == {
        "agentcheck.pytest_plugin",
        "agentcheck.live.pytest_plugin",
    }
    assert PYPROJECT["requires-python"] == ">=3.11"


def test_the_version_has_one_source() -> None:
    assert PYPROJECT["dynamic"] == ["version"]
    assert "version" not in PYPROJECT
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["dynamic"]["version"] == {"attr": "agentcheck.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", agentcheck.__version__)


def test_extras_bring_what_they_are_for() -> None:
    extras = {name: _names(reqs) for name, reqs in PYPROJECT["optional-dependencies"].items()}
    base = _names(PYPROJECT["dependencies"])
    heavy = {"locust", "testcontainers", "gevent", "httpx-sse", "psutil", "pytest", "pydantic"}
    assert not base & heavy, "lint needs no extra"
    assert "locust" not in extras["live"]
    assert {"pytest", "httpx", "httpx-sse", "langgraph-sdk", "langgraph-cli", "psutil"} <= extras[
        "live"
    ]
    assert "pydantic" in extras["live"]  # validates [tool.agentcheck.live]
    assert extras["load"] == {"locust", "pydantic"}
    assert extras["docker"] == {"testcontainers"}
    (everything,) = PYPROJECT["optional-dependencies"]["all"]
    assert Requirement(everything).name == DISTRIBUTION
    assert Requirement(everything).extras == {"live", "load", "docker"}


def test_bootstrap_installs_every_extra_the_tests_and_demo_use() -> None:
    bootstrap = (REPO / "scripts" / "bootstrap").read_text()
    assert "-e '.[all,test,dev]'" in bootstrap


def test_a_missing_extra_is_named_with_the_line_that_installs_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "httpx_sse", None)  # as if not installed
    assert missing(LIVE_MODULES) == ["httpx_sse"]
    with pytest.raises(UsageError) as info:
        require(LIVE_MODULES, "the live checks", "live")
    assert str(info.value) == (
        "the live checks: httpx_sse is not installed; "
        "pip install 'langgraph-agentcheck[live]' brings it"
    )


def test_check_without_pytest_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pytest", None)
    assert main(["check", str(EXAMPLE)]) == 2
    assert capsys.readouterr().err == (
        "agentcheck: error: agentcheck check runs pytest: pytest is not installed; "
        "pip install 'langgraph-agentcheck[live]' brings it\n"
    )


def test_the_live_plugin_refuses_to_start_without_its_extra(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makefile(".json", langgraph='{"graphs": {"g": "./g.py:graph"}}')
    pytester.makepyfile(g="graph = None\n")
    monkeypatch.setitem(sys.modules, "psutil", None)
    result = pytester.runpytest_inprocess("--agentcheck", "--agentcheck-live", "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines[0] == (
        "ERROR: the live checks: psutil is not installed; "
        "pip install 'langgraph-agentcheck[live]' brings it"
    )


def test_only_a_runtime_that_runs_langgraph_dev_here_needs_it_installed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makefile(".json", langgraph='{"graphs": {"g": "./g.py:graph"}}')
    pytester.makepyfile(g="graph = None\n")
    monkeypatch.setitem(sys.modules, "langgraph_cli", None)  # as if not installed
    local = pytester.runpytest_inprocess("--agentcheck", "--agentcheck-live", "--collect-only")
    assert local.ret == pytest.ExitCode.USAGE_ERROR
    assert local.stderr.lines[0] == (
        "ERROR: the live checks: langgraph_cli is not installed; "
        "pip install 'langgraph-agentcheck[live]' brings it"
    )
    existing = pytester.runpytest_inprocess(
        "--agentcheck", "--agentcheck-live", "--agentcheck-url=http://127.0.0.1:9", "--collect-only"
    )
    assert existing.ret == pytest.ExitCode.OK, existing.stderr.str()
    assert "agentcheck live: url runtime" in existing.stdout.str()


def _metadata(wheel: Path) -> tuple[str, str, dict[str, set[str]]]:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(zf.read(name).decode())
    extras: dict[str, set[str]] = {}
    for raw in meta.get_all("Requires-Dist") or []:
        req = Requirement(raw)
        marker = str(req.marker or "")
        match = re.search(r'extra == "([^"]+)"', marker)
        extras.setdefault(match[1] if match else "", set()).add(req.name)
    return meta["Name"], meta["Version"], extras


@pytest.mark.slow
def test_the_wheel_installs_as_langgraph_agentcheck_and_lints_with_no_extra(
    wheel: Path, fresh_venv: Venv, tmp_path: Path
) -> None:
    name, version, extras = _metadata(wheel)
    assert (name, version) == ("langgraph-agentcheck", agentcheck.__version__)
    assert wheel.name.startswith(f"langgraph_agentcheck-{agentcheck.__version__}-")
    assert "locust" not in extras["live"]
    assert extras["load"] == {"locust", "pydantic"}
    assert extras["docker"] == {"testcontainers"}

    installed = fresh_venv.pip_install(str(wheel))
    assert installed.returncode == 0, installed.stderr
    for module in ("locust", "testcontainers", "httpx_sse", "psutil", "pytest"):
        assert not fresh_venv.has(module), f"a lint-only install brought {module}"
    agentcheck_cmd = str(fresh_venv.bin / "agentcheck")

    shown = run([str(fresh_venv.bin / "python"), "-m", "pip", "show", DISTRIBUTION], tmp_path)
    assert f"Name: {DISTRIBUTION}" in shown.stdout
    version_out = run([agentcheck_cmd, "--version"], tmp_path)
    assert version_out.stdout == f"agentcheck (langgraph-agentcheck) {agentcheck.__version__}\n"

    linted = run([agentcheck_cmd, "lint", "-q", str(EXAMPLE)], tmp_path)
    assert linted.returncode == 1, linted.stderr
    assert "AC406 [client-timeout-too-short]" in linted.stdout
    assert linted.stderr == ""

    empty = tmp_path / "no-project"
    empty.mkdir()
    nothing = run([agentcheck_cmd, "lint"], empty)
    assert nothing.returncode == 0, nothing.stderr
    assert "No langgraph.json (or aegra.json) found in .: deployment files only." in nothing.stdout

    live = run([agentcheck_cmd, "check", ".", "--live"], empty)
    assert live.returncode == 2
    assert live.stderr == (
        "agentcheck: error: agentcheck check runs pytest: pytest is not installed; "
        "pip install 'langgraph-agentcheck[live]' brings it\n"
    )
