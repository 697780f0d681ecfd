"""Replicas over a backend: launch, wait until healthy, retry a taken port, stop, restart."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agentcheck.errors import LiveError
from agentcheck.live.backends.base import Backend, Launch
from agentcheck.live.services import http
from agentcheck.live.services.ports import free_port, is_free
from agentcheck.live.services.processes import TAIL_LINES

__all__ = ["PortTaken", "Replica", "Replicas"]

#: Attempts at a replica whose port was taken by someone else between choice and bind.
PORT_ATTEMPTS = 3
#: Seconds between "still waiting" progress lines while a server starts.
PROGRESS_EVERY = 10.0
#: Seconds between two polls of a starting replica.
POLL = 0.1
#: What servers log when their port is taken: uvicorn's bind error, langgraph dev's move.
_ADDRESS_IN_USE = re.compile(r"address already in use|port \d+ is already in use", re.IGNORECASE)


class PortTaken(LiveError):
    """The replica could not have the port it was given."""


@dataclass
class Replica:
    """One replica as the orchestrator sees it."""

    index: int
    port: int = 0
    url: str = ""
    #: Where this incarnation's output starts in the backend's log.
    offset: int = 0
    started: bool = field(default=False)
    #: ``time.monotonic()`` when this incarnation was launched.
    launched: float = 0.0


def _tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.splitlines()[-lines:])


class Replicas:
    """The replicas of one deployment on one backend.

    ``launch(index, port)`` builds the :class:`Launch` (the orchestrator's environment);
    ``report`` receives progress lines.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        count: int,
        health: str,
        timeout: float,
        launch: Callable[[int, int], Launch],
        report: Callable[[str], None],
    ) -> None:
        self.backend = backend
        self.health = health
        self.timeout = timeout
        self._launch = launch
        self._report = report
        self.items = [Replica(i) for i in range(count)]

    def get(self, index: int) -> Replica:
        if not 0 <= index < len(self.items):
            raise IndexError(f"no replica {index}; there are {len(self.items)}")
        return self.items[index]

    def name(self, replica: Replica) -> str:
        return f"replica {replica.index + 1}/{len(self.items)}"

    # -- starting ------------------------------------------------------------------------------

    def spawn(self, replica: Replica, *, new_port: bool) -> None:
        """Launch ``replica`` (on a new free port, or the one it had); does not wait."""
        if new_port or not replica.port:
            replica.port = free_port()
        replica.offset = len(self.backend.log(replica.index)) if replica.started else 0
        if self.backend.managed:
            self._report(f"starting {self.name(replica)} on port {replica.port}")
        replica.launched = time.monotonic()
        replica.url = self.backend.start(self._launch(replica.index, replica.port))
        replica.started = True
        if not self.backend.managed:
            self._report(f"waiting for {replica.url}{self.health}")

    def start_wave(self, wave: list[Replica]) -> None:
        """Launch every replica of ``wave``, then wait for each (new ports for taken ones)."""
        for replica in wave:
            self.spawn(replica, new_port=True)
        for replica in wave:
            self.wait_healthy(replica, retry=True)

    def start_after_schema(
        self, first: Replica, rest: list[Replica], schema_ready: re.Pattern[str] | None
    ) -> None:
        """Launch ``first`` alone (it creates the database's schema), the others as soon as its
        log says the schema is in place (``schema_ready``; without one, once it is healthy),
        then wait for every one of them."""
        self.spawn(first, new_port=True)
        if schema_ready is None or not self._wait_output(first, schema_ready):
            self.wait_healthy(first, retry=True)
            self.start_wave(rest)
            return
        for replica in rest:
            self.spawn(replica, new_port=True)
        for replica in (first, *rest):
            self.wait_healthy(replica, retry=True)

    def _wait_output(self, replica: Replica, pattern: re.Pattern[str]) -> bool:
        """Wait until ``replica``'s log matches ``pattern`` or it is healthy (a server that
        logs otherwise, or less, costs no more than waiting for its health): True; False when
        it exits, cannot have its port, or the startup timeout passes first (waiting for health
        then says why)."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            output = self._output(replica)
            if pattern.search(output):
                self._report(
                    f"{self.name(replica)} set up the database in "
                    f"{time.monotonic() - replica.launched:.1f} s: starting the others"
                )
                return True
            if _ADDRESS_IN_USE.search(output) or not self.backend.alive(replica.index):
                return False
            if http.status(replica.url + self.health) == 200:
                return True
            time.sleep(POLL)
        return False

    def wait_healthy(self, replica: Replica, *, retry: bool) -> None:
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                self._wait_once(replica)
                return
            except PortTaken:
                if not retry or attempt == PORT_ATTEMPTS:
                    raise
                self.backend.signal(replica.index, signal.SIGKILL)
                self._wait_gone(replica, self.timeout)
                self.spawn(replica, new_port=True)

    def _output(self, replica: Replica) -> str:
        try:
            return self.backend.log(replica.index)[replica.offset :]
        except (LiveError, OSError):
            return ""

    def _wait_once(self, replica: Replica) -> None:
        name, target = self.name(replica), replica.url + self.health
        began = time.monotonic()
        deadline, next_note = began + self.timeout, began + PROGRESS_EVERY
        answer: int | None = None
        while True:
            output = self._output(replica)
            if _ADDRESS_IN_USE.search(output):
                raise PortTaken(f"{name} could not have port {replica.port}:\n{_tail(output, 5)}")
            if not self.backend.alive(replica.index):
                status = self.backend.exit_status(replica.index)
                how = f" with status {status}" if status is not None else ""
                raise LiveError(
                    f"{name} exited{how} before it became healthy at {target}; last lines of "
                    f"its log:\n{_tail(self._output(replica))}"
                )
            answer = http.status(target)
            if answer == 200:
                break
            now = time.monotonic()
            if now >= deadline:
                said = f"HTTP {answer}" if answer else "no answer"
                tail = _tail(output)
                raise LiveError(
                    f"{name} did not become healthy at {target} within {self.timeout:g} s "
                    f"(last answer: {said})" + (f"; last lines of its log:\n{tail}" if tail else "")
                )
            if now >= next_note:
                next_note += PROGRESS_EVERY
                last = _tail(output, 1)
                said = f": {last}" if last else ", nothing in its log yet"
                self._report(f"still waiting for {name} ({now - began:.0f} s){said}")
            time.sleep(POLL)
        since = replica.launched or began
        self._report(f"{name} healthy in {time.monotonic() - since:.1f} s at {replica.url}")

    # -- stopping and restarting ---------------------------------------------------------------

    def _wait_gone(self, replica: Replica, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.backend.alive(replica.index):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def kill(self, index: int, sig: int, *, wait: bool) -> None:
        replica = self.get(index)
        self._report(f"sending {signal.Signals(sig).name} to {self.name(replica)}")
        self.backend.signal(index, sig)
        if wait and not self._wait_gone(replica, self.timeout):
            self.backend.signal(index, signal.SIGKILL)
            self._wait_gone(replica, self.timeout)

    def stop_all(self, grace: float) -> None:
        """SIGTERM every replica at once, SIGKILL what still runs after ``grace`` seconds."""
        running = [r for r in self.items if r.started and self.backend.alive(r.index)]
        for replica in running:
            self.backend.signal(replica.index, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for replica in running:
            if not self._wait_gone(replica, max(0.0, deadline - time.monotonic())):
                self.backend.signal(replica.index, signal.SIGKILL)
                self._wait_gone(replica, grace)

    def restart(self, index: int) -> None:
        """Stop ``index`` gracefully if it runs, start it again on its port, wait healthy."""
        replica = self.get(index)
        if self.backend.alive(index):
            self.kill(index, signal.SIGTERM, wait=True)
        deadline = time.monotonic() + self.timeout
        while not is_free(replica.port):
            if time.monotonic() >= deadline:
                raise LiveError(f"port {replica.port} of {self.name(replica)} stayed taken")
            time.sleep(0.1)
        self.spawn(replica, new_port=False)
        self.wait_healthy(replica, retry=False)
