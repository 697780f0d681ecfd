"""AC824 replica-loss: one replica killed under load; the others keep serving and its runs
recover."""

from __future__ import annotations

from agentcheck.live.backends.base import Capability
from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._crash import AFTER_KILL, CLIENTS, crash
from agentcheck.live.checks._recovery import replica_name, require_replicas

__all__ = ["ReplicaLoss"]


class ReplicaLoss(LiveCheck):
    """One replica SIGKILLed under load: the others keep serving and its runs recover.

    What it checks
    --------------
    Three clients start runs of agentcheck's probe graph (each about 1 s) on new threads,
    through the proxy when there is one, else spread over the replicas. At least 2 s into the
    load, the replica executing a long probe run (AC812's) is SIGKILLed; the clients go on for
    4 s more, then it is brought back. Requests that failed (no answer, or an HTTP error) must
    stay under 10% of those that went to the proxy or to the other replicas, and every accepted
    run, also those the killed replica was running, must end within ``recovery-timeout``
    seconds (runs ending ``error`` are reported as a warning). The message gives the time the
    last run took to end. This is the same SIGKILL AC812 judges (whichever of the two runs
    first makes it, the other reads it: the sweeper's wait is paid once). Skipped with one
    replica.

    Why it matters
    --------------
    Replicas die: a node is drained, a pod is OOM-killed. The point of several replicas is
    that users do not notice: the load balancer stops sending them to the dead one, and the
    runs it held are picked up instead of hanging forever.

    How to fix
    ----------
    Let the proxy retry on a refused connection (nginx's default ``proxy_next_upstream
    error timeout``), give replicas a readiness probe, and use a server whose queue reclaims a
    dead replica's runs (Agent Server on PostgreSQL + Redis).
    """

    code = "AC824"
    name = "replica-loss"
    summary = (
        "One replica killed under load: the others keep serving, errors stay under the "
        "threshold, its runs recover."
    )
    requires = frozenset({Capability.KILL, Capability.RESTART, Capability.SAME_PORT})

    #: The largest share of failed requests that passes.
    max_error_ratio = 0.1

    def run(self, ctx: LiveContext, graph: str) -> str:
        urls = require_replicas(ctx)
        done = crash(ctx, graph)
        load = done.load
        assert load is not None  # two replicas or more: the fault ran under load
        victim = done.victim
        where = replica_name(victim, urls)
        proxy = ctx.deployment.proxy_url
        counted = [s for s in load.sent if s.target != urls[victim]]
        failed = [s for s in counted if s.failed]
        ratio = len(failed) / len(counted) if counted else 1.0
        ended, lost = load.ended, load.lost
        last = max((t for t, _ in ended.values()), default=0.0)
        statuses = sorted({status for _, status in ended.values()})
        problems = []
        via = "through the proxy" if proxy else "to the other replicas"
        if ratio > self.max_error_ratio:
            shown = "; ".join(f"{s.at - load.began:.1f} s: {s.said}" for s in failed[:5])
            problems.append(
                f"{len(failed)} of {len(counted)} requests {via} failed ({ratio:.0%}, more than "
                f"{self.max_error_ratio:.0%}): {shown}"
            )
        if lost:
            shown = "; ".join(f"run {run}: {status}" for run, status in sorted(lost.items())[:5])
            problems.append(
                f"{len(lost)} of {len(lost) + len(ended)} accepted runs did not end within "
                f"{ctx.settings.recovery_timeout:g} s of the kill or are gone ({shown})"
            )
        said = (
            f"{where}, executing run {done.started.run}, SIGKILLed "
            f"{done.killed - load.began:.1f} s into "
            f"{load.ended_at - load.began:.1f} s of load by {CLIENTS} clients (the last "
            f"{AFTER_KILL:g} s without it)"
        )
        if problems:
            raise CheckFailed(f"{said}: " + "; ".join(problems))
        errors = sorted((run, status) for run, (_, status) in ended.items() if status != "success")
        if errors:
            shown = "; ".join(f"run {run}: {status}" for run, status in errors[:5])
            ctx.warn(
                f"{len(errors)} run(s) ended other than success ({shown}): their work was lost"
            )
        return (
            f"{said}: {len(failed)} of {len(counted)} requests {via} failed; all "
            f"{len(ended)} accepted runs ended ({', '.join(statuses)}), the last "
            f"{last:.1f} s after the kill; {where} back in {done.took:.1f} s"
        )
