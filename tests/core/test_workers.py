"""Worker processes die with the lint that started them, whatever signal ends it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="prctl(PR_SET_PDEATHSIG)")

#: A parent that forks two workers through agentcheck's own pool; each worker writes its pid
#: and then works "forever" (a large scan the parent is killed in the middle of).
_PARENT = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from agentcheck import _workers

    out = Path(sys.argv[1])

    def work(chunk):
        # Written whole, then renamed: the test never reads a file half written.
        (out / f"{os.getpid()}.tmp").write_text(str(os.getpid()))
        os.replace(out / f"{os.getpid()}.tmp", out / f"{os.getpid()}.pid")
        time.sleep(600)
        return []

    print("started", flush=True)
    _workers.run_forked(work, [["a"], ["b"]], 2)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie no one has reaped yet is dead too
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait(predicate: object, what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=str)
def test_workers_die_with_the_parent_and_release_its_pipe(tmp_path: Path, sig: int) -> None:
    script = tmp_path / "parent.py"
    script.write_text(_PARENT)
    parent = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: cleanup below never touches pytest
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline() == b"started\n"
        _wait(lambda: len(list(tmp_path.glob("*.pid"))) == 2, "two workers")
        workers = [int(p.read_text()) for p in tmp_path.glob("*.pid")]
        assert all(_alive(pid) for pid in workers)
        os.kill(parent.pid, sig)  # the parent only: not its group
        parent.wait(timeout=60)
        _wait(lambda: not any(_alive(pid) for pid in workers), "the workers to die")
        # No worker holds the pipe: reading the parent's output reaches its end.
        assert parent.stdout.read() == b""
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)
        parent.wait(timeout=60)


#: Work started on forked workers while the parent goes on; then collected, failed, abandoned.
_STARTED = textwrap.dedent(
    """
    import json, os, sys, time
    from agentcheck import _workers

    def square(chunk):
        return [(x * x, os.getpid()) for x in chunk]

    def fail(chunk):
        if 3 in chunk:
            raise ValueError("a worker fails")
        return chunk

    def hang(chunk):
        time.sleep(600)
        return chunk

    started = _workers.start_forked(square, [[1, 2], [3], [4, 5, 6], [7]], 2)
    mine = sum(range(10**5))  # the parent works meanwhile
    done = started.result()
    failed = _workers.start_forked(fail, [[1], [2], [3]], 2).result()
    hanging = _workers.start_forked(hang, [[1], [2]], 2)
    pids = [pid for pid, _, _ in hanging._workers]
    hanging.close()

    def gone(pid):  # killed and reaped by its parent: not even a zombie is left
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    print(json.dumps({
        "values": [v for v, _ in done],
        "workers": len({pid for _, pid in done}),
        "parent_not_a_worker": os.getpid() not in {pid for _, pid in done},
        "failed": failed,
        "hanging": [gone(pid) for pid in pids],
        "again": started.result() == done,
    }))
    """
)


def test_started_work_comes_back_in_chunk_order_fails_whole_and_can_be_abandoned(
    tmp_path: Path,
) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _STARTED],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["values"] == [1, 4, 9, 16, 25, 36, 49]
    assert result["workers"] == 2
    assert result["parent_not_a_worker"]
    assert result["failed"] is None  # the caller then works in-process
    assert result["again"]
    # close() killed and reaped the hanging workers at once (each would sleep 600 s).
    assert result["hanging"] == [True, True]
