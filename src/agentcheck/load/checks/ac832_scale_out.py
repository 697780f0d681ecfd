"""AC832 scale-out: N replicas carry about N times the load of one."""

from __future__ import annotations

import signal
from collections.abc import Callable

from agentcheck.live.backends import Capability
from agentcheck.live.checks import CheckFailed, CheckSkipped, LiveCheck, LiveContext
from agentcheck.live.checks._faults import restart_behind

__all__ = ["ScaleOut"]

#: Seconds of one user alone, to know how long a run takes when nothing queues.
IDLE_SECONDS = 8


class ScaleOut(LiveCheck):
    """Two replicas do more than one: threads continue anywhere and throughput grows.

    What it checks
    --------------
    The same Locust load (``users``, ``duration``) runs on the N replicas, each user's thread
    continued on another replica (AC831's run when it ran in this session: through the proxy,
    which spreads the requests), then on one replica with the others stopped (they are
    restarted once its time is up, while its last streams finish). With N replicas no more
    requests may fail than ``max-failure-ratio`` allows, and the completed runs per second must
    reach ``scale-out-efficiency`` times N times one replica's. A run of one user alone first says
    how long a run takes when nothing queues: when one replica keeps up with the load, nothing
    can show what more replicas add and the check is skipped (raise ``users``); when the N
    replicas serve every user that fast, they did all they could. Runs with
    ``--agentcheck-load`` or ``enabled = true``, on a runtime that can stop and restart
    replicas, with 2 or more replicas.

    Why it matters
    --------------
    Replicas that keep threads in memory (``langgraph dev``, a checkpointer of their own) answer
    404 for a thread started elsewhere, and replicas that share one queue worker or lock add
    nothing: the second replica costs money and buys neither capacity nor failover.

    How to fix
    ----------
    Run Agent Server on a shared PostgreSQL and Redis (every replica then reads every thread
    and takes work from one queue), and give every replica the same job count.
    """

    code = "AC832"
    name = "scale-out"
    summary = "Throughput with N replicas reaches the configured efficiency of N times one replica."
    requires = frozenset({Capability.KILL, Capability.RESTART, Capability.SAME_PORT})

    def run(self, ctx: LiveContext, graph: str) -> str:
        # Imported here: every lint loads this module (an entry point), never a load run.
        from agentcheck.load.checks._common import (
            full_load,
            load_run,
            report_path,
            settings_for,
            wait_idle,
        )
        from agentcheck.load.report import write_reports
        from agentcheck.load.verdicts import scale_out

        settings = settings_for(ctx)
        deployment = ctx.deployment
        urls = list(deployment.urls)
        n = len(urls)
        if n < 2:
            raise CheckSkipped(
                "scale-out needs 2 or more replicas (--agentcheck-replicas 2, or replicas = 2 "
                "in [tool.agentcheck.live])"
            )
        idle = load_run(
            ctx, settings, name="ac832-idle", label="one user alone", host=urls[0],
            users=1, duration=IDLE_SECONDS,
        )  # fmt: skip
        many = full_load(ctx, settings.table) or load_run(
            ctx, settings, name=f"ac832-{n}-replicas", label=f"{n} replicas", host=urls[0],
            replicas=urls,
        )  # fmt: skip
        wait_idle(ctx, urls[0])
        # The stopped replicas come back as soon as the load's time is up, while the streams in
        # flight on the one replica finish (no request goes to them: they only share the CPU).
        back: list[Callable[[], float]] = []

        def bring_back() -> None:
            back.extend(restart_behind(ctx, i, "the one-replica load") for i in range(1, n))

        try:
            for index in range(1, n):
                deployment.kill(index, signal.SIGTERM)
            one = load_run(
                ctx, settings, name="ac832-1-replica", label="1 replica", host=urls[0],
                time_up=bring_back,
            )  # fmt: skip
        finally:
            if not back:
                bring_back()
            for join in back:
                join()
        alone = idle.stream.p50 if idle.stream is not None else None
        verdict = scale_out(one, many, n, alone, settings.table)
        for result in (one, many):
            write_reports(result, [(verdict.status, f"AC832 scale-out: {verdict.message}")])
        root = ctx.settings.root
        reports = f"reports: {report_path(one, root)}, {report_path(many, root)}"
        message = verdict.message.replace(f"reports: {one.html}, {many.html}", reports)
        if verdict.status == "failed":
            raise CheckFailed(message)
        if verdict.status == "skipped":
            raise CheckSkipped(message)
        return message if "reports:" in message else f"{message}; {reports}"
