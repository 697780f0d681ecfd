"""The ``docker`` backend: each replica a container of the agent's production image.

``pytest --agentcheck --agentcheck-live --agentcheck-runtime docker`` tests the image that will be
deployed rather than a source checkout. The image comes from ``image``, ``dockerfile`` or
``build = "langgraph"`` (see :mod:`.images`); each replica runs it with the orchestrator's
environment (``DATABASE_URI``, ``REDIS_URI``, the fake LLM's URL, the user's ``env``) plus
``PORT`` (and ``HOST``), and agentcheck's probe graph copied in and added to
``LANGSERVE_GRAPHS``. PostgreSQL and Redis run as containers too (``postgres-image``,
``redis-image``; the official ``postgres:16`` and ``redis:7`` by default), the user's nginx as
a local process in front. ``network = "bridge"`` places containers on the run's own network
with published loopback ports; it cannot reach agentcheck's fake LLM yet, so a managed run
refuses it with that reason. Signals are ``docker kill -s``; a restart is ``docker start`` of the
same container (its log goes on). Containers, networks and volumes carry the run's labels and
are removed on every exit path (see :mod:`.engine`).
"""

from __future__ import annotations

import contextlib
import signal as signals
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar, Self

from agentcheck.errors import ConfigError, LiveError
from agentcheck.live.backends.base import Backend, Capability, Launch, ReplicaStats
from agentcheck.live.backends.docker.containers import (
    ContainerService,
    NetworkMode,
    Placement,
    new_container,
)
from agentcheck.live.services.ports import LOOPBACK

if TYPE_CHECKING:
    from docker import DockerClient
    from testcontainers.core.container import DockerContainer

    from agentcheck.live.backends.docker.images import ImageSource
    from agentcheck.live.services.base import Service
    from agentcheck.live.spec import DeploymentSpec

__all__ = ["DockerBackend"]

#: Where the spec's files (the probe graph) are copied in every replica container.
FILES = PurePosixPath("/agentcheck/files")
#: The port an Agent Server image listens on unless told otherwise (``PORT``), in bridge mode.
AGENT_PORT = 8000
DEFAULT_IMAGES = {"postgres": "postgres:16", "redis": "redis:7"}
DEFAULT_PORTS = {"postgres": 5432, "redis": 6379}
#: Seconds an image build (``dockerfile``, ``build = "langgraph"``) may take.
BUILD_TIMEOUT = 900.0
#: Seconds ``docker stop`` waits before SIGKILL when a replica container is removed.
STOP_GRACE = 10


class DockerBackend(Backend):
    """Replicas as containers of the agent image; see the module docstring."""

    name = "docker"
    capabilities = frozenset(
        {Capability.KILL, Capability.RESTART, Capability.SAME_PORT, Capability.SCALE,
         Capability.STATS}
    )  # fmt: skip
    options: ClassVar[Mapping[str, str]] = {
        "image": 'runtime = "docker": the agent image to run (pulled if not on the machine)',
        "dockerfile": 'runtime = "docker": build the agent image from this Dockerfile',
        "build": 'runtime = "docker": "langgraph" builds the agent image with `langgraph build`',
        "network": 'runtime = "docker": "host" (the default: all on loopback) or "bridge"',
        "postgres-image": 'runtime = "docker": the PostgreSQL image (default "postgres:16")',
        "redis-image": 'runtime = "docker": the Redis image (default "redis:7")',
    }

    def __init__(
        self,
        source: ImageSource,
        *,
        network: NetworkMode = "host",
        images: Mapping[str, str] | None = None,
    ) -> None:
        self.source = source
        self.network: NetworkMode = network
        self.images = {**DEFAULT_IMAGES, **(images or {})}
        self.image: str | None = None
        self._spec: DeploymentSpec | None = None
        self._client: DockerClient | None = None
        self._run_id = ""
        self._labels: dict[str, str] = {}
        self._network_name: str | None = None
        self._gateway: str | None = None
        self._graphs = ""
        self._replicas: dict[int, DockerContainer] = {}
        self._launched: dict[int, dict[str, str]] = {}
        self._kept: dict[int, str] = {}
        self._services: list[ContainerService] = []

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, urls: Sequence[str] = ()) -> Self:
        from agentcheck.live.backends.docker.images import ImageSource

        where = "[tool.agentcheck.live]"
        network = options.get("network", "host")
        if network not in ("host", "bridge"):
            raise ConfigError(f'{where} network: expected "host" or "bridge", got {network!r}')
        images: dict[str, str] = {}
        for kind in ("postgres", "redis"):
            value = options.get(f"{kind}-image")
            if value is not None:
                if not isinstance(value, str) or not value.strip():
                    raise ConfigError(f"{where} {kind}-image: expected an image reference")
                images[kind] = value.strip()
        return cls(ImageSource.from_options(options), network=network, images=images)

    # -- opening: the engine, the image, the network --------------------------------------------

    def open(self, spec: DeploymentSpec, directory: Path) -> None:
        from agentcheck.live.backends.docker import engine, images
        from agentcheck.live.services import cleanup

        self._spec = spec
        if self.network == "bridge" and spec.fake_llm:
            # The fake LLM runs in this process on loopback, which a bridge network cannot
            # reach; binding it to the network's gateway is not done yet.
            raise LiveError(
                'network = "bridge" cannot reach agentcheck\'s fake LLM (it listens on '
                'loopback only); use network = "host"'
            )
        client = self._client = engine.connect()
        engine.sweep(client)
        reg = cleanup.registry()
        run = engine.Run.current(reg.run_id)
        self._run_id, self._labels = run.id, run.labels
        reg.add_finalizer(f"docker:{run.id}", self.close)
        config = spec.config if spec.config.is_absolute() else spec.root / spec.config
        self.image = images.resolve(
            client,
            self.source.locate(spec.root, config),
            spec.root,
            # Not the run's labels: a container of the image would inherit them.
            labels={images.LABEL_BUILT: "true"},
            timeout=max(BUILD_TIMEOUT, spec.startup_timeout),
        )
        extra = {graph_id: self._inside(target) for graph_id, target in spec.extra_graphs.items()}
        self._graphs = images.graphs_env(images.image_env(client, self.image), extra, self.image)
        if self.network == "bridge":
            self._open_network(client)

    def _inside(self, target: str) -> str:
        path, sep, attr = target.rpartition(":")
        if not sep:
            path, attr = target, ""
        if PurePosixPath(path).is_absolute():
            return target
        return f"{FILES / path}{sep}{attr}"

    def _open_network(self, client: DockerClient) -> None:
        from docker.errors import DockerException

        name = f"agentcheck-{self._run_id[:12]}"
        try:
            network = client.networks.create(name, driver="bridge", labels=self._labels)
            network.reload()
        except DockerException as exc:
            raise LiveError(
                f'cannot create the bridge network {name}: {exc}; use network = "host" '
                "where Docker has no bridge"
            ) from None
        self._network_name = name
        configs = (network.attrs.get("IPAM") or {}).get("Config") or [{}]
        self._gateway = configs[0].get("Gateway")

    def _name(self, role: str) -> str:
        return f"agentcheck-{self._run_id[:12]}-{role}"

    # -- services --------------------------------------------------------------------------------

    def service(self, kind: str, directory: Path, *, timeout: float) -> Service:
        if kind not in DEFAULT_IMAGES:
            raise LiveError(f'unknown service {kind!r}; use "postgres" or "redis"')
        assert self._client is not None
        from agentcheck.live.backends.docker import images

        image = self.images[kind]
        images.ensure(self._client, image, what=f"the {kind} image")
        placement = Placement.on(
            self.network, default_port=DEFAULT_PORTS[kind], network=self._network_name, alias=kind
        )
        service = ContainerService(
            kind,  # type: ignore[arg-type]  # checked above
            image,
            name=self._name(kind),
            labels=self._labels,
            placement=placement,
            timeout=timeout,
        )
        self._services.append(service)
        return service

    def reach(self, service: Service) -> tuple[str, int]:
        if self.network == "host":
            return service.address
        if isinstance(service, ContainerService):
            return service.inside
        return ("host.docker.internal", service.address[1])

    # -- the replicas ----------------------------------------------------------------------------

    def _placement(self, launch: Launch) -> Placement:
        extra = {"host.docker.internal": self._gateway} if self._gateway else {}
        return Placement.on(
            self.network, default_port=AGENT_PORT, network=self._network_name,
            alias=f"replica-{launch.index}", extra_hosts=extra, host_port=launch.port,
        )  # fmt: skip

    def environment(self, launch: Launch, placement: Placement) -> dict[str, str]:
        """What replica ``launch.index`` gets on top of the image's own ``ENV``."""
        ours = {
            "PORT": str(placement.inner_port),
            "HOST": placement.listen_host,
            "LANGSERVE_GRAPHS": self._graphs,
        }
        return {**ours, **launch.environment(files=str(FILES), config="", root="")}

    def start(self, launch: Launch) -> str:
        spec, image = self._spec, self.image
        if spec is None or image is None:
            raise LiveError("the docker backend was not opened")
        placement = self._placement(launch)
        env = self.environment(launch, placement)
        command = None
        if spec.server == "command" and spec.command:
            command = launch.command(spec.command, files=str(FILES), config="", root="")
        existing = self._replicas.get(launch.index)
        if existing is not None and self._launched.get(launch.index) == env:
            self._wrapped(launch.index).start()  # a restart: same container, its log goes on
        else:
            if existing is not None:
                self._forget(launch.index)
            self._create(launch.index, image, placement, env, command)
        return f"http://{LOOPBACK}:{placement.host_port}"

    def _create(
        self,
        index: int,
        image: str,
        placement: Placement,
        env: dict[str, str],
        command: list[str] | None,
    ) -> None:
        from docker.errors import DockerException

        spec = self._spec
        assert spec is not None
        container = new_container(
            image, name=self._name(f"replica-{index}"), labels=self._labels,
            placement=placement, env=env, command=command,
        )  # fmt: skip
        for relative, source in spec.files.items():
            container.with_copy_into_container(Path(source), str(FILES / relative))
        try:
            container.start()
        except DockerException as exc:
            raise LiveError(f"cannot start replica {index + 1} ({image}): {exc}") from None
        self._replicas[index], self._launched[index] = container, env

    def _forget(self, index: int) -> None:
        self._kept[index] = self.log(index)
        container = self._replicas.pop(index)
        with contextlib.suppress(Exception):
            container.stop()

    def _wrapped(self, index: int) -> Any:
        container = self._replicas.get(index)
        if container is None:
            raise IndexError(f"no replica {index} was started")
        return container.get_wrapped_container()

    def signal(self, index: int, sig: int) -> None:
        from docker.errors import APIError

        try:
            self._wrapped(index).kill(signal=signals.Signals(sig).name)
        except APIError as exc:
            if "is not running" not in str(exc):
                raise LiveError(f"cannot signal replica {index + 1}: {exc}") from None

    def _state(self, index: int) -> dict[str, Any]:
        wrapped = self._wrapped(index)
        try:
            wrapped.reload()
        except Exception:
            return {}
        return dict(wrapped.attrs.get("State") or {})

    def alive(self, index: int) -> bool:
        return self._state(index).get("Status") in ("running", "restarting")

    def exit_status(self, index: int) -> int | None:
        state = self._state(index)
        if state.get("Status") in ("exited", "dead"):
            return int(state.get("ExitCode", 0))
        return None

    def log(self, index: int) -> str:
        kept = self._kept.get(index, "")
        if index not in self._replicas:
            return kept
        try:
            raw: bytes = self._wrapped(index).logs()
            return kept + raw.decode("utf-8", "replace")
        except Exception:
            return kept

    def stats(self, index: int) -> ReplicaStats:
        raw = self._wrapped(index).stats(stream=False, one_shot=True)
        cpu = ((raw.get("cpu_stats") or {}).get("cpu_usage") or {}).get("total_usage", 0)
        memory = (raw.get("memory_stats") or {}).get("usage", 0)
        processes = (raw.get("pids_stats") or {}).get("current", 0)
        return ReplicaStats(
            cpu_seconds=cpu / 1e9, memory_bytes=int(memory), processes=int(processes)
        )

    def close(self) -> None:
        from agentcheck.live.backends.docker import engine
        from agentcheck.live.services import cleanup

        for index in list(self._replicas):
            with contextlib.suppress(Exception):
                self._kept[index] = self.log(index)
        for service in self._services:
            service.remove()
        self._replicas.clear()
        if self._client is not None and self._run_id:
            engine.remove_run(self._client, self._run_id)
            with contextlib.suppress(Exception):
                cleanup.registry().release_finalizer(f"docker:{self._run_id}")
