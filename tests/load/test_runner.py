"""The Locust command line agentcheck builds, and the progress it reads while Locust runs."""

from __future__ import annotations

import time
from pathlib import Path

from agentcheck.load.runner import LOCUSTFILE, LoadPlan, _History, locust_argv


def test_the_command_line_runs_the_shipped_locustfile_headless(tmp_path: Path) -> None:
    plan = LoadPlan(
        host="http://127.0.0.1:8080",
        users=20,
        spawn_rate=5,
        duration=30,
        graph="triage",
        run_input={"messages": []},
        replicas=("http://127.0.0.1:1", "http://127.0.0.1:2"),
        stop_timeout=10,
    )
    argv = locust_argv(plan, tmp_path)
    assert argv[1:5] == ["-m", "locust", "-f", str(LOCUSTFILE)]
    joined = " ".join(argv)
    assert "--headless --host http://127.0.0.1:8080 -u 20 -r 5 -t 30s --stop-timeout 10" in joined
    assert f"--csv {tmp_path / 'locust'} --csv-full-history" in joined
    assert f"--html {tmp_path / 'locust.html'}" in joined
    assert "--agent-graph triage" in joined
    assert "--agent-replicas http://127.0.0.1:1,http://127.0.0.1:2" in joined
    assert argv[argv.index("--agent-input") + 1] == '{"messages": []}'
    assert "--processes" not in argv
    assert "--master" not in argv


def test_processes_bind_the_master_to_a_free_loopback_port(tmp_path: Path) -> None:
    argv = locust_argv(LoadPlan("http://h", 4, 4, 5, processes=3), tmp_path)
    assert argv[argv.index("--processes") + 1] == "3"
    assert argv[argv.index("--master-bind-host") + 1] == "127.0.0.1"
    port = argv[argv.index("--master-bind-port") + 1]
    assert port == argv[argv.index("--master-port") + 1] != "5557"


def test_a_master_waits_for_workers_from_elsewhere(tmp_path: Path) -> None:
    plan = LoadPlan("http://h", 4, 4, 5, expect_workers=2, master_bind=("0.0.0.0", 6000))
    joined = " ".join(locust_argv(plan, tmp_path))
    assert (
        "--master --expect-workers 2 --master-bind-host 0.0.0.0 --master-bind-port 6000" in joined
    )


PCT = "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
HEAD = f"Timestamp,User Count,Type,Name,Requests/s,Failures/s,{PCT},Total Request Count,Total Failure Count"


def row(stamp: int, users: int, kind: str, name: str, p95: str, total: int, failed: int) -> str:
    return f"{stamp},{users},{kind},{name},0,0,0,0,0,0,0,{p95},0,0,0,0,0,{total},{failed}"


def test_progress_is_read_from_whole_lines_of_the_history(tmp_path: Path) -> None:
    path = tmp_path / "locust_stats_history.csv"
    history = _History(path)
    history.poll()  # no file yet
    assert history.progress(LoadPlan("h", 5, 5, 30), time.monotonic()) is None
    lines = [
        HEAD,
        row(100, 5, "SSE", "full stream", "2400", 0, 0),
        row(100, 5, "SSE", "time to first token", "1200", 4, 0),
        row(100, 5, "", "Aggregated", "1300", 20, 1),
        row(110, 5, "SSE", "full stream", "2400", 30, 0),
        row(110, 5, "SSE", "time to first token", "1500", 30, 0),
        row(110, 5, "", "Aggregated", "1400", 90, 2),
    ]
    path.write_text(
        "\n".join(lines) + "\n" + row(111, 5, "", "Aggregated", "1", 99, 9)[:20]
    )  # half a line
    history.poll()
    progress = history.progress(LoadPlan("h", 5, 5, 30), time.monotonic() - 12)
    assert progress is not None
    assert progress.users == 5
    assert progress.runs_per_second == 3.0  # 30 streams in the 10 s between the two rows
    assert progress.p95_first_token == 1.5
    assert progress.failures == 2
    assert 12 <= progress.elapsed < 20
