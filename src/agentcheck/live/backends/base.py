"""The backend interface: where the replicas of a deployment run.

A backend has the size of httpx's ``BaseTransport``: it starts replica ``i`` with an environment
and says where it listens, signals it, tells whether it is alive, hands back its log, and
closes. Everything else (services, replica waves, the proxy, health waits, restarts, port
retries, kept logs) is the orchestrator's (:class:`agentcheck.live.orchestrator.Deployment`), the
same for every backend. A new backend is one module: a :class:`Backend` subclass, registered
through the ``agentcheck_runtimes`` hook (see :mod:`agentcheck.live.backends`).

Lifecycle, as the orchestrator drives it::

    backend.open(spec, directory)              # once: working directories, images, files
    url = backend.start(Launch(0, port, ...))  # launch replica 0 (does not wait for health)
    backend.alive(0); backend.log(0)           # polled until the replica answers its health path
    backend.signal(0, signal.SIGTERM)          # needs Capability.KILL
    url = backend.start(Launch(0, port, ...))  # again: a restart (Capability.RESTART)
    backend.stats(0)                           # Capability.STATS
    backend.close()                            # idempotent, never raises
    other = backend.another()                  # Capability.VERSIONS: the same kind, for
                                               # another source tree on the same services

Capabilities say what a backend can do; a check names those it needs in ``requires`` and is
skipped, with the reason, on a backend that lacks one.
"""

from __future__ import annotations

import re
import shlex
import string
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

from agentcheck.errors import LiveError, UsageError

if TYPE_CHECKING:
    from agentcheck.live.services.base import Service
    from agentcheck.live.spec import DeploymentSpec

__all__ = ["Backend", "Capability", "Launch", "ReplicaStats", "Unsupported"]


class Capability(StrEnum):
    """What a backend can do to its replicas beyond starting and reading them."""

    #: Send a signal to a replica (SIGTERM, SIGKILL).
    KILL = "kill"
    #: Start a replica again after it stopped.
    RESTART = "restart"
    #: A restarted replica is reached at the same URL.
    SAME_PORT = "same-port"
    #: Start more replicas than the spec asked for, later.
    SCALE = "scale"
    #: Per-replica CPU and memory figures (:meth:`Backend.stats`).
    STATS = "stats"
    #: Run another version of the project (another source tree, such as the last release)
    #: beside the deployment, on its services (:meth:`Backend.another`).
    VERSIONS = "run-another-version"


class Unsupported(LiveError):
    """The backend lacks a capability the caller needs; the message names both."""


@dataclass(frozen=True)
class ReplicaStats:
    """What one replica uses now: its whole process tree (or container)."""

    #: CPU seconds used so far (user + system), across the replica's processes.
    cpu_seconds: float
    #: Resident memory in bytes.
    memory_bytes: int
    #: How many processes make up the replica.
    processes: int


#: A ``{name}`` in an env value; only known names are replaced (JSON values keep their braces).
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class _Template(string.Formatter):
    """``str.format`` that names the unknown placeholder and the known ones."""

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        if isinstance(key, int) or key not in kwargs:
            raise UsageError(
                f"unknown placeholder {{{key}}}; known: "
                + ", ".join(f"{{{k}}}" for k in sorted(kwargs))
            )
        return kwargs[key]


@dataclass(frozen=True)
class Launch:
    """How to start one replica: its index, port and environment.

    ``env`` is everything agentcheck sets (the project's env file, the services, the fake LLM,
    sealed egress); ``templates`` the user's own ``env`` (it wins), still to be templated.
    ``values`` are the placeholders the orchestrator knows (``host``, ``port``, ``replica``,
    ``database_url``, ``redis_url``); a backend adds its own (``config``, ``root``, ``files``)
    through :meth:`environment` and :meth:`command`.
    """

    index: int
    #: The port the replica must listen on (chosen free by the orchestrator; kept on restart).
    port: int
    env: Mapping[str, str] = field(default_factory=dict)
    templates: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)

    def placeholders(self, **own: str) -> dict[str, str]:
        return {**self.values, **own}

    def environment(self, **own: str) -> dict[str, str]:
        """``env`` and the templates, rendered with the backend's placeholders (``files=``)."""
        values = self.placeholders(**own)
        return {
            key: _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), value)
            for key, value in {**self.env, **self.templates}.items()
        }

    def command(self, template: str, **own: str) -> list[str]:
        """The command line ``template`` formatted and split (UsageError for a bad template)."""
        argv = shlex.split(_Template().format(template, **self.placeholders(**own)))
        if not argv:
            raise UsageError("the server command is empty")
        return argv


class Backend(ABC):
    """Where replicas run. Subclasses set the class attributes and the abstract methods."""

    #: The runtime name users give (``--agentcheck-runtime``, ``runtime = "..."``).
    name: ClassVar[str]
    #: What it can do beyond starting and reading replicas.
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: agentcheck starts these servers: it chooses their environment (the fake LLM, sealed
    #: egress) and serves them its probe graph. False for a deployment that already runs.
    managed: ClassVar[bool] = True
    #: It checks a deployment at the addresses the user gives (``--agentcheck-url``, ``url``):
    #: settings without one are refused before anything starts, and a URL on the command line
    #: with no runtime named picks this backend.
    needs_urls: ClassVar[bool] = False
    #: Keys of ``[tool.agentcheck.live]`` this backend reads, with what they mean.
    options: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def modules(cls, server: str) -> tuple[str, ...]:
        """The Python modules that must be installed here for this backend to run ``server``
        (``DeploymentSpec.server``), besides the live checks' own; checked before anything starts.
        None by default: the servers run elsewhere (an image, an existing deployment)."""
        return ()

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, urls: Sequence[str] = ()) -> Self:
        """Build it from its :attr:`options` as ``[tool.agentcheck.live]`` gives them (raw:
        validate them here, raising ConfigError) and the deployment URLs the user gave."""
        return cls()

    def require(self, *needed: Capability) -> None:
        """Raise :class:`Unsupported` unless this backend has every capability ``needed``."""
        missing = [c.value for c in needed if c not in self.capabilities]
        if missing:
            raise Unsupported(
                f"the {self.name} runtime cannot {', '.join(missing)} "
                f"(it can: {', '.join(sorted(c.value for c in self.capabilities)) or 'nothing'})"
            )

    # -- the replicas ------------------------------------------------------------------------

    def open(self, spec: DeploymentSpec, directory: Path) -> None:  # noqa: B027 - optional
        """Prepare to run ``spec`` (working directories, files, images); ``directory`` is the
        run's own, removed by the orchestrator after :meth:`close`."""

    @abstractmethod
    def start(self, launch: Launch) -> str:
        """Launch replica ``launch.index`` (again, for a restart) and return its base URL.

        Returns at once; the orchestrator waits for the health path. Raises LiveError when it
        cannot even be launched (a missing command, an image that cannot be found).
        """

    @abstractmethod
    def signal(self, index: int, sig: int) -> None:
        """Send ``sig`` to replica ``index`` (its whole process group or container)."""

    @abstractmethod
    def alive(self, index: int) -> bool:
        """Whether anything of replica ``index`` still runs."""

    @abstractmethod
    def log(self, index: int) -> str:
        """Replica ``index``'s output so far, across restarts (``""`` when unknown)."""

    def exit_status(self, index: int) -> int | None:
        """How replica ``index``'s last incarnation ended (its exit status), None if unknown or
        still running."""
        return None

    @property
    def fixed_replicas(self) -> int | None:
        """How many replicas there are whatever the spec says (an existing deployment's), or
        None when the spec decides."""
        return None

    def stats(self, index: int) -> ReplicaStats:
        """What replica ``index`` uses now (needs :attr:`Capability.STATS`)."""
        raise Unsupported(f"the {self.name} runtime gives no replica stats")

    @abstractmethod
    def close(self) -> None:
        """Stop whatever still runs and release what :meth:`open` made. Never raises."""

    def another(self) -> Backend:
        """A new, unopened backend of the same kind and options, to run another source tree
        (needs :attr:`Capability.VERSIONS`); options relative to the project are resolved
        against this one's."""
        raise Unsupported(f"the {self.name} runtime cannot run another version of the project")

    # -- where things are, as the replicas see them --------------------------------------------

    def reach(self, service: Service) -> tuple[str, int]:
        """Host and port at which the replicas reach ``service`` (loopback: where it listens)."""
        return service.address

    def service(self, kind: str, directory: Path, *, timeout: float) -> Service:
        """A throwaway ``"postgres"`` or ``"redis"`` for the replicas (not started yet).

        The default runs them as local processes on loopback; a container backend may run
        containers instead.
        """
        from agentcheck.live.services import local_service

        return local_service(kind, directory, timeout=timeout)

    def pids(self) -> list[int]:
        """Every local process of the replicas (empty where they are not local processes)."""
        return []
