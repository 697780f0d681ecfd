"""The SIGKILL that AC812 (crash-recovery) and AC824 (replica-loss) both read.

Each of them waits for the sweeper to reclaim a killed replica's runs (about 2x Agent Server's
heartbeat): paying that once instead of twice is most of what a live suite spends on crashes.
So one fault serves both, done by whichever of them runs first in a session (the other reads
it, see ``LiveContext.once``), each still judging it its own way:

- three clients start short probe runs on new threads (through the proxy when there is one,
  else spread over the replicas), and a probe run announces the long step it is in and which
  replica executes it (AC812's run);
- that replica is SIGKILLed in that step, at least ``KILL_AFTER`` seconds into the load, and the
  clients go on for ``AFTER_KILL`` seconds more (the others must keep serving them);
- the replica is brought back when the load ends (as an orchestrator restarts a crashed pod),
  while AC812's run and every accepted run are polled on every replica until they end or
  ``recovery-timeout`` passes.

With one replica there is nothing to load-balance over (AC824 skips): the replica is killed in
the announced step and restarted at once, and the run is polled on it.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentcheck.live.checks._faults import restart, restart_behind
from agentcheck.live.checks._recovery import (
    REQUEST,
    TERMINAL,
    Announced,
    Waited,
    read_run,
    replica_name,
    start_announced,
    wait_run,
)
from agentcheck.live.checks._runs import require_probe

if TYPE_CHECKING:
    from agentcheck.live.checks._context import LiveContext

__all__ = ["CLIENTS", "EMIT", "SILENT", "Crash", "Load", "Sent", "crash"]

#: The announced probe run: events before its long step, and the seconds that step lasts.
EMIT, SILENT = 2, 4.0
#: Clients of the load around the kill, the pause between a client's runs.
CLIENTS, PAUSE = 3, 0.5
#: Seconds of load at least before the kill, and after it.
KILL_AFTER, AFTER_KILL = 2.0, 4.0


@dataclass
class Sent:
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


@dataclass
class Load:
    """What the clients around the kill sent, and how each accepted run ended."""

    #: Where the clients sent their runs (the proxy, or every replica).
    targets: list[str]
    began: float
    #: ``time.monotonic()`` when the clients stopped starting runs.
    ended_at: float = 0.0
    sent: list[Sent] = field(default_factory=list)
    #: Accepted runs that ended: run id -> (seconds after the kill, status).
    ended: dict[str, tuple[float, str]] = field(default_factory=dict)
    #: Accepted runs that did not end in time or are gone: run id -> what was read last.
    lost: dict[str, str] = field(default_factory=dict)


@dataclass
class Crash:
    """One SIGKILL in the middle of an announced probe run's step, and what followed."""

    started: Announced
    victim: int
    #: ``time.monotonic()`` when the SIGKILL was sent.
    killed: float
    #: How the announced run's status went after the kill.
    waited: Waited
    #: Seconds the killed replica took to come back.
    took: float
    #: The load around the kill (None with one replica).
    load: Load | None = None


def crash(ctx: LiveContext, graph: str) -> Crash:
    """The session's shared SIGKILL (done now unless AC812 or AC824 did it already)."""
    return ctx.once(f"sigkill:{graph}", lambda: _crash(ctx, graph))


def _crash(ctx: LiveContext, graph: str) -> Crash:
    require_probe(ctx)
    urls = ctx.deployment.urls
    probe = {"emit": EMIT, "spacing": 0.2, "silent": SILENT, "announce": True}
    timeout = ctx.settings.recovery_timeout
    if len(urls) < 2:
        started = start_announced(ctx, 0, graph, probe)
        victim = _victim(started)
        killed = _kill(ctx, victim, urls, "in the middle of a run's step")
        took = restart(ctx, victim, "SIGKILL")
        waited = wait_run(ctx, urls, started.thread, started.run, since=killed, timeout=timeout)
        return Crash(started, victim, killed, waited, took)
    proxy = ctx.deployment.proxy_url
    load = Load([proxy] if proxy else list(urls), time.monotonic())
    stop = threading.Event()
    lock = threading.Lock()
    clients = [
        threading.Thread(target=_client, args=(i, load, graph, stop, lock), daemon=True)
        for i in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    try:
        started = start_announced(ctx, 0, graph, probe)
        time.sleep(max(0.0, load.began + KILL_AFTER - time.monotonic()))
        victim = _victim(started)
        killed = _kill(ctx, victim, urls, f"in a run's step, under load by {CLIENTS} clients")
        time.sleep(AFTER_KILL)
    finally:
        stop.set()
        for client in clients:
            client.join()
        load.ended_at = time.monotonic()
    restarted = restart_behind(ctx, victim, "SIGKILL")
    others = [u for i, u in enumerate(urls) if i != victim]
    everywhere = [*others, urls[victim]]  # the victim's answer counts once it is back
    waited = wait_run(ctx, everywhere, started.thread, started.run, since=killed, timeout=timeout)
    load.ended, load.lost = _wait_all(ctx, [s for s in load.sent if not s.failed], killed)
    took = restarted()
    return Crash(started, victim, killed, waited, took, load)


def _victim(started: Announced) -> int:
    return started.executor if started.executor is not None else started.created_on


def _kill(ctx: LiveContext, victim: int, urls: list[str], how: str) -> float:
    ctx.deployment.report(f"AC812/AC824: SIGKILL to {replica_name(victim, urls)} {how}")
    killed = time.monotonic()
    ctx.deployment.kill(victim, signal.SIGKILL)
    return killed


def _client(
    index: int, load: Load, graph: str, stop: threading.Event, lock: threading.Lock
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
        while not stop.is_set():
            target = load.targets[(index + n) % len(load.targets)]
            thread = str(uuid.uuid4())
            record = Sent(target, time.monotonic(), None, thread)
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
                load.sent.append(record)
            n += 1
            stop.wait(PAUSE)


def _wait_all(
    ctx: LiveContext, accepted: list[Sent], killed: float
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
                f"AC824: {len(pending)} run(s) not ended {now - killed:.0f} s after the kill"
            )
        time.sleep(1.0)
    return ended, {**gone, **{run: f"still {last.get(run, 'unknown')}" for run in pending}}
