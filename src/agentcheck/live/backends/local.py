"""The ``local`` backend: each replica a process group on this machine.

Each replica is one server process group (``langgraph dev`` by default, or any ``command``) on
a loopback port the orchestrator chose, in its own working directory that mirrors the project
(see :mod:`agentcheck.live.derived`), with its log in a file. The spec's files are copied into
one ``files`` directory every replica reads.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import psutil  # type: ignore[import-untyped]  # no stubs installed

from agentcheck.errors import LiveError, UsageError
from agentcheck.live.backends.base import Backend, Capability, Launch, ReplicaStats
from agentcheck.live.derived import derive_config, prepare_workdir
from agentcheck.live.services.ports import LOOPBACK
from agentcheck.live.services.processes import Server, child_env, resolve_executable

if TYPE_CHECKING:
    from agentcheck.live.spec import DeploymentSpec

__all__ = ["LocalBackend"]


class LocalBackend(Backend):
    """Replicas as local process groups on loopback; see the module docstring."""

    name = "local"
    capabilities = frozenset(Capability)

    def __init__(self) -> None:
        self._spec: DeploymentSpec | None = None
        self._directory: Path | None = None
        self._files: Path | None = None
        self._derived: dict[str, object] = {}
        self._servers: dict[int, Server] = {}
        self._workdirs: dict[int, Path] = {}
        self._configs: dict[int, Path] = {}

    def open(self, spec: DeploymentSpec, directory: Path) -> None:
        if not spec.root.is_dir():
            raise LiveError(f"the project directory {spec.root} does not exist")
        self._spec, self._directory = spec, directory
        self._files = directory / "files"
        self._files.mkdir(parents=True, exist_ok=True)
        for relative, source in spec.files.items():
            target = self._files / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        config = spec.config if spec.config.is_absolute() else spec.root / spec.config
        self._derived = derive_config(config, spec.extra_graphs, files=self._files)

    @property
    def workdirs(self) -> list[Path]:
        """Each replica's working directory (``.langgraph_api/`` of langgraph dev is there)."""
        return [self._workdirs[i] for i in sorted(self._workdirs)]

    def _workdir(self, index: int) -> tuple[Path, Path]:
        spec, directory = self._spec, self._directory
        assert spec is not None
        assert directory is not None
        if index not in self._workdirs:
            workdir = directory / f"replica-{index}"
            config = prepare_workdir(workdir, spec.root, spec.config.name, self._derived)
            self._workdirs[index], self._configs[index] = workdir, config
        return self._workdirs[index], self._configs[index]

    def start(self, launch: Launch) -> str:
        spec = self._spec
        if spec is None or self._directory is None or self._files is None:
            raise LiveError("the local backend was not opened")
        workdir, config = self._workdir(launch.index)
        own = {"config": str(config), "root": str(spec.root.resolve()), "files": str(self._files)}
        env = child_env(launch.environment(**own))
        argv = self._argv(launch, env, own)
        server = self._servers.get(launch.index)
        name = f"replica {launch.index + 1}/{max(spec.replicas, launch.index + 1)}"
        if server is None:
            log = self._directory / f"replica-{launch.index}.log"
            server = Server(name, argv, cwd=workdir, env=env, log_path=log)
            self._servers[launch.index] = server
        else:
            server.argv, server.env = argv, env
            server.forget_if_gone()
        server.start()
        return f"http://{LOOPBACK}:{launch.port}"

    def _argv(self, launch: Launch, env: dict[str, str], own: dict[str, str]) -> list[str]:
        spec = self._spec
        assert spec is not None
        if spec.server == "langgraph-dev":
            langgraph = Path(sys.executable).parent / "langgraph"
            head = (
                [str(langgraph)] if langgraph.exists() else [sys.executable, "-m", "langgraph_cli"]
            )
            # --allow-blocking: production Agent Server does not turn blocking calls in async
            # nodes into errors as `langgraph dev` does; AC311 reports those calls in lint.
            return [
                *head, "dev", "--no-browser", "--no-reload", "--allow-blocking",
                "--host", LOOPBACK, "--port", str(launch.port),
                "--n-jobs-per-worker", "10", "--config", own["config"],
            ]  # fmt: skip
        if spec.server == "command" and spec.command:
            argv = launch.command(spec.command, **own)
            argv[0] = resolve_executable(argv[0], env)
            return argv
        raise UsageError(f"unknown server {spec.server!r}; use 'langgraph-dev' or 'command'")

    def _server(self, index: int) -> Server:
        server = self._servers.get(index)
        if server is None:
            raise IndexError(f"no replica {index} was started")
        return server

    def signal(self, index: int, sig: int) -> None:
        self._server(index).send(sig)

    def alive(self, index: int) -> bool:
        server = self._server(index)
        return server.alive() or bool(server.members())

    def exit_status(self, index: int) -> int | None:
        return self._server(index).returncode

    def log(self, index: int) -> str:
        return self._server(index).log()

    def stats(self, index: int) -> ReplicaStats:
        cpu, memory, members = 0.0, 0, self._server(index).members()
        for proc in members:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                cpu += times.user + times.system
                memory += proc.memory_info().rss
        return ReplicaStats(cpu_seconds=cpu, memory_bytes=memory, processes=len(members))

    def pids(self) -> list[int]:
        return sorted(p.pid for s in self._servers.values() for p in s.members())

    def close(self) -> None:
        for server in self._servers.values():
            with contextlib.suppress(Exception):
                server.stop()
