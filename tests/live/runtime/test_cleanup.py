"""The cleanup registry and the sweep of dead runs, with plain ``sleep`` processes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from agentcheck.live.services.cleanup import RUN_ID_ENV, Registry, stop_group, sweep
from agentcheck.live.services.groups import create_time
from tests.live.runtime.conftest import running


@pytest.fixture
def sleepers() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start ``sleep`` processes in their own sessions; kill any the test left running, the
    shell's child included (killing the shell alone left ``sleep 300`` behind, orphaned)."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # its group lives while the shell does
        proc.wait()
        for pid in members(proc.pid):  # the child outlived a shell the test had stopped
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def run_id() -> str:
    """A run id no other run of these tests uses: the machine's other test runs (every engineer
    is root on one /proc) sweep for their own ids, and a fixed one would let them kill ours."""
    return f"test-{uuid.uuid4().hex}"


def sleeper(
    procs: list[subprocess.Popen[bytes]], env: dict[str, str] | None = None, script: str = ""
) -> int:
    # A shell that forks a child: the group has two members, as servers that fork do.
    proc = subprocess.Popen(
        ["sh", "-c", f"{script}sleep 300 & wait"],
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    procs.append(proc)
    # The shell forks its child a moment after it starts: the group is ready when both exist.
    deadline = time.monotonic() + 30
    while len(members(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        pass
    return proc.pid


def members(pgid: int) -> list[int]:
    found = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc.pid)
        except (OSError, psutil.Error):
            continue
    return found


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_registry_records_and_cleans_up(tmp_path: Path, sleepers: list) -> None:
    reg = Registry(tmp_path / "runs")
    pgid = sleeper(sleepers)
    reg.add_group(pgid, "sleeper")
    temp = reg.mkdtemp()
    marker = json.loads(reg.marker.read_text(encoding="utf-8"))
    assert marker["pid"] == os.getpid()
    assert [g[0] for g in marker["groups"]] == [pgid]
    assert marker["dirs"] == [str(temp)]
    assert len(members(pgid)) == 2

    reg.cleanup()

    assert members(pgid) == []
    assert not temp.exists()
    assert not reg.marker.exists()


def test_sweep_cleans_up_after_a_dead_run(tmp_path: Path, sleepers: list) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    leftover = tmp_path / "agentcheck-left"
    leftover.mkdir()
    dead = run_id()
    pgid = sleeper(sleepers)
    escapee = sleeper(sleepers, {RUN_ID_ENV: dead})  # left its group, kept its tag
    owner = dead_pid()
    created = psutil.Process(pgid).create_time()
    marker = runs / f"{owner}.json"
    marker.write_text(
        json.dumps(
            {
                "run_id": dead,
                "pid": owner,
                "started": 1.0,
                "groups": [[pgid, created, "replica 1/1"]],
                "dirs": [str(leftover)],
            }
        ),
        encoding="utf-8",
    )

    cleaned = sweep(runs)

    assert members(pgid) == []
    assert members(escapee) == []
    assert not leftover.exists()
    assert not marker.exists()
    assert f"replica 1/1 (pgid {pgid})" in cleaned


def test_sweep_leaves_live_runs_alone(tmp_path: Path, sleepers: list) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    kept = tmp_path / "kept"
    kept.mkdir()
    pgid = sleeper(sleepers)
    owner = psutil.Process(pgid)  # a live "owner": the sleeper itself
    data = {
        "run_id": run_id(),
        "pid": owner.pid,
        "started": owner.create_time(),
        "groups": [[pgid, owner.create_time(), "replica"]],
        "dirs": [str(kept)],
    }
    (runs / f"{owner.pid}.json").write_text(json.dumps(data), encoding="utf-8")

    assert sweep(runs) == []
    assert len(members(pgid)) == 2
    assert kept.exists()


def test_sweep_spares_a_group_id_that_was_reused(tmp_path: Path, sleepers: list) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    pgid = sleeper(sleepers)
    later = psutil.Process(pgid).create_time() + 3600  # the recorded leader was younger
    data = {"run_id": run_id(), "pid": dead_pid(), "started": 1.0, "groups": [[pgid, later, "x"]]}
    (runs / "1.json").write_text(json.dumps(data), encoding="utf-8")

    sweep(runs)

    assert len(members(pgid)) == 2


def test_sweep_skips_unreadable_markers(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "9.json").write_text("{not json", encoding="utf-8")
    assert sweep(runs) == []
    assert sweep(tmp_path / "missing") == []


def test_a_forked_child_does_not_clean_up_its_parents_servers(
    tmp_path: Path, sleepers: list
) -> None:
    reg = Registry(tmp_path / "runs")
    pgid = sleeper(sleepers)
    reg.add_group(pgid, "sleeper")
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        reg.cleanup()
        os._exit(0)
    os.waitpid(child, 0)
    assert len(members(pgid)) == 2
    assert reg.marker.exists()
    reg.cleanup()
    assert running([pgid]) == []


def test_a_member_forked_while_the_group_stops_is_stopped_too(sleepers: list) -> None:
    # On SIGTERM the shell forks one more child before it exits, as a supervisor that respawns
    # a worker does: that child was not in the group when SIGTERM went out.
    pgid = sleeper(sleepers, script='trap "sleep 300 & exit" TERM; ')
    assert len(members(pgid)) == 2
    started = create_time(pgid)
    assert started is not None

    stop_group(pgid, started, grace=2)

    assert members(pgid) == []
