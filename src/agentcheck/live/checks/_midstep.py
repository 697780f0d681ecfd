"""AC811 and AC812: a signal to the replica executing a run, in the middle of a step.

The probe announces its ``silent`` step and which replica runs it; the checkpoints of the
steps before are committed then. The check signals that replica, brings it back as an
orchestrator would (at once: a crashed pod is restarted), and polls the run on the other
replicas (or, with one replica, on the restarted one) until it ends or the check's timeout
passes. The verdict reads the run's status, the thread's status and its state.
"""

from __future__ import annotations

import signal
import time
from typing import TYPE_CHECKING, Any, ClassVar

from agentcheck.live.backends.base import Capability
from agentcheck.live.checks._base import CheckFailed
from agentcheck.live.checks._faults import restart, restart_behind
from agentcheck.live.checks._recovery import (
    Announced,
    Waited,
    probe_steps,
    replica_name,
    start_announced,
    state_of,
    wait_run,
    wait_thread_idle,
)
from agentcheck.live.checks._runs import require_probe

if TYPE_CHECKING:
    from agentcheck.live.checks._context import LiveContext

__all__ = ["MidStepFault"]


class MidStepFault:
    """Signal the replica executing a probe run mid-step; the run must end well.

    A mixin: ``class GracefulRestart(MidStepFault, LiveCheck)``.
    """

    code: ClassVar[str]
    requires: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.KILL, Capability.RESTART, Capability.SAME_PORT}
    )

    #: The signal sent (SIGTERM: a graceful stop, SIGKILL: a crash).
    sig: ClassVar[int] = signal.SIGTERM
    #: The probe's events before the announced step, and the seconds that step lasts.
    emit: ClassVar[int] = 2
    silent: ClassVar[float] = 4.0

    def timeout(self, ctx: LiveContext) -> float:
        """Seconds after the signal the run has to end."""
        raise NotImplementedError

    def on_error(self, ctx: LiveContext, status: str) -> None:
        """The run ended ``error`` (or timeout, interrupted): the work was not resumed."""
        ctx.warn(f"the run ended {status!r}: the work in flight was not resumed")

    def run(self, ctx: LiveContext, graph: str) -> str:
        require_probe(ctx)
        urls = ctx.deployment.urls
        probe = {"emit": self.emit, "spacing": 0.2, "silent": self.silent, "announce": True}
        started = start_announced(ctx, 0, graph, probe)
        victim = started.executor if started.executor is not None else started.created_on
        signame = signal.Signals(self.sig).name
        where = replica_name(victim, urls)
        ctx.deployment.report(f"{self.code}: {signame} to {where} in the middle of a run's step")
        killed = time.monotonic()
        ctx.deployment.kill(victim, self.sig)
        others = [u for i, u in enumerate(urls) if i != victim]
        timeout = self.timeout(ctx)
        if others:  # the others may take the run over while the replica comes back
            restarted = restart_behind(ctx, victim, signame)
            everywhere = [*others, urls[victim]]  # the victim's answer counts once it is back
            waited = wait_run(
                ctx, everywhere, started.thread, started.run, since=killed, timeout=timeout
            )
            took = restarted()
        else:
            took = restart(ctx, victim, signame)
            waited = wait_run(ctx, urls, started.thread, started.run, since=killed, timeout=timeout)
        ctx.deployment.report(
            f"{self.code}: run {waited.status} {waited.seconds:.1f} s after {signame}; "
            f"{where} back in {took:.1f} s"
        )
        return self._verdict(ctx, started, waited, victim, signame, timeout, took)

    def _verdict(
        self,
        ctx: LiveContext,
        started: Announced,
        waited: Waited,
        victim: int,
        signame: str,
        timeout: float,
        took: float,
    ) -> str:
        urls = ctx.deployment.urls
        where = replica_name(victim, urls)
        did = f"{signame} to {where} at the start of a {self.silent:g} s step of run {started.run}"
        committed = int(started.committed.get("step", 0))
        reader = waited.url or urls[victim]
        http, values = state_of(ctx, reader, started.thread)
        if http != 200:
            raise CheckFailed(
                f"{did}: the thread is gone afterwards (its state answers HTTP {http} at "
                f"{reader}; run: {waited.story()}): the {committed} step(s) committed before "
                "the signal were lost"
            )
        if not waited.ended:
            raise CheckFailed(
                f"{did}: the run is still {waited.status} {waited.seconds:.0f} s later, past the "
                f"timeout of {timeout:g} s ({waited.story()}); the thread stays "
                f"{wait_thread_idle(ctx, reader, started.thread, timeout=0)[0]}"
            )
        status, idle = wait_thread_idle(ctx, reader, started.thread)
        step = int(values.get("step", 0))
        if status == "busy":
            raise CheckFailed(
                f"{did}: the run ended {waited.status} ({waited.story()}) but the thread was "
                f"still busy {idle:.0f} s later: no new run can start on it"
            )
        if step < committed:
            raise CheckFailed(
                f"{did}: the thread's state went back from step {committed} (committed before "
                f"the signal) to step {step}: checkpoints were lost"
            )
        state = self._state(values)
        if waited.status != "success":
            self.on_error(ctx, waited.status)
        elif step != probe_steps(self.emit) or values.get("seq") != self.emit:
            ctx.warn(f"the resumed run's final state is {state}, not what one run makes")
        return (
            f"{did}: run {waited.status} {waited.seconds:.1f} s later ({waited.story()}), "
            f"thread {status}, state {state} (step {committed} committed before); "
            f"{where} back in {took:.1f} s"
        )

    @staticmethod
    def _state(values: dict[str, Any]) -> str:
        return f"step {values.get('step')}, {values.get('seq')} event(s)"
