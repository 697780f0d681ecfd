"""Thresholds over load results: AC831's service-level objective, AC832's scale-out.

Pure functions of :class:`~agentcheck.load.results.LoadResult` and the settings, so each verdict
is decided from the figures alone and can be tested without running anything. Every broken
threshold is named with what was measured and what was allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentcheck.load.results import LoadResult
from agentcheck.load.runner import Progress
from agentcheck.load.settings import LoadTable

__all__ = [
    "SATURATED",
    "ScaleOut",
    "describe_progress",
    "describe_result",
    "scale_out",
    "slo_breaches",
    "thresholds",
]

#: One replica counts as saturated when its median streamed run took this many times as long
#: as the same run alone: below it, adding replicas cannot show what they add.
SATURATED = 1.5
#: N replicas that bring the median streamed run back within this factor of the idle run
#: served every user without queueing: they did all a scale-out can do at this load.
KEPT_UP = 1.25
#: The machine's cores counted as all busy (0-1): replicas on it competed for CPU, so what a
#: second one adds cannot show; in production each has cores of its own.
CPU_BOUND = 0.9


def thresholds(table: LoadTable) -> dict[str, float]:
    """AC831's thresholds by key, for reports (``min-runs-per-second`` only when set)."""
    found = {
        "max-failure-ratio": table.max_failure_ratio,
        "p95-first-token": table.p95_first_token,
        "p95-stream": table.p95_stream,
    }
    if table.min_runs_per_second is not None:
        found["min-runs-per-second"] = table.min_runs_per_second
    return found


def _top_failure(result: LoadResult) -> str:
    if not result.failure_kinds:
        return ""
    top = result.failure_kinds[0]
    error = " ".join(top.error.split())[:200]
    return f"; most often {top.name}: {error} ({top.occurrences} times)"


def slo_breaches(result: LoadResult, table: LoadTable) -> list[str]:
    """Each AC831 threshold ``result`` breaks: the key, what was measured, what is allowed."""
    found = []
    if result.failure_ratio > table.max_failure_ratio:
        found.append(
            f"max-failure-ratio: {result.failure_ratio:.2%} of requests failed ({result.failures}"
            f" of {result.requests}), at most {table.max_failure_ratio:.2%} allowed"
            + _top_failure(result)
        )
    if result.first_token is None:
        if result.runs:
            found.append(
                "p95-first-token: no streamed run carried model output (no messages event): "
                "is the graph's model called?"
            )
        else:
            found.append("p95-first-token: no streamed run completed")
    elif result.first_token.p95 > table.p95_first_token:
        waited = ""
        if result.first_event is not None:
            waited = (
                f"; {result.first_event.p95:.2f} s of it before the run started (p95 of the "
                "first event): runs waited for a worker"
                if result.first_event.p95 > result.first_token.p95 / 2
                else f"; the runs started after {result.first_event.p95:.2f} s (p95)"
            )
        found.append(
            f"p95-first-token: {result.first_token.p95:.2f} s measured, at most "
            f"{table.p95_first_token:g} s allowed (p50 {result.first_token.p50:.2f} s{waited})"
        )
    if result.stream is not None and result.stream.p95 > table.p95_stream:
        found.append(
            f"p95-stream: {result.stream.p95:.2f} s measured, at most {table.p95_stream:g} s "
            f"allowed (p50 {result.stream.p50:.2f} s)"
        )
    wanted = table.min_runs_per_second
    if wanted is not None and result.runs_per_second < wanted:
        found.append(
            f"min-runs-per-second: {result.runs_per_second:.2f} measured, at least {wanted:g} "
            "required"
        )
    return found


def describe_result(result: LoadResult) -> str:
    """One line of figures: users, runs/s, p95s, failures, the generator's CPU."""
    parts = [
        f"{result.users} users for {result.seconds:g} s",
        f"{result.runs} streamed runs ({result.runs_per_second:.2f}/s)",
    ]
    if result.first_token is not None:
        parts.append(f"p95 first token {result.first_token.p95:.2f} s")
    if result.stream is not None:
        parts.append(f"p95 stream {result.stream.p95:.2f} s")
    parts.append(f"{result.failure_ratio:.2%} failed")
    g = result.generator
    if g is not None:
        parts.append(f"load generator {g.cores:.2f} cores (busiest process {g.peak_core:.0%})")
    return ", ".join(parts)


def describe_progress(p: Progress) -> str:
    """The live progress line: time, users, runs/s, p95 so far, failures."""
    first = f"{p.p95_first_token:.2f} s" if p.p95_first_token is not None else "-"
    return (
        f"{min(p.elapsed, p.duration):3.0f}/{p.duration} s  {p.users} users  "
        f"{p.runs_per_second:5.2f} runs/s  p95 first token {first}  {p.failures} failed"
    )


@dataclass(frozen=True)
class ScaleOut:
    """AC832's verdict: ``passed``, ``failed`` or ``skipped``, and why."""

    status: str
    message: str
    efficiency: float | None = None


def scale_out(
    one: LoadResult, many: LoadResult, replicas: int, idle: float | None, table: LoadTable
) -> ScaleOut:
    """Compare the same load on one replica and on ``replicas``; ``idle`` is the median
    streamed run alone (seconds), None when it could not be measured."""
    where = f"reports: {one.html}, {many.html}"
    if many.failure_ratio > table.max_failure_ratio:
        return ScaleOut(
            "failed",
            f"with {replicas} replicas {many.failure_ratio:.2%} of requests failed "
            f"({many.failures} of {many.requests}; {one.failure_ratio:.2%} on one replica), "
            f"max-failure-ratio allows {table.max_failure_ratio:.2%}{_top_failure(many)}: "
            f"threads started on one replica must continue on the others ({where})",
        )
    if one.stream is None or many.stream is None or not one.runs:
        return ScaleOut("failed", f"no streamed run completed on one replica ({where})")
    efficiency = many.runs_per_second / (replicas * one.runs_per_second)
    figures = (
        f"{one.runs_per_second:.2f} runs/s on one replica (median stream "
        f"{one.stream.p50:.2f} s), {many.runs_per_second:.2f} on {replicas} (median "
        f"{many.stream.p50:.2f} s)"
    )
    if idle is not None and one.stream.p50 < SATURATED * idle:
        return ScaleOut(
            "skipped",
            f"one replica kept up with {one.users} users (median stream {one.stream.p50:.2f} s, "
            f"{idle:.2f} s alone), so more replicas cannot show what they add: raise users in "
            f"[tool.agentcheck.load] ({figures}; {where})",
            efficiency,
        )
    if efficiency >= table.scale_out_efficiency:
        return ScaleOut(
            "passed",
            f"efficiency {efficiency:.2f} (at least {table.scale_out_efficiency:g}): {figures}",
            efficiency,
        )
    if idle is not None and many.stream.p50 <= KEPT_UP * idle:
        return ScaleOut(
            "passed",
            f"{replicas} replicas served every user at the speed of a run alone (median "
            f"{many.stream.p50:.2f} s, {idle:.2f} s alone): {figures}; efficiency "
            f"{efficiency:.2f} is all this load can show",
            efficiency,
        )
    machine = many.generator
    if machine is not None and machine.machine_busy >= CPU_BOUND:
        return ScaleOut(
            "skipped",
            f"efficiency {efficiency:.2f} cannot be judged: this machine's {machine.machine_cores} "
            f"cores were {machine.machine_busy:.0%} busy during the {replicas}-replica run, so "
            f"the replicas competed for CPU rather than for work ({figures}); run the load "
            f"where each replica has cores of its own ({where})",
            efficiency,
        )
    return ScaleOut(
        "failed",
        f"scale-out-efficiency: {efficiency:.2f} measured, at least "
        f"{table.scale_out_efficiency:g} required: {figures}. The replicas do not share the "
        f"work (one queue, one lock, one worker?) ({where})",
        efficiency,
    )
