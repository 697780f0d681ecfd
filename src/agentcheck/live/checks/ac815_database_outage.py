"""AC815 database-outage: PostgreSQL restarts; new runs succeed again within the timeout."""

from __future__ import annotations

import time
import uuid
from typing import ClassVar

from agentcheck.live.backends.base import Capability
from agentcheck.live.checks._base import CheckFailed, CheckSkipped, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._faults import restart
from agentcheck.live.checks._recovery import (
    probe_steps,
    replica_name,
    start_announced,
    wait_for,
    wait_run,
)
from agentcheck.live.checks._runs import require_probe

__all__ = ["DatabaseOutage"]


class DatabaseOutage(LiveCheck):
    """PostgreSQL restarts: every replica recovers by itself and new runs succeed in time.

    What it checks
    --------------
    With a run of agentcheck's probe graph in the middle of a step, the check stops the
    throwaway PostgreSQL (a fast shutdown: connections are cut), keeps it down 2 s, and starts
    it again on the same data, as a database failover or a managed database's maintenance
    does. Then each replica must run a new probe run to success within 30 s of the database
    being back, without being restarted, and no replica may have exited.

    What it demands, and what it only reports: the server must recover by itself. The run that
    was in flight cannot commit while the database is away; whether the server retries it or
    ends it ``error`` is reported (a warning when it was lost), not failed. A run still
    ``running`` 30 s after the database is back fails the check: its thread stays ``busy``.
    Skipped where agentcheck started no PostgreSQL (``langgraph dev`` keeps state in memory;
    an existing deployment's database is not agentcheck's to restart).

    Why it matters
    --------------
    Databases restart: failovers, upgrades, a managed service's maintenance window. A server
    whose connection pool does not reconnect keeps answering 500 (while its health check stays
    green, so nothing restarts it) until someone restarts it by hand.

    How to fix
    ----------
    Use a server whose pool checks connections before use and reconnects (Agent Server does);
    make the readiness probe check the database (``/ok?check_db=1`` on Agent Server).
    """

    code = "AC815"
    name = "database-outage"
    summary = "The database restarts: the server recovers and new runs succeed within the timeout."
    requires = frozenset({Capability.RESTART})

    #: Seconds the database stays down.
    outage: ClassVar[float] = 2.0
    #: Seconds after the database is back within which each replica must run a new run.
    within: ClassVar[float] = 30.0

    def run(self, ctx: LiveContext, graph: str) -> str:
        require_probe(ctx)
        database = ctx.deployment.services.get("postgres")
        if database is None:
            raise CheckSkipped(
                "agentcheck started no PostgreSQL for this deployment, so there is no database "
                "to restart (langgraph dev keeps its state in memory)"
            )
        urls = ctx.deployment.urls
        inflight = start_announced(ctx, 0, graph, {"emit": 1, "silent": 4.0, "announce": True})
        ctx.deployment.report(f"{self.code}: stopping PostgreSQL for {self.outage:g} s")
        stopped = time.monotonic()
        database.stop()
        time.sleep(max(0.0, self.outage - (time.monotonic() - stopped)))
        database.start()
        back = time.monotonic()
        ctx.deployment.report(f"{self.code}: PostgreSQL back after {back - stopped:.1f} s")

        recovered: dict[int, float] = {}
        last: dict[int, str] = {}
        while len(recovered) < len(urls) and time.monotonic() < back + self.within:
            for index, url in enumerate(urls):
                if index in recovered or not ctx.deployment.alive(index):
                    continue
                http, body = wait_for(ctx, url, str(uuid.uuid4()), graph, input={"emit": 1})
                if http == 200 and isinstance(body, dict) and body.get("step") == probe_steps(1):
                    recovered[index] = time.monotonic() - back
                else:
                    last[index] = f"HTTP {http}: {str(body)[:160]}" if http else str(body)
            if len(recovered) < len(urls):
                time.sleep(0.5)
        dead = [i for i in range(len(urls)) if not ctx.deployment.alive(i)]
        for index in dead:  # restore what the outage broke
            restart(ctx, index, "the database outage")
        waited = wait_run(ctx, urls, inflight.thread, inflight.run, since=back, timeout=self.within)
        problems = [f"{replica_name(i, urls)} exited when PostgreSQL restarted" for i in dead]
        problems += [
            f"{replica_name(i, urls)} ran no new run within {self.within:g} s of PostgreSQL "
            f"being back (last answer: {last.get(i, 'none')})"
            for i in range(len(urls))
            if i not in recovered and i not in dead
        ]
        if not waited.ended:
            problems.append(
                f"the run in flight during the outage is still {waited.status} "
                f"{waited.seconds:.0f} s after PostgreSQL came back ({waited.story()}): its "
                "thread stays busy"
            )
        if problems:
            raise CheckFailed(
                f"PostgreSQL stopped for {back - stopped:.1f} s mid-run: " + "; ".join(problems)
            )
        if waited.status != "success":
            ctx.warn(
                f"the run in flight while PostgreSQL was down ended {waited.status!r}: its work "
                "was lost, not retried"
            )
        times = ", ".join(f"replica {i + 1} after {recovered[i]:.1f} s" for i in sorted(recovered))
        return (
            f"PostgreSQL stopped for {back - stopped:.1f} s mid-run: new runs succeeded on "
            f"{times}; the run in flight ended {waited.status} ({waited.story()})"
        )
