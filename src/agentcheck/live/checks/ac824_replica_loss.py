"""AC824 replica-loss: one replica killed under load; the others keep serving and its runs
recover."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from dataclasses import dataclass
from typing import ClassVar

from agentcheck.live.backends.base import Capability
from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._faults import restart_behind
from agentcheck.live.checks._recovery import (
    REQUEST,
    TERMINAL,
    read_run,
    replica_name,
    require_replicas,
)
from agentcheck.live.checks._runs import require_probe

__all__ = ["ReplicaLoss"]


@dataclass
class _Sent:
    """One run a client asked for."""

    target: str
    at: float
    http: int | None
    thread: str
    run: str = ""
    said: str = ""

    @property
    def failed(self) -> bool:
        return self.http is None or self.http >= 300


class ReplicaLoss(LiveCheck):
    """One replica SIGKILLed under load: the others keep serving and its runs recover.

    What it checks
    --------------
    Three clients start runs of agentcheck's probe graph (each about 1 s) on new threads for
    6 s, through the proxy when there is one, else spread over the replicas. After 2 s the last
    replica is SIGKILLed, and brought back when the load ends. Requests that failed (no answer,
    or an HTTP error) must stay under 10% of those that went to the proxy or to the other
    replicas, and every accepted run, also those the killed replica was running, must end
    within ``recovery-timeout`` seconds (runs ending ``error`` are reported as a warning). The
    message gives the time the last run took to end. Skipped with one replica.

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

    clients: ClassVar[int] = 3
    #: Seconds of load, when in it the replica is killed, and the pause between a client's runs.
    duration: ClassVar[float] = 6.0
    kill_after: ClassVar[float] = 2.0
    pause: ClassVar[float] = 0.5
    #: The largest share of failed requests that passes.
    max_error_ratio: ClassVar[float] = 0.1

    def run(self, ctx: LiveContext, graph: str) -> str:
        require_probe(ctx)
        urls = require_replicas(ctx)
        victim = len(urls) - 1
        where = replica_name(victim, urls)
        proxy = ctx.deployment.proxy_url
        targets = [proxy] if proxy else list(urls)
        sent: list[_Sent] = []
        lock = threading.Lock()
        began = time.monotonic()
        workers = [
            threading.Thread(target=self._client, args=(i, targets, graph, began, sent, lock))
            for i in range(self.clients)
        ]
        for worker in workers:
            worker.start()
        time.sleep(self.kill_after)
        ctx.deployment.report(f"{self.code}: SIGKILL to {where} under load")
        killed = time.monotonic()
        ctx.deployment.kill(victim, signal.SIGKILL)
        for worker in workers:
            worker.join()
        # The replica comes back (as an orchestrator restarts a crashed pod) while its runs are
        # being recovered by the others.
        restarted = restart_behind(ctx, victim, "SIGKILL")

        counted = [s for s in sent if s.target != urls[victim]]
        failed = [s for s in counted if s.failed]
        ratio = len(failed) / len(counted) if counted else 1.0
        ended, lost = self._wait_all(ctx, [s for s in sent if not s.failed], killed)
        took = restarted()
        last = max((t for t, _ in ended.values()), default=0.0)
        statuses = sorted({status for _, status in ended.values()})
        problems = []
        via = "through the proxy" if proxy else "to the other replicas"
        if ratio > self.max_error_ratio:
            shown = "; ".join(f"{s.at - began:.1f} s: {s.said}" for s in failed[:5])
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
            f"{where} SIGKILLed {self.kill_after:g} s into {self.duration:g} s of load by "
            f"{self.clients} clients"
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
            f"{last:.1f} s after the kill; {where} back in {took:.1f} s"
        )

    def _client(
        self,
        index: int,
        targets: list[str],
        graph: str,
        began: float,
        sent: list[_Sent],
        lock: threading.Lock,
    ) -> None:
        import httpx

        body = {
            "assistant_id": graph,
            "input": {"emit": 1, "silent": 1.0},
            "if_not_exists": "create",
            "config": {"recursion_limit": 100},
        }
        n = 0
        with httpx.Client(timeout=REQUEST * 2) as client:
            while time.monotonic() - began < self.duration:
                target = targets[(index + n) % len(targets)]
                thread = str(uuid.uuid4())
                record = _Sent(target, time.monotonic(), None, thread)
                try:
                    response = client.post(f"{target}/threads/{thread}/runs", json=body)
                    record.http = response.status_code
                    if response.status_code == 200:
                        record.run = str(response.json().get("run_id", ""))
                    else:
                        record.said = f"HTTP {response.status_code} {response.text[:120]}"
                except (httpx.HTTPError, ValueError) as exc:
                    record.said = type(exc).__name__
                with lock:
                    sent.append(record)
                n += 1
                time.sleep(self.pause)

    def _wait_all(
        self, ctx: LiveContext, accepted: list[_Sent], killed: float
    ) -> tuple[dict[str, tuple[float, str]], dict[str, str]]:
        """Poll every accepted run on every replica until it ends; ``(ended, not ended)``."""
        urls = ctx.deployment.urls
        deadline = killed + ctx.settings.recovery_timeout
        ended: dict[str, tuple[float, str]] = {}
        gone: dict[str, str] = {}
        pending = {s.run: s for s in accepted}
        last: dict[str, str] = {}
        next_note = time.monotonic() + 30.0
        while pending:
            for run, record in list(pending.items()):
                _, http, status = read_run(ctx, urls, record.thread, run)
                last[run] = status if http in (200, None) else f"HTTP {http} on every replica"
                if http == 200 and status in TERMINAL:
                    ended[run] = (time.monotonic() - killed, status)
                    del pending[run]
                elif http == 404:  # no replica knows it, the killed one back too: lost
                    gone[run] = last[run]
                    del pending[run]
            now = time.monotonic()
            if not pending or now >= deadline:
                break
            if now >= next_note:
                next_note += 30.0
                ctx.deployment.report(
                    f"{self.code}: {len(pending)} run(s) not ended {now - killed:.0f} s after "
                    "the kill"
                )
            time.sleep(1.0)
        return ended, {**gone, **{run: f"still {last.get(run, 'unknown')}" for run in pending}}
