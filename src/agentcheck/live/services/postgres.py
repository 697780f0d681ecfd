"""A throwaway PostgreSQL from the installed binaries, on a free loopback port.

``initdb`` into a temporary directory, then the ``postgres`` server itself in the foreground (in
its own process group, like every server here) rather than ``pg_ctl start``, which detaches the
server into a session of its own. As root, both run as the ``postgres`` user (PostgreSQL refuses
to run as root). Trust authentication on 127.0.0.1 only; ``fsync=off``: nothing here must
survive the run.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
from pathlib import Path

from agentcheck.errors import LiveError
from agentcheck.live.services.base import Service
from agentcheck.live.services.ports import LOOPBACK, free_port
from agentcheck.live.services.processes import Server, child_env

__all__ = ["Postgres", "find_bindir"]

USER = "agentcheck"
DATABASE = "agentcheck"
_TOOLS = ("initdb", "postgres", "pg_isready", "createdb")


def find_bindir() -> Path:
    """The directory holding initdb, postgres, pg_isready and createdb.

    ``initdb`` on PATH (symlinks followed) if its directory has them all, else the newest of
    Debian's ``/usr/lib/postgresql/<version>/bin``.
    """
    candidates = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    candidates.extend(
        Path(d) for d in sorted(debian, key=lambda d: _version(Path(d).parent.name), reverse=True)
    )
    for bindir in candidates:
        if all((bindir / tool).exists() for tool in _TOOLS):
            return bindir
    raise LiveError(
        'database = "postgres" needs PostgreSQL\'s server binaries (initdb, postgres, '
        "pg_isready, createdb); install the postgresql package"
    )


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split(".") if p.isdigit())


class Postgres(Service):
    """One PostgreSQL server in ``directory`` (which the caller removes).

    As root, the server runs as ``postgres``: the directories above ``directory`` must let that
    user through (mode ``o+x``). ``start()`` after ``stop()`` runs the same data directory on
    the same port again (a database restart).
    """

    kind = "postgres"

    def __init__(self, directory: Path, *, timeout: float = 30.0) -> None:
        self.directory = directory
        self.timeout = timeout
        self.port = 0
        self._user = "postgres" if os.geteuid() == 0 else None
        self._server: Server | None = None

    def url(self, host: str | None = None, port: int | None = None) -> str:
        """``postgresql://agentcheck:agentcheck@HOST:PORT/agentcheck`` (trust auth)."""
        return f"postgresql://{USER}:{USER}@{host or LOOPBACK}:{port or self.port}/{DATABASE}"

    def start(self) -> None:
        """initdb, start, wait until it accepts connections, create the database (the first
        time; afterwards only start and wait)."""
        if self._server is not None:
            self._server.start()
            self._wait_ready(find_bindir(), child_env({"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}))
            return
        bindir = find_bindir()
        data, sock = self.directory / "data", self.directory / "sock"
        self.directory.mkdir(parents=True, exist_ok=True)
        for path in (data, sock):
            path.mkdir(mode=0o700, exist_ok=True)
        if self._user is not None:
            for path in (self.directory, data, sock):
                shutil.chown(path, self._user)
        env = child_env({"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
        self._run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ],
            env,
            "initdb",
        )
        self.port = free_port()
        self._server = Server(
            "postgres",
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-k",
                str(sock),
                "-c",
                f"listen_addresses={LOOPBACK}",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ],
            cwd=self.directory,
            env=env,
            log_path=self.directory / "postgres.log",
            user=self._user,
        )
        self._server.start()
        self._wait_ready(bindir, env)
        self._run(
            [str(bindir / "createdb"), "-h", LOOPBACK, "-p", str(self.port), "-U", USER, DATABASE],
            env,
            "createdb",
        )

    def _wait_ready(self, bindir: Path, env: dict[str, str]) -> None:
        assert self._server is not None
        ready = [str(bindir / "pg_isready"), "-q", "-h", LOOPBACK, "-p", str(self.port)]
        self._server.wait_ready(
            lambda: subprocess.run(ready, env=env, check=False).returncode == 0,
            timeout=self.timeout,
            what="ready to accept connections",
        )

    def _run(self, argv: list[str], env: dict[str, str], what: str) -> None:
        try:
            done = subprocess.run(
                argv,
                env=env,
                cwd=self.directory,
                user=self._user,
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise LiveError(f"PostgreSQL {what} failed: {exc}") from None
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode("utf-8", "replace").strip()
            raise LiveError(f"PostgreSQL {what} failed (exit {done.returncode}):\n{output}")

    @property
    def server(self) -> Server | None:
        """The server process, once started."""
        return self._server

    def stop(self) -> None:
        """Fast shutdown (SIGINT: clients are disconnected, not waited for); never raises."""
        if self._server is not None:
            self._server.stop(sig=signal.SIGINT)

    def alive(self) -> bool:
        return self._server is not None and self._server.alive()

    def log(self) -> str:
        """The server's log."""
        return self._server.log() if self._server else ""

    def pids(self) -> list[int]:
        return [p.pid for p in self._server.members()] if self._server else []
