"""A pytest that starts a deployment and is then interrupted, terminated or killed.

Ctrl-C unwinds through the deployment's ``stop``; SIGTERM runs the registry's handler; after
SIGKILL the run's watchdog stops the servers and removes the directories by the marker the dead
run recorded; the next run's sweep is the last resort.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentcheck.live.services.cleanup import sweep
from tests.live.runtime.conftest import running

pytestmark = pytest.mark.slow

CHILD_TEST = """\
import json, os, time
from pathlib import Path

from agentcheck.live.backends import LocalBackend
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.spec import DeploymentSpec


def report(rt):
    info = Path(os.environ["INFO"])
    partial = info.with_suffix(".partial")
    partial.write_text(json.dumps({"pids": rt.pids(), "dir": str(rt.directory)}))
    partial.rename(info)  # atomic: the parent never reads half a file


def test_holds_a_deployment():
    root = Path(os.environ["TINY_ROOT"])
    spec = DeploymentSpec(root=root, config=root / "langgraph.json")
    with Deployment(spec, LocalBackend()) as rt:
        report(rt)
        time.sleep(600)


def test_leaks_a_deployment_and_fails():
    root = Path(os.environ["TINY_ROOT"])
    rt = Deployment(DeploymentSpec(root=root, config=root / "langgraph.json"), LocalBackend())
    rt.start()  # never stopped: only the exit of the process cleans up
    report(rt)
    assert False, "a failing test under -x"
"""


def start_child(
    tmp_path: Path, tiny_project: Path, test: str = "test_holds_a_deployment"
) -> tuple[subprocess.Popen[bytes], dict]:
    (tmp_path / "test_child.py").write_text(CHILD_TEST, encoding="utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    info = tmp_path / "info.json"
    env = {**os.environ, "TMPDIR": str(temp), "TINY_ROOT": str(tiny_project), "INFO": str(info)}
    child = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-x", "-p", "no:cacheprovider", f"test_child.py::{test}"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while not info.exists():
        if (child.poll() is not None and not info.exists()) or time.monotonic() > deadline:
            child.kill()
            output = child.communicate()[0].decode(errors="replace")
            pytest.fail(f"the child pytest did not start its deployment:\n{output}")
        time.sleep(0.1)
    return child, json.loads(info.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name
)
def test_nothing_is_left_after_the_run_ends(
    tmp_path: Path, tiny_project: Path, sig: signal.Signals
) -> None:
    child, info = start_child(tmp_path, tiny_project)
    runs = tmp_path / "temp" / f"agentcheck-runs-{os.getuid()}"
    assert info["pids"]
    assert Path(info["dir"]).is_dir()
    assert list(runs.glob("*.json")) == [runs / f"{child.pid}.json"]

    child.send_signal(sig)
    child.communicate(timeout=120)

    if sig == signal.SIGKILL:
        # pytest cleaned nothing: its watchdog does, once it sees pytest is gone.
        deadline = time.monotonic() + 60
        while (running(info["pids"]) or list(runs.glob("*.json"))) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sweep(runs) == []  # nothing left for the next run
    assert running(info["pids"]) == []
    assert not Path(info["dir"]).exists()
    assert list(runs.glob("*.json")) == []


def test_nothing_is_left_when_a_test_fails_under_x(tmp_path: Path, tiny_project: Path) -> None:
    child, info = start_child(tmp_path, tiny_project, "test_leaks_a_deployment_and_fails")
    output = child.communicate(timeout=120)[0].decode(errors="replace")
    assert child.returncode == 1, output
    assert "a failing test under -x" in output
    assert running(info["pids"]) == []
    assert not Path(info["dir"]).exists()
    assert list((tmp_path / "temp" / f"agentcheck-runs-{os.getuid()}").glob("*.json")) == []
