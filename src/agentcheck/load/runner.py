"""Running Locust headless in a subprocess, watching it, and reading what it measured.

gevent (which Locust patches the standard library with) never enters agentcheck's process or
pytest's: Locust runs as ``python -m locust`` in a process group of its own, on the shipped
locustfile, with ``--processes N`` for Locust's own distributed mode on this machine. While it
runs, agentcheck reads the history Locust writes every second (for the progress line) and
samples the CPU of every Locust process (the generator must not be taken for a slow server);
afterwards it reads Locust's CSV files (:mod:`agentcheck.load.results`) and writes its own
summary next to them (:mod:`agentcheck.load.report`).
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]  # no stubs installed

from agentcheck.errors import LiveError
from agentcheck.live.services.processes import Server, child_env
from agentcheck.load.results import (
    FIRST_TOKEN,
    FULL_STREAM,
    SSE,
    Generator,
    LoadResult,
    read_result,
)

__all__ = ["LOCUSTFILE", "LoadPlan", "Progress", "run_load"]

#: The locustfile agentcheck ships and runs.
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")
#: Seconds Locust may take beyond the run's duration (start-up, spawning, writing reports).
GRACE = 60.0
#: Seconds between two samples of the generator's CPU and two progress reports.
SAMPLE = 1.0


@dataclass(frozen=True)
class LoadPlan:
    """One load run: who, where, how long."""

    #: The entry point (Locust's ``--host``): the proxy, or a replica.
    host: str
    users: int
    spawn_rate: float
    #: Whole seconds.
    duration: int
    #: The assistant to run (None: the first the server lists).
    graph: str | None = None
    run_input: Mapping[str, Any] | None = None
    #: Replica URLs the users spread over and continue threads across (empty: the host only).
    replicas: tuple[str, ...] = ()
    #: Locust worker processes on this machine (``--processes``); 1 runs one process.
    processes: int = 1
    #: Run as the master of workers started elsewhere (``locust -f LOCUSTFILE --worker
    #: --master-host HOST``): wait for ``expect_workers`` of them, bound to ``master_bind``.
    expect_workers: int = 0
    master_bind: tuple[str, int] | None = None
    #: A name for the run, in reports and messages.
    label: str = "load"
    #: Seconds the users get to finish the step they are in when the time is up (Locust's
    #: ``--stop-timeout``); a stream still going then counts with the time it took so far.
    stop_timeout: float = 10.0


@dataclass(frozen=True)
class Progress:
    """The run so far, once a second."""

    elapsed: float
    duration: int
    users: int
    runs_per_second: float
    #: p95 of the last seconds' time to first token, or None before the first.
    p95_first_token: float | None
    failures: int


def locust_argv(plan: LoadPlan, directory: Path) -> list[str]:
    """The Locust command line of ``plan``, its files written into ``directory``."""
    argv = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--host", plan.host, "-u", str(plan.users), "-r", f"{plan.spawn_rate:g}",
        "-t", f"{plan.duration}s", "--stop-timeout", f"{plan.stop_timeout:g}",
        "--exit-code-on-error", "0",
        "--csv", str(directory / "locust"), "--csv-full-history",
        "--html", str(directory / "locust.html"), "--only-summary",
    ]  # fmt: skip
    if plan.expect_workers:
        bind_host, bind_port = plan.master_bind or ("*", 5557)
        argv += ["--master", "--expect-workers", str(plan.expect_workers)]
        argv += ["--master-bind-host", bind_host, "--master-bind-port", str(bind_port)]
    elif plan.processes > 1:
        # Locust's master and its forked workers on one loopback port of our choosing (its
        # default, 5557, would collide with any other run on this machine).
        from agentcheck.live.services.ports import free_port

        port = str(free_port())
        argv += ["--processes", str(plan.processes), "--master-bind-host", "127.0.0.1"]
        argv += ["--master-bind-port", port, "--master-port", port]
    if plan.graph:
        argv += ["--agent-graph", plan.graph]
    if plan.run_input is not None:
        argv += ["--agent-input", json.dumps(dict(plan.run_input))]
    if plan.replicas:
        argv += ["--agent-replicas", ",".join(plan.replicas)]
    return argv


class _CpuSampler:
    """CPU of a process group's members, sampled: total seconds and per-process shares."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.last: dict[int, tuple[float, float]] = {}
        self.total: dict[int, float] = {}
        self.waited: dict[int, float] = {}
        self.shares: dict[int, list[float]] = {}
        self.machine: list[float] = []
        psutil.cpu_percent()  # starts the machine-wide measure

    def sample(self, *, counting: bool) -> None:
        now = time.monotonic()
        busy = psutil.cpu_percent() / 100
        if counting:
            self.machine.append(busy)
        for proc in self.server.members():
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                used = times.user + times.system
                self.total[proc.pid] = used
                self.waited[proc.pid] = _run_queue_wait(proc.pid) or self.waited.get(proc.pid, 0)
                before = self.last.get(proc.pid)
                self.last[proc.pid] = (now, used)
                if counting and before is not None and now > before[0]:
                    share = (used - before[1]) / (now - before[0])
                    self.shares.setdefault(proc.pid, []).append(share)

    def generator(self, wall: float) -> Generator:
        peaks = [statistics.quantiles(s, n=10)[-1] for s in self.shares.values() if len(s) >= 2]
        waited, count = sum(self.waited.values()), len(self.total)
        return Generator(
            cpu_seconds=sum(self.total.values()),
            wall_seconds=wall,
            processes=count,
            peak_core=min(max(peaks, default=0.0), 1.0),
            cpu_wait=waited / (wall * max(1, count)) if waited else None,
            machine_cores=psutil.cpu_count() or 0,
            machine_busy=statistics.fmean(self.machine) if self.machine else 0.0,
        )


def _run_queue_wait(pid: int) -> float | None:
    """Seconds ``pid``'s main thread has waited for a CPU (Linux ``schedstat``), or None."""
    try:
        fields = Path(f"/proc/{pid}/schedstat").read_text().split()
        return int(fields[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


class _History:
    """Reads the lines Locust appends to its history CSV (a line only once it is whole)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.header: list[str] | None = None
        self.rows: list[dict[str, str]] = []

    def poll(self) -> None:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except OSError:
            return
        whole = data[: data.rfind(b"\n") + 1]
        self.offset += len(whole)
        for line in whole.decode("utf-8", "replace").splitlines():
            cells = line.split(",")
            if self.header is None:
                self.header = cells
            elif len(cells) == len(self.header):
                self.rows.append(dict(zip(self.header, cells, strict=True)))

    def progress(self, plan: LoadPlan, began: float | None) -> Progress | None:
        if not self.rows or began is None:
            return None
        stamp = self.rows[-1]["Timestamp"]
        latest = [r for r in self.rows if r["Timestamp"] == stamp]
        users = max(int(r.get("User Count") or 0) for r in latest)
        first = next((r for r in latest if r["Name"] == FIRST_TOKEN and r["Type"] == SSE), None)
        total = next((r for r in latest if r["Name"] == "Aggregated"), None)
        stream = [r for r in self.rows if r["Name"] == FULL_STREAM and r["Type"] == SSE]
        rate = 0.0
        if len(stream) >= 2:
            a, b = stream[max(0, len(stream) - 11)], stream[-1]
            span = float(b["Timestamp"]) - float(a["Timestamp"])
            done = int(b["Total Request Count"]) - int(a["Total Request Count"])
            rate = done / span if span > 0 else 0.0
        p95 = _float(first.get("95%")) if first is not None else None
        return Progress(
            elapsed=time.monotonic() - began,
            duration=plan.duration,
            users=users,
            runs_per_second=rate,
            p95_first_token=p95 / 1000 if p95 else None,
            failures=int(total.get("Total Failure Count") or 0) if total is not None else 0,
        )


def _float(text: str | None) -> float | None:
    try:
        return float(text or "")
    except ValueError:
        return None


def run_load(
    plan: LoadPlan,
    directory: Path,
    *,
    progress: Callable[[Progress], None] | None = None,
    replica_cpu: Callable[[], Sequence[float]] | None = None,
    time_up: Callable[[], None] | None = None,
) -> LoadResult:
    """Run ``plan`` with Locust, leaving its CSV and HTML files in ``directory``.

    ``replica_cpu``: the CPU seconds each replica has used so far (sampled before and after,
    for the replicas' share of the cores). ``time_up`` is called once the load's duration has
    passed (no user starts anything after it; the streams in flight are still finishing).
    Raises :class:`LiveError` when Locust ends without results (the host unreachable before
    anything ran, a broken install), with its log tail.
    """
    directory.mkdir(parents=True, exist_ok=True)
    server = Server(
        f"locust ({plan.label})",
        locust_argv(plan, directory),
        cwd=directory,
        env=child_env({"PYTHONUNBUFFERED": "1"}),
        log_path=directory / "locust.log",
    )
    history = _History(directory / "locust_stats_history.csv")
    sampler = _CpuSampler(server)
    replicas_before = list(replica_cpu()) if replica_cpu is not None else []
    began = time.monotonic()
    load_began: float | None = None
    deadline = began + plan.duration + plan.stop_timeout + GRACE
    server.start()
    try:
        while server.alive():
            if time.monotonic() > deadline:
                raise LiveError(
                    f"Locust did not end in time ({plan.duration + plan.stop_timeout + GRACE:g} "
                    f"s); last lines of its "
                    f"log ({server.log_path}):\n{server.tail()}"
                )
            history.poll()
            if load_began is None and any(int(r.get("User Count") or 0) for r in history.rows):
                load_began = time.monotonic()
            sampler.sample(counting=load_began is not None)
            # Counted from the first second Locust reported users, after its own clock started:
            # its time limit has passed by then.
            up = load_began is not None and time.monotonic() - load_began >= plan.duration
            if time_up is not None and up:
                time_up()
                time_up = None
            report = history.progress(plan, load_began)
            if progress is not None and report is not None:
                progress(report)
            server.wait_gone(SAMPLE)  # a second, or less when Locust ends meanwhile
    finally:
        server.stop()
    wall = time.monotonic() - began
    result = read_result(
        directory, label=plan.label, host=plan.host, replicas=plan.replicas, users=plan.users
    )
    if not result.requests and not result.runs:
        raise LiveError(
            f"Locust ended (status {server.returncode}) without a single request; last lines "
            f"of its log ({server.log_path}):\n{server.tail()}"
        )
    result.generator = sampler.generator(wall)
    if replica_cpu is not None:
        after = list(replica_cpu())
        span = result.seconds or wall
        result.replica_cores = [
            max(0.0, (b - a) / span) for a, b in zip(replicas_before, after, strict=False)
        ]
    result.warnings.extend(_warnings(result))
    from agentcheck.load.report import write_reports

    write_reports(result)  # the callers write them again with their verdict
    return result


def _warnings(result: LoadResult) -> list[str]:
    generator, found = result.generator, []
    if generator is not None and generator.saturated:
        found.append(
            f"the load generator saturated a core (its busiest process used "
            f"{generator.peak_core:.0%} of one core for a tenth of the run or more): latencies "
            f"include its own delays; run Locust in more processes (processes = N, "
            f"--processes N) or on another machine"
        )
    if generator is not None and generator.cpu_wait is not None and generator.cpu_wait > 0.5:
        found.append(
            f"the load generator waited for a CPU {generator.cpu_wait:.0%} of the time: the "
            f"machine is busy, and latencies include that wait"
        )
    return found
