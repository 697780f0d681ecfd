"""A server process: its own process group, a log file, signals to the whole group.

Servers fork (``aegra serve`` runs uvicorn as a child, nginx has workers, PostgreSQL its
backends, ``langgraph dev`` with reload a child), so each starts a new session and every signal
goes to the group. The group is recorded in the cleanup registry for as long as it runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import psutil  # type: ignore[import-untyped]  # no stubs installed

from agentcheck.errors import LiveError
from agentcheck.live.services import cleanup

__all__ = ["Server", "child_env", "log_tail", "resolve_executable"]

#: How much of a log goes into an error message.
TAIL_LINES = 40

#: What servers log when their port is taken: uvicorn's bind error, langgraph dev's move.
_ADDRESS_IN_USE = re.compile(r"address already in use|port \d+ is already in use", re.IGNORECASE)


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment for a server: venv first on PATH, loopback unproxied."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    path = env.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        env["PATH"] = os.pathsep.join(p for p in (bindir, path) if p)
    for key in ("NO_PROXY", "no_proxy"):
        hosts = [h for h in env.get(key, "").split(",") if h]
        for host in ("127.0.0.1", "localhost", "::1"):
            if host not in hosts:
                hosts.append(host)
        env[key] = ",".join(hosts)
    extra = dict(extra or {})
    if extra.get("PYTHONPATH") and env.get("PYTHONPATH"):  # ours first, the user's kept
        extra["PYTHONPATH"] += os.pathsep + env["PYTHONPATH"]
    env.update(extra)
    env.update(cleanup.registry().env())
    return env


def resolve_executable(name: str, env: Mapping[str, str]) -> str:
    """The full path of ``name`` on the children's PATH, or LiveError naming what is missing."""
    found = shutil.which(name, path=env.get("PATH"))
    if found is None:
        raise LiveError(f"command not found: {name!r} (PATH={env.get('PATH', '')})")
    return found


def log_tail(path: Path, lines: int = TAIL_LINES, *, start: int = 0) -> str:
    """The last ``lines`` lines of a log file after byte ``start`` ("" if there is none)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(start, fh.tell() - 64 * 1024))
            data = fh.read()
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


class Server:
    """One server process (and its descendants) in its own process group.

    ``start()`` may be called again after the process ended (a restart): the log file is
    appended to, so ``log()`` spans every incarnation.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        log_path: Path,
        user: str | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.cwd = cwd
        self.env = dict(env)
        self.log_path = log_path
        self.user = user
        self._proc: subprocess.Popen[bytes] | None = None
        self._started = 0.0
        self._offset = 0  # where this incarnation's output starts in the log

    @property
    def pid(self) -> int | None:
        """The leader's pid (also the process group id), or None before start."""
        return self._proc.pid if self._proc else None

    def start(self) -> None:
        """Spawn the process in a new session, output appended to the log file."""
        if self.alive():
            raise LiveError(f"{self.name} is already running (pid {self.pid})")
        reg = cleanup.registry()
        if self._proc is not None:
            self.forget_if_gone()
        with self.log_path.open("ab") as log:
            self._offset = log.tell()
            log.write(f"--- agentcheck: {' '.join(self.argv)}\n".encode())
            log.flush()
            try:
                self._proc = subprocess.Popen(
                    self.argv,
                    cwd=self.cwd,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    user=self.user,
                )
            except OSError as exc:
                raise LiveError(f"could not start {self.name}: {exc}") from None
        with contextlib.suppress(psutil.Error):
            self._started = psutil.Process(self._proc.pid).create_time()
        reg.add_group(self._proc.pid, self.name)

    def alive(self) -> bool:
        """Whether the leader process is still running."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        """The leader's exit status once it ended."""
        return self._proc.poll() if self._proc else None

    def members(self) -> list[psutil.Process]:
        """The living processes of the group (the leader and whatever it forked)."""
        if self._proc is None:
            return []
        self._proc.poll()  # reap the leader so it does not count as a member
        return cleanup.group_members(self._proc.pid, self._started)

    def send(self, sig: int) -> None:
        """Send ``sig`` to the whole process group.

        While the leader runs (or is an unreaped zombie) its pid cannot be reused, so the group
        id is safely ours; once it is reaped, only the members that are provably ours (see
        :func:`cleanup.group_members`) are signalled, one by one.
        """
        if self._proc is None:
            return
        if self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, sig)
            return
        for member in self.members():
            with contextlib.suppress(psutil.Error):
                member.send_signal(sig)

    def wait_gone(self, timeout: float) -> bool:
        """Wait until every process of the group has exited; whether they all did."""
        if self._proc is None:
            return True
        deadline = time.monotonic() + timeout
        try:
            self._proc.wait(timeout)  # the leader, reaped: alive() is exact afterwards
        except subprocess.TimeoutExpired:
            return False
        while True:
            if not self.members():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def stop(self, timeout: float = cleanup.GRACE, *, sig: int = signal.SIGTERM) -> None:
        """Send ``sig`` to the group, SIGKILL what remains after ``timeout``; forget it.

        Never raises.
        """
        if self._proc is None:
            return
        self.send(sig)
        if not self.wait_gone(timeout):
            self.send(signal.SIGKILL)
            self.wait_gone(timeout)
        with contextlib.suppress(Exception):
            self._proc.wait(timeout=1)
        cleanup.registry().release_group(self._proc.pid)

    def kill(self, sig: int, *, wait: bool, timeout: float) -> None:
        """Send ``sig`` to the group; with ``wait``, until it is gone (SIGKILL after timeout)."""
        self.send(sig)
        if not wait:
            return
        if not self.wait_gone(timeout):
            self.send(signal.SIGKILL)
            self.wait_gone(timeout)

    def forget_if_gone(self) -> None:
        """Drop the group from the registry once none of it runs any more."""
        if self._proc is not None and not self.members():
            cleanup.registry().release_group(self._proc.pid)

    def log(self) -> str:
        """The whole log so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = TAIL_LINES) -> str:
        """The end of the log of the current (or last) incarnation."""
        return log_tail(self.log_path, lines, start=self._offset)

    def address_in_use(self) -> bool:
        """Whether the log says the port was taken (the process exits or moves port then)."""
        return bool(_ADDRESS_IN_USE.search(self.tail(200)))

    def wait_ready(
        self,
        ready: Callable[[], bool],
        *,
        timeout: float,
        what: str,
        interval: float = 0.1,
    ) -> None:
        """Poll ``ready()`` until it is true; LiveError with the log tail if the process ends
        first or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise LiveError(
                    f"{self.name} exited with status {self.returncode} before {what}; "
                    f"last lines of its log ({self.log_path}):\n{self.tail()}"
                )
            if ready():
                return
            if time.monotonic() >= deadline:
                raise LiveError(
                    f"{self.name} did not become {what} within {timeout:g} s; "
                    f"last lines of its log ({self.log_path}):\n{self.tail()}"
                )
            time.sleep(interval)
