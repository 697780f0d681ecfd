"""Leave nothing behind: a registry of what this run started, and a sweep of dead runs.

Every process group and temporary directory a runtime creates is recorded in the process-wide
:class:`Registry`, which mirrors itself into a marker file
``<tmp>/agentcheck-runs-<uid>/<pid>.json``.
Every child also carries ``AGENTCHECK_RUN_ID`` in its environment. The registry cleans up:

* when a deployment stops (the normal path: each releases what it started);
* at interpreter exit (``atexit``: a failing ``pytest -x``, Ctrl-C, an exception);
* on SIGTERM and SIGHUP (the default action would skip ``atexit``), then the signal proceeds;
* when the process dies without any of that (``kill -9``): a watchdog process, started with the
  first record in its own session, holds the read end of a pipe only the owner writes to; the
  owner's death closes it, and the watchdog cleans up after it at once (the servers die with
  their parent, whatever forked them). Linux's parent-death signal would reach only direct
  children, and fires when the thread that forked them ends, not the process.

:func:`sweep` at the start of the next run stays as a last resort (a watchdog that was killed
too): it reads the markers of runs whose owning process is dead, stops their process groups,
stops any process still carrying their run id, and removes their directories.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import psutil  # type: ignore[import-untyped]  # no stubs installed

from agentcheck.live.services.groups import (
    GRACE,
    create_time,
    group_members,
    remove_dir,
    same_process,
    signal_all,
    stop_group,
    wait_gone,
)

__all__ = [
    "GRACE",
    "RUN_ID_ENV",
    "Registry",
    "group_members",
    "registry",
    "remove_dir",
    "runs_dir",
    "stop_group",
    "sweep",
    "wait_gone",
]

logger = logging.getLogger(__name__)

#: The environment variable every child process carries, naming the run that started it.
RUN_ID_ENV = "AGENTCHECK_RUN_ID"


def runs_dir() -> Path:
    """The well-known directory holding one marker file per live run (one per user)."""
    return Path(tempfile.gettempdir()) / f"agentcheck-runs-{os.getuid()}"


@dataclass(frozen=True)
class _Group:
    pgid: int
    started: float  # the leader's create_time, to tell a reused pid apart
    what: str


class Registry:
    """What this process started: process groups and directories, mirrored to a marker file."""

    def __init__(self, directory: Path | None = None) -> None:
        self.run_id = uuid.uuid4().hex
        self.owner = os.getpid()
        self._dir = directory or runs_dir()
        self._marker = self._dir / f"{self.owner}.json"
        self._groups: dict[int, _Group] = {}
        self._dirs: list[str] = []
        self._finalizers: dict[str, Callable[[], None]] = {}
        self._lock = threading.RLock()
        self._hooked = False
        self._watchdog: int | None = None

    @property
    def marker(self) -> Path:
        """This run's marker file."""
        return self._marker

    def env(self) -> dict[str, str]:
        """Environment entries every child process must carry."""
        return {RUN_ID_ENV: self.run_id}

    def add_group(self, pid: int, what: str) -> None:
        """Record process group ``pid`` (a leader started with ``start_new_session=True``)."""
        with self._lock:
            self._groups[pid] = _Group(pid, create_time(pid) or time.time(), what)
            self._save()

    def release_group(self, pid: int) -> None:
        """Forget process group ``pid`` (its owner stopped it)."""
        with self._lock:
            if self._groups.pop(pid, None) is not None:
                self._save()

    def add_dir(self, path: Path | str) -> None:
        """Record a temporary directory to remove at cleanup."""
        with self._lock:
            self._dirs.append(str(path))
            self._save()

    def release_dir(self, path: Path | str) -> None:
        """Forget directory ``path`` (its owner removed it)."""
        with self._lock:
            if str(path) in self._dirs:
                self._dirs.remove(str(path))
                self._save()

    def add_finalizer(self, key: str, action: Callable[[], None]) -> None:
        """Run ``action`` at cleanup (exit, SIGTERM, SIGHUP) unless released first: for what
        is neither a process group nor a directory (the docker runtime's containers)."""
        with self._lock:
            self._finalizers[key] = action
        self._hook()

    def release_finalizer(self, key: str) -> None:
        """Forget the finalizer ``key`` (its owner cleaned up)."""
        with self._lock:
            self._finalizers.pop(key, None)

    def mkdtemp(self, prefix: str = "agentcheck-") -> Path:
        """A new temporary directory, recorded."""
        path = Path(tempfile.mkdtemp(prefix=prefix))
        self.add_dir(path)
        return path

    def cleanup(self) -> None:
        """Stop every recorded group and remove every recorded directory. Never raises.

        Does nothing in a forked child: only the process that started things cleans them up.
        """
        if os.getpid() != self.owner:
            return
        with self._lock:
            groups = list(self._groups.values())
            dirs = list(self._dirs)
            finalizers = list(self._finalizers.values())
            self._groups.clear()
            self._dirs.clear()
            self._finalizers.clear()
        for action in finalizers:
            try:
                action()
            except Exception:  # pragma: no cover - cleanup must not raise
                logger.exception("agentcheck: a cleanup finalizer failed")
        for group in groups:
            try:
                stop_group(group.pgid, group.started)
            except Exception:  # pragma: no cover - cleanup must not raise
                logger.exception("agentcheck: could not stop %s (pgid %d)", group.what, group.pgid)
        for path in dirs:
            remove_dir(path)
        with self._lock:
            if not self._groups and not self._dirs:
                self._marker.unlink(missing_ok=True)

    def _save(self) -> None:
        if os.getpid() != self.owner:
            return
        self._hook()
        if not self._groups and not self._dirs:
            self._marker.unlink(missing_ok=True)
            return
        data: dict[str, Any] = {
            "run_id": self.run_id,
            "pid": self.owner,
            "started": create_time(self.owner),
            "groups": [[g.pgid, g.started, g.what] for g in self._groups.values()],
            "dirs": self._dirs,
        }
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self._marker.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self._marker)

    def _hook(self) -> None:
        if self._hooked:
            return
        self._hooked = True
        atexit.register(self.cleanup)
        self._start_watchdog()
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) is signal.SIG_DFL:
                signal.signal(sig, self._on_signal)

    def _start_watchdog(self) -> None:
        """A process in its own session that cleans up after this one when it dies."""
        read, write = os.pipe()
        try:
            subprocess.Popen(
                [sys.executable, "-m", __name__, str(self._marker)],
                stdin=read,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
                env={**os.environ, RUN_ID_ENV: ""},
            )
        except OSError:  # pragma: no cover - the next run's sweep still cleans up
            os.close(write)
            return
        finally:
            os.close(read)
        self._watchdog = write  # not inheritable: only this process holds it open

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.cleanup()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


_registry: Registry | None = None
_registry_lock = threading.Lock()


def registry() -> Registry:
    """The registry of this process (created on first use; a forked child gets its own)."""
    global _registry
    with _registry_lock:
        if _registry is None or _registry.owner != os.getpid():
            _registry = Registry()
        return _registry


def sweep(directory: Path | None = None) -> list[str]:
    """Clean up after runs that died without cleaning up; return what was cleaned.

    A run is dead when the process that wrote its marker is gone (or its pid now belongs to a
    younger process). Safe to call at any time: live runs, this one included, are left alone.
    """
    directory = directory or runs_dir()
    cleaned: list[str] = []
    if not directory.is_dir():
        return cleaned
    for marker in sorted(directory.glob("*.json")):
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
            pid, started = int(data["pid"]), data.get("started")
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if pid == os.getpid() or (started is not None and same_process(pid, float(started))):
            continue
        if started is None and psutil.pid_exists(pid):
            continue
        cleaned.extend(_clean(marker, data))
    return cleaned


def _clean(marker: Path, data: dict[str, Any]) -> list[str]:
    """Stop what the run of ``marker`` recorded, remove its directories and the marker."""
    cleaned = []
    for pgid, group_started, what in data.get("groups", []):
        stop_group(int(pgid), float(group_started))
        cleaned.append(f"{what} (pgid {pgid})")
    run_id = data.get("run_id")
    if run_id:
        cleaned.extend(_stop_tagged(str(run_id)))
    for path in data.get("dirs", []):
        remove_dir(str(path))
        cleaned.append(str(path))
    marker.unlink(missing_ok=True)
    return cleaned


def watchdog(marker: Path) -> None:
    """Wait until the owner of ``marker`` ends (standard input closes), then clean after it."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except OSError:
        pass
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # it cleaned up after itself
    if isinstance(data, dict):
        _clean(marker, data)


def _stop_tagged(run_id: str) -> list[str]:
    """Stop processes whose environment names ``run_id`` (escapees from their group)."""
    tagged = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if proc.pid != os.getpid() and proc.environ().get(RUN_ID_ENV) == run_id:
                tagged.append(proc)
    if tagged:
        signal_all(tagged, signal.SIGTERM)
        alive = wait_gone(tagged, GRACE)
        signal_all(alive, signal.SIGKILL)
        wait_gone(alive, GRACE)
    return [f"pid {p.pid}" for p in tagged]


if __name__ == "__main__":  # the watchdog of one run
    watchdog(Path(sys.argv[1]))
