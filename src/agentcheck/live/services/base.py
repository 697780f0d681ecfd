"""The one shape every service has: PostgreSQL, Redis, nginx, the fake LLM, the egress guard.

A service listens at :attr:`Service.address` as agentcheck (on this machine) reaches it; the
backend translates that address for the replicas (:meth:`agentcheck.live.backends.base.Backend.
reach`: the same on loopback, a container name on a container network), and :meth:`Service.url`
spells the URL for either. ``start()`` after ``stop()`` brings it back on the same port with
the same data, so a check can take a database away mid-run and give it back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from agentcheck.live.services.ports import LOOPBACK

__all__ = ["Service"]


class Service(ABC):
    """One service the replicas (or agentcheck) use."""

    #: ``"postgres"``, ``"redis"``, ``"nginx"``, ``"fake-llm"``, ``"egress"``.
    kind: str

    #: The port it listens on (0 before the first start).
    port: int = 0

    @property
    def address(self) -> tuple[str, int]:
        """Host and port at which agentcheck reaches it."""
        return (LOOPBACK, self.port)

    @abstractmethod
    def url(self, host: str | None = None, port: int | None = None) -> str:
        """Its URL, by default as agentcheck reaches it; give the replicas' host and port (see
        ``Backend.reach``) for theirs."""

    @abstractmethod
    def start(self) -> None:
        """Start it and wait until it is ready (again after :meth:`stop`: same port, same data)."""

    @abstractmethod
    def stop(self) -> None:
        """Stop it; never raises."""

    @abstractmethod
    def alive(self) -> bool:
        """Whether it runs."""

    def log(self) -> str:
        """What it logged so far (``""`` if nothing)."""
        return ""

    def pids(self) -> list[int]:
        """Its local processes (empty for one running in this process or in a container)."""
        return []

    def restart(self) -> None:
        """Stop it and start it again on the same port."""
        self.stop()
        self.start()
