"""AC831's and AC832's verdicts, decided from the figures alone."""

from __future__ import annotations

from pathlib import Path

from agentcheck.load.results import Distribution, Failure, Generator, LoadResult
from agentcheck.load.settings import LoadTable
from agentcheck.load.verdicts import describe_result, scale_out, slo_breaches

TABLE = LoadTable.model_validate(
    {"max-failure-ratio": 0.01, "p95-first-token": 5, "p95-stream": 10, "scale-out-efficiency": 0.6}
)


def dist(p50: float, p95: float) -> Distribution:
    points = tuple((p, p50 if p <= 0.5 else p95) for p in (0.5, 0.66, 0.9, 0.95, 0.99, 1.0))
    return Distribution(count=100, average=p50, minimum=p50 / 2, percentiles=points)


def result(
    name: str = "run",
    *,
    rate: float = 4.0,
    ttft: tuple[float, float] | None = (1.0, 2.0),
    stream: tuple[float, float] | None = (2.0, 3.0),
    failures: int = 0,
    requests: int = 400,
    busy: float = 0.5,
    kinds: list[Failure] | None = None,
    started: tuple[float, float] = (0.5, 6.0),
) -> LoadResult:
    return LoadResult(
        label=name,
        host="http://127.0.0.1:1",
        replicas=(),
        users=20,
        seconds=30.0,
        requests=requests,
        failures=failures,
        runs=int(rate * 30),
        runs_per_second=rate,
        first_token=dist(*ttft) if ttft else None,
        stream=dist(*stream) if stream else None,
        timeline=[],
        failure_kinds=kinds or [],
        by_name={},
        directory=Path("/results") / name,
        first_event=dist(*started),
        generator=Generator(
            cpu_seconds=3.0, wall_seconds=30.0, processes=1, peak_core=0.2,
            machine_cores=2, machine_busy=busy,
        ),
    )  # fmt: skip


def test_a_run_within_every_threshold_breaks_none() -> None:
    assert slo_breaches(result(), TABLE) == []


def test_each_breach_names_its_threshold_the_measure_and_the_limit() -> None:
    kinds = [Failure("POST", "continue thread", "HTTP 404: not found", 30)]
    breaches = slo_breaches(
        result(ttft=(4.0, 7.25), stream=(8.0, 12.5), failures=40, kinds=kinds), TABLE
    )
    assert breaches == [
        "max-failure-ratio: 10.00% of requests failed (40 of 400), at most 1.00% allowed; most "
        "often continue thread: HTTP 404: not found (30 times)",
        "p95-first-token: 7.25 s measured, at most 5 s allowed (p50 4.00 s; 6.00 s of it before "
        "the run started (p95 of the first event): runs waited for a worker)",
        "p95-stream: 12.50 s measured, at most 10 s allowed (p50 8.00 s)",
    ]


def test_throughput_is_checked_only_when_asked_for() -> None:
    slow = result(rate=0.5)
    assert slo_breaches(slow, TABLE) == []
    wanting = TABLE.model_copy(update={"min_runs_per_second": 2.0})
    assert slo_breaches(slow, wanting) == [
        "min-runs-per-second: 0.50 measured, at least 2 required"
    ]


def test_no_completed_run_or_no_token_is_a_breach() -> None:
    assert slo_breaches(result(ttft=None, stream=None, rate=0), TABLE) == [
        "p95-first-token: no streamed run completed"
    ]
    assert "no streamed run carried model output" in slo_breaches(result(ttft=None), TABLE)[0]


def test_describe_result_carries_the_generators_cpu() -> None:
    text = describe_result(result())
    assert "20 users for 30 s" in text
    assert "120 streamed runs (4.00/s)" in text
    assert "load generator 0.10 cores" in text


IDLE = 2.0  # seconds a streamed run takes alone


def test_scale_out_passes_when_two_replicas_double_throughput() -> None:
    one = result("one", rate=2.0, stream=(6.0, 8.0))
    many = result("many", rate=3.8, stream=(3.0, 4.0))
    verdict = scale_out(one, many, 2, IDLE, TABLE)
    assert verdict.status == "passed", verdict.message
    assert verdict.efficiency == 0.95
    assert verdict.message.startswith("efficiency 0.95 (at least 0.6)")


def test_scale_out_fails_when_the_second_replica_adds_nothing() -> None:
    one = result("one", rate=2.0, stream=(6.0, 8.0))
    many = result("many", rate=2.1, stream=(5.8, 8.0))
    verdict = scale_out(one, many, 2, IDLE, TABLE)
    assert verdict.status == "failed"
    assert "scale-out-efficiency: 0.53 measured, at least 0.6 required" in verdict.message
    assert "/results/one/summary.html" in verdict.message


def test_scale_out_fails_when_threads_do_not_continue_on_other_replicas() -> None:
    kinds = [Failure("POST", "continue thread", "HTTP 404: Thread not found", 55)]
    one = result("one", rate=2.0, stream=(6.0, 8.0))
    many = result("many", rate=3.9, failures=110, kinds=kinds)
    verdict = scale_out(one, many, 2, IDLE, TABLE)
    assert verdict.status == "failed"
    assert "with 2 replicas 27.50% of requests failed (110 of 400; 0.00% on one replica)" in (
        verdict.message
    )
    assert "continue thread: HTTP 404: Thread not found (55 times)" in verdict.message


def test_scale_out_is_skipped_when_one_replica_kept_up() -> None:
    one = result("one", rate=4.0, stream=(2.2, 3.0))  # as fast as alone: not saturated
    many = result("many", rate=4.0, stream=(2.1, 3.0))
    verdict = scale_out(one, many, 2, IDLE, TABLE)
    assert verdict.status == "skipped"
    assert "one replica kept up with 20 users" in verdict.message
    assert "raise users" in verdict.message


def test_scale_out_passes_when_the_replicas_serve_everyone_at_idle_speed() -> None:
    one = result("one", rate=3.0, stream=(3.2, 4.0))
    many = result("many", rate=3.3, stream=(2.2, 3.0))  # efficiency 0.55, but no queue left
    verdict = scale_out(one, many, 2, IDLE, TABLE)
    assert verdict.status == "passed", verdict.message
    assert "served every user at the speed of a run alone" in verdict.message


def test_scale_out_cannot_be_judged_when_the_machine_was_out_of_cpu() -> None:
    one = result("one", rate=2.0, stream=(6.0, 8.0))
    many = result("many", rate=2.1, stream=(5.8, 8.0), busy=0.97)
    verdict = scale_out(one, many, 2, IDLE, TABLE)
    assert verdict.status == "skipped"
    assert "2 cores were 97% busy" in verdict.message


def test_a_slow_first_token_says_whether_runs_waited_to_start() -> None:
    (breach,) = slo_breaches(result(ttft=(4.0, 7.25), started=(0.2, 0.5)), TABLE)
    assert breach.endswith("(p50 4.00 s; the runs started after 0.50 s (p95))")
