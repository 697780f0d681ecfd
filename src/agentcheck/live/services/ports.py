"""Free loopback ports, and proof that a server listens on the port it was given.

A port is chosen by binding to port 0 on 127.0.0.1 and closing the socket; ports handed out by
this process are remembered so two replicas never get the same one. Because another program may
take the port between the check and the server's bind (and ``langgraph dev`` then silently moves
to another port), :func:`owner_listens` checks afterwards that the port is held by the server's
own processes.
"""

from __future__ import annotations

import socket
import threading

import psutil  # type: ignore[import-untyped]  # no stubs installed

__all__ = ["LOOPBACK", "free_port", "is_free", "listening_ports", "owner_listens"]

#: Every server agentcheck starts binds here; no traffic leaves the machine.
LOOPBACK = "127.0.0.1"

_given: set[int] = set()
_lock = threading.Lock()


def is_free(port: int, host: str = LOOPBACK) -> bool:
    """Whether a server could listen on ``host:port`` now.

    Like servers do, the probe sets ``SO_REUSEADDR``: connections of a killed server lingering
    in TIME_WAIT do not keep its port from being bound again; a listening socket does.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on ``host`` that is free now and not yet handed out by this process."""
    with _lock:
        for _ in range(100):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((host, 0))
                port: int = sock.getsockname()[1]
            if port not in _given:
                _given.add(port)
                return port
    raise OSError(f"no free TCP port found on {host}")  # pragma: no cover


def listening_ports(pid: int) -> set[int]:
    """TCP ports that process ``pid`` or any of its descendants listens on."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return set()
    ports: set[int] = set()
    for proc in procs:
        try:
            conns = proc.net_connections(kind="tcp")
        except psutil.Error:
            continue
        ports.update(c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN and c.laddr)
    return ports


def owner_listens(pid: int, port: int) -> bool:
    """Whether ``port`` is listened on by ``pid`` or one of its descendants."""
    return port in listening_ports(pid)
