"""``agentcheck load`` and plain Locust against real servers: a URL, a started deployment,
Locust's distributed mode on one machine and across "machines" (a worker started apart)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agentcheck.live.fake_llm import FakeLLM
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.services.ports import free_port
from agentcheck.load.runner import LOCUSTFILE
from tests.live.load.conftest import PROJECT

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[3]
TABLE = """[tool.agentcheck.load]
users = 3
duration = 5
p95-first-token = 30
p95-stream = 30
"""


def agentcheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentcheck", "load", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def results_of(stdout: str) -> dict[str, object]:
    found = re.search(r"results in (\S+) \(summary: summary.html\)", stdout)
    assert found, stdout
    figures: dict[str, object] = json.loads((Path(found[1]) / "summary.json").read_text())
    return figures


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(TABLE)
    return tmp_path


def test_load_against_a_url(dev: Deployment, project: Path) -> None:
    done = agentcheck(dev.urls[0], "--graph", "chat", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"3 users for 5 s against {dev.urls[0]}" in done.stdout
    assert "agentcheck load: thresholds held (max-failure-ratio 0.01" in done.stdout
    assert re.search(r"load generator [\d.]+ cores", done.stdout)
    assert re.search(r"agentcheck load: +\d+/5 s +3 users", done.stderr)  # the progress line
    figures = results_of(done.stdout)
    assert figures["runs"]
    assert not figures["failures"]
    assert str(figures["directory"]).startswith(str(project / ".agentcheck" / "results"))


def test_streams_that_end_while_the_load_stops_are_counted(
    dev: Deployment, project: Path, load_llm: FakeLLM
) -> None:
    # The model takes 4 s to its first token and the load lasts 2 s: every stream ends while
    # Locust stops (--stop-timeout lets it finish), after Locust's CSV writer last wrote unless
    # the locustfile gives it one more turn; Locust's own summary counted them all along.
    (project / "pyproject.toml").write_text(TABLE.replace("duration = 5", "duration = 2"))
    saved, load_llm.ttft = load_llm.ttft, 4.0
    try:
        done = agentcheck(dev.urls[0], "--graph", "chat", cwd=project)
    finally:
        load_llm.ttft = saved
    assert done.returncode == 0, done.stdout + done.stderr
    figures = results_of(done.stdout)
    by_name = figures["by_name"]
    assert isinstance(by_name, dict)
    threads, _ = by_name["create thread"]
    assert threads > 0
    assert figures["runs"] == threads  # each user's one stream, none lost
    assert by_name["stream run"] == [threads, 0]


def test_a_broken_threshold_exits_1_naming_it(dev: Deployment, project: Path) -> None:
    (project / "pyproject.toml").write_text(TABLE + "min-runs-per-second = 1000\n")
    done = agentcheck(dev.urls[0], cwd=project)  # the assistant found by the locustfile
    assert done.returncode == 1, done.stdout + done.stderr
    assert "threshold broken: min-runs-per-second:" in done.stdout
    assert "at least 1000 required" in done.stdout


def test_processes_spread_the_users_and_the_results_merge(dev: Deployment, project: Path) -> None:
    done = agentcheck(dev.urls[0], "--graph", "chat", "--processes", "2", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = results_of(done.stdout)
    generator = figures["generator"]
    assert isinstance(generator, dict)
    assert generator["processes"] >= 3  # Locust's master and its two workers
    assert figures["runs"]
    assert figures["first_token"]


def test_a_master_merges_what_a_worker_started_apart_measured(
    dev: Deployment, project: Path
) -> None:
    port = free_port()
    worker = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker",
         "--master-host", "127.0.0.1", "--master-port", str(port)],
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        done = agentcheck(
            dev.urls[0], "--graph", "chat", "--master", "--expect-workers", "1",
            "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port), cwd=project,
        )  # fmt: skip
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = results_of(done.stdout)
    assert figures["runs"]
    assert figures["first_token"]


def test_plain_locust_runs_the_readable_copy(dev: Deployment, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "locustfile.py"),
         "--headless", "-u", "2", "-r", "2", "-t", "5s", "--host", dev.urls[0],
         "--csv", str(tmp_path / "plain"), "--only-summary"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {r["Name"]: r for r in csv.DictReader((tmp_path / "plain_stats.csv").open())}
    assert int(rows["full stream"]["Request Count"]) > 0
    assert int(rows["time to first token"]["Request Count"]) > 0
    assert int(rows["list assistants"]["Request Count"]) > 0  # it found the graph itself
    assert rows["Aggregated"]["Failure Count"] == "0"


def test_load_starts_the_projects_deployment_without_a_url(tmp_path: Path) -> None:
    shutil.copytree(PROJECT, tmp_path / "project")
    (tmp_path / "project" / "pyproject.toml").write_text(TABLE)
    done = agentcheck("--root", "project", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "agentcheck live: replica 1/1 healthy" in done.stdout
    assert "3 users for 5 s" in done.stdout
    figures = results_of(done.stdout)
    assert figures["runs"]
    assert figures["label"] == "1 replica(s)"
