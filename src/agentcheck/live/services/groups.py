"""Process groups: find their living members without touching a reused id, signal and stop
them, and wait until they are gone.

A runtime starts each server as the leader of its own group and records ``(pgid, the leader's
creation time)``; these functions act on that pair only, so a group id that Linux handed to
someone else after the recorded group ended is left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from collections.abc import Iterable
from pathlib import Path

import psutil  # type: ignore[import-untyped]  # no stubs installed

__all__ = [
    "GRACE",
    "create_time",
    "group_members",
    "remove_dir",
    "same_process",
    "signal_all",
    "stop_group",
    "wait_gone",
]

#: Seconds a process group gets between SIGTERM and SIGKILL when cleaning up.
GRACE = 5.0


def create_time(pid: int) -> float | None:
    """When process ``pid`` was created (seconds since the epoch), or None if it is gone."""
    try:
        return float(psutil.Process(pid).create_time())
    except psutil.Error:
        return None


def same_process(pid: int, started: float) -> bool:
    """Process ``pid`` exists and is the one created at ``started`` (not a reused id)."""
    created = create_time(pid)
    return created is not None and abs(created - started) < 0.5


def group_members(pgid: int, started: float) -> list[psutil.Process]:
    """Living (non-zombie) processes of the group whose leader was pid ``pgid``, created at
    ``started``.

    Linux never gives a new process the id of a group that still has members, so if a process
    with pid ``pgid`` exists but was created at another time, the id was reused after the
    recorded group ended: it is someone else's group, and the answer is empty.
    """
    leader = create_time(pgid)
    if leader is not None and abs(leader - started) >= 0.5:
        return []
    members = []
    for proc in psutil.process_iter(["status", "create_time"]):
        try:
            if os.getpgid(proc.pid) != pgid:
                continue
        except OSError:
            continue
        if proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if proc.info["create_time"] is not None and proc.info["create_time"] < started - 0.5:
            continue
        members.append(proc)
    return members


def stop_group(pgid: int, started: float, *, grace: float = GRACE) -> None:
    """SIGTERM process group ``pgid``, SIGKILL what is left after ``grace`` seconds.

    ``started`` is the leader's creation time; members created before it belong to another
    group that reused the id and are left alone. The group is listed again after the grace: a
    member forked while the others shut down (a supervisor that respawns a worker, a shell's
    trap) got no SIGTERM and would outlive the rest. Never raises.
    """
    members = group_members(pgid, started)
    if not members:
        return
    signal_all(members, signal.SIGTERM)
    wait_gone(members, grace)
    deadline = time.monotonic() + grace
    while left := group_members(pgid, started):
        signal_all(left, signal.SIGKILL)
        wait_gone(left, max(0.0, deadline - time.monotonic()))
        if time.monotonic() >= deadline:
            break


def _running(proc: psutil.Process) -> bool:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(proc.pid, os.WNOHANG)  # reap it if it is our child
    try:
        return bool(proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def wait_gone(procs: Iterable[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait up to ``timeout`` seconds for ``procs`` to end; return those still running.

    A zombie counts as ended: an orphan's zombie lingers until init reaps it, which in a
    container may take a while.
    """
    deadline = time.monotonic() + timeout
    alive = list(procs)
    while alive:
        alive = [p for p in alive if _running(p)]
        if not alive or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    return alive


def signal_all(procs: Iterable[psutil.Process], sig: int) -> None:
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.send_signal(sig)


def remove_dir(path: Path | str) -> None:
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
