"""AC811 graceful-restart: SIGTERM mid-run; the run completes, here or on another replica."""

from __future__ import annotations

import signal

from agentcheck.live.checks._base import LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._midstep import MidStepFault

__all__ = ["GracefulRestart"]

#: Seconds past the probe's own duration a run stopped gracefully has to complete: enough to
#: restart a replica and run the step again, far less than a crash sweeper's interval.
GRACE = 60.0


class GracefulRestart(MidStepFault, LiveCheck):
    """SIGTERM in the middle of a run: it completes, re-queued if need be; no checkpoint lost.

    What it checks
    --------------
    agentcheck's probe graph commits two steps, then announces a 4 s step and which replica
    runs it. In that step the check sends SIGTERM to that replica (as a rolling deploy, a scale
    down or ``docker stop`` does), brings it back at once, and reads the run from the other
    replicas (with one replica, from the restarted one). The run must end ``success`` within
    60 s past its own length, the thread must not stay ``busy``, and its state must keep the
    steps committed before the signal. A run that ends ``error`` passes with a warning: the
    work in flight was dropped, not resumed.

    Why it matters
    --------------
    Every deploy stops servers in the middle of someone's run. A server that drains gracefully
    hands the run back to the queue (another replica, or itself after the restart, resumes it
    from the last checkpoint); one that does not leaves a user's request hanging or lost.

    How to fix
    ----------
    Run Agent Server (or another server with a durable run queue) on PostgreSQL, and give it a
    shutdown grace period longer than a step (Kubernetes ``terminationGracePeriodSeconds``,
    compose ``stop_grace_period``); never stop servers with SIGKILL during deploys.
    """

    code = "AC811"
    name = "graceful-restart"
    summary = (
        "SIGTERM mid-run: the run completes or is re-queued and completes; no checkpoint lost."
    )
    sig = signal.SIGTERM

    def timeout(self, ctx: LiveContext) -> float:
        return self.silent + GRACE
