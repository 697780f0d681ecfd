"""AC812 crash-recovery: SIGKILL mid-run; the run ends or resumes within the recovery timeout."""

from __future__ import annotations

import signal

from agentcheck.live.checks._base import LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._crash import crash
from agentcheck.live.checks._midstep import MidStepFault

__all__ = ["CrashRecovery"]


class CrashRecovery(MidStepFault, LiveCheck):
    """SIGKILL in the middle of a run: it ends or resumes in time, never stuck ``running``.

    What it checks
    --------------
    agentcheck's probe graph commits two steps, then announces a 4 s step and which replica
    runs it. In that step the check SIGKILLs that replica (an out-of-memory kill, a node lost),
    brings it back as an orchestrator would, and polls the run on the other replicas (with one
    replica, on the restarted one) for up to ``recovery-timeout`` seconds (default 600). With
    several replicas this is the same SIGKILL as AC824's, under its load (the replica comes back
    when the load ends, 4 s after the kill): the two checks share the sweeper's wait. The run
    must reach a terminal state (``success`` when it was resumed from its checkpoint;
    ``error`` passes with a warning), the thread must not stay ``busy``, and the steps
    committed before the kill must still be in its state. The message gives the measured
    time to recover. When the killed replica does not come back, the check says it cannot
    decide.

    Agent Server reclaims a dead worker's runs when its heartbeat has expired: its sweeper runs
    every 2x ``BG_JOB_HEARTBEAT`` (120 s by default), so recovery takes about 4 minutes with the
    defaults (``LG_BG_JOB_HEARTBEAT`` in the server's environment changes it). Lower
    ``recovery-timeout`` only together with the heartbeat.

    Why it matters
    --------------
    A crashed server that comes back with "ghost" runs (``running`` forever, the thread
    ``busy``, every new run on it refused or queued behind) is a reported production failure of
    LangGraph apps: the user's conversation is stuck for good.

    How to fix
    ----------
    Use a server whose queue reclaims runs of dead workers (Agent Server on PostgreSQL + Redis
    does, after its heartbeat expires), keep state in PostgreSQL rather than in memory, and set
    the heartbeat to what your users can wait.
    """

    code = "AC812"
    name = "crash-recovery"
    summary = (
        "SIGKILL mid-run: committed checkpoints intact; the run ends in a terminal state or "
        "resumes within the recovery timeout; never stuck running/busy."
    )
    sig = signal.SIGKILL

    def timeout(self, ctx: LiveContext) -> float:
        return ctx.settings.recovery_timeout

    def run(self, ctx: LiveContext, graph: str) -> str:
        done = crash(ctx, graph)
        ctx.deployment.report(
            f"{self.code}: run {done.waited.status} {done.waited.seconds:.1f} s after SIGKILL; "
            f"replica {done.victim + 1} back in {done.took:.1f} s"
        )
        note = self._verdict(
            ctx, done.started, done.waited, done.victim, "SIGKILL", self.timeout(ctx), done.took
        )
        if done.load is not None:
            note += " (under AC824's load: the same SIGKILL, which AC824 reads)"
        return note
