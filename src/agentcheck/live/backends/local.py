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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

import psutil  # type: ignore[import-untyped]  # no stubs installed

from agentcheck.errors import ConfigError, LiveError, UsageError
from agentcheck.live.backends.base import Backend, Capability, Launch, ReplicaStats
from agentcheck.live.derived import derive_config, prepare_workdir
from agentcheck.live.services.ports import LOOPBACK
from agentcheck.live.services.processes import Server, child_env, resolve_executable

if TYPE_CHECKING:
    from agentcheck.live.spec import DeploymentSpec

__all__ = ["LANGHOST_HINT", "LocalBackend", "langhost_command"]


class LocalBackend(Backend):
    """Replicas as local process groups on loopback; see the module docstring."""

    name = "local"
    capabilities = frozenset(Capability)
    options: ClassVar[Mapping[str, str]] = {
        "langhost": 'for server = "langhost": its command, or the virtualenv holding it '
        "(default: langhost on PATH)",
    }

    @classmethod
    def modules(cls, server: str) -> tuple[str, ...]:
        """``langgraph dev`` runs from this Python environment (``langgraph-cli[inmem]``);
        langhost (its own virtualenv) and a ``command`` bring their own."""
        from agentcheck._extras import LANGGRAPH_DEV_MODULES

        return LANGGRAPH_DEV_MODULES if server == "langgraph-dev" else ()

    def __init__(self, *, langhost: str | None = None) -> None:
        #: The ``langhost`` option as given (resolved against the project root at open).
        self.langhost = langhost
        self._spec: DeploymentSpec | None = None
        self._directory: Path | None = None
        self._files: Path | None = None
        self._derived: dict[str, object] = {}
        self._servers: dict[int, Server] = {}
        self._workdirs: dict[int, Path] = {}
        self._configs: dict[int, Path] = {}

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, urls: Sequence[str] = ()) -> Self:
        value = options.get("langhost")
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"[tool.agentcheck.live] langhost: expected a path, got {value!r}")
        return cls(langhost=value.strip() if value else None)

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
        if spec.server == "langhost":
            # Agent Server's own CLI on PostgreSQL + Redis (DATABASE_URI, REDIS_URI come from
            # the services); --allow-blocking as for langgraph dev.
            return [
                langhost_command(self.langhost, spec.root, env), "serve",
                "--config", own["config"], "--host", LOOPBACK, "--port", str(launch.port),
                "--no-browser", "--allow-blocking", "--n-jobs-per-worker", "10",
            ]  # fmt: skip
        if spec.server == "command" and spec.command:
            argv = launch.command(spec.command, **own)
            argv[0] = resolve_executable(argv[0], env)
            return argv
        raise UsageError(
            f"unknown server {spec.server!r}; use 'langgraph-dev', 'langhost' or 'command'"
        )

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

    def another(self) -> LocalBackend:
        langhost = self.langhost
        if langhost is not None and self._spec is not None:
            path = Path(langhost).expanduser()
            if not path.is_absolute() and (self._spec.root / path).exists():
                langhost = str((self._spec.root / path).resolve())
        return LocalBackend(langhost=langhost)


#: How to get langhost, for the error when it cannot be found.
LANGHOST_HINT = (
    "install it in a virtualenv of its own (it pins an older langgraph-api than agentcheck "
    "uses) with your graphs' dependencies: `python3 -m venv .venv-langhost && "
    ".venv-langhost/bin/pip install langhost langchain-openai ...`, then set "
    '`langhost = ".venv-langhost"` in [tool.agentcheck.live] or put its bin/ on PATH'
)


def langhost_command(option: str | None, root: Path, env: Mapping[str, str]) -> str:
    """The ``langhost`` executable: the ``langhost`` option (a command, or a virtualenv holding
    ``bin/langhost``; relative to the project ``root``), else ``langhost`` on the PATH."""
    if option is None:
        found = shutil.which("langhost", path=env.get("PATH"))
        if found is None:
            raise LiveError(f'server = "langhost" needs the langhost command; {LANGHOST_HINT}')
        return found
    path = Path(option).expanduser()
    path = path if path.is_absolute() else root / path
    if path.is_dir():
        path = path / "bin" / "langhost"
    if not path.is_file():
        raise LiveError(f"langhost = {option!r}: no langhost command at {path}; {LANGHOST_HINT}")
    return str(path)
