"""agentcheck's egress guard, loaded by every Python server a live run starts (PYTHONPATH).

It does nothing unless ``AGENTCHECK_EGRESS_REPORT`` is set. Then a connection or a name lookup
outside loopback and ``AGENTCHECK_ALLOW_HOSTS`` is refused before any DNS query, reported to the
guard (``CONNECT host:port`` with ``X-Agentcheck-Blocked``) and logged on stderr; uvloop's loop
is guarded the same way when it is imported. Two more stand-ins keep a sealed run working:
settings named in ``AGENTCHECK_OWNED_ENV`` survive ``load_dotenv(override=True)``, and tiktoken
gets a byte-level encoding instead of downloading OpenAI's (token counts differ; nothing else).
Only the standard library is imported here: it runs before anything else in the server.
"""

import base64
import errno
import hashlib
import importlib.abc
import importlib.machinery
import ipaddress
import os
import socket
import sys
import tempfile
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_REPORT = os.environ.get("AGENTCHECK_EGRESS_REPORT", "")
_ALLOWED = [h.strip().lower() for h in os.environ.get("AGENTCHECK_ALLOW_HOSTS", "").split(",")]
_OWNED = {
    name: os.environ[name]
    for name in os.environ.get("AGENTCHECK_OWNED_ENV", "").split(",")
    if name in os.environ
}
_RESOLVED: set[str] = set()
_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _allowed(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).strip("[]").lower().split("%")[0]
    if name in ("", "localhost") or name.endswith(".localhost") or name in _RESOLVED:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = None
    if address is not None:
        return address.is_loopback or address.is_unspecified
    for allowed in _ALLOWED:
        if allowed and (
            name == allowed
            or (allowed.startswith("*.") and name.endswith(allowed[1:]))
            or (allowed.startswith(".") and name.endswith(allowed))
        ):
            return True
    return False


def _blocked(host: object, port: object) -> str:
    """Report and log a refused connection; the message for the error raised."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    where = f"{host}:{port}"
    try:
        sys.stderr.write(f"agentcheck: blocked egress to {where}\n")
        guard_host, _, guard_port = _REPORT.rpartition(":")
        with socket.socket() as sock:
            sock.settimeout(1.0)
            _connect(sock, (guard_host, int(guard_port)))
            request = (
                f"CONNECT {where} HTTP/1.1\r\nHost: {where}\r\nX-Agentcheck-Blocked: 1\r\n\r\n"
            )
            sock.sendall(request.encode())
            sock.recv(64)
    except (OSError, ValueError):
        pass
    return (
        f"agentcheck sealed egress: {where} is outside loopback; fake it, or allow it with "
        "[tool.agentcheck.live] allow-hosts"
    )


def _remember(infos: Any) -> Any:
    for info in infos:
        _RESOLVED.add(str(info[4][0]).lower())
    return infos


def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    if not _allowed(host):
        raise socket.gaierror(socket.EAI_NONAME, _blocked(host, port))
    return _remember(_getaddrinfo(host, port, *args, **kwargs))


def _check(sock: socket.socket, address: Any) -> None:
    inet = sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple)
    if inet and not _allowed(address[0]):
        raise ConnectionRefusedError(errno.ECONNREFUSED, _blocked(address[0], address[1]))


def connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    return _connect(self, address)


def connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _connect_ex(self, address)


def _guard_uvloop(module: Any) -> None:
    loop = module.Loop
    create_connection, resolve = loop.create_connection, loop.getaddrinfo

    async def guarded_connection(
        self: Any,
        protocol_factory: Any,
        host: Any = None,
        port: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if host is not None and not _allowed(host):
            raise ConnectionRefusedError(errno.ECONNREFUSED, _blocked(host, port))
        return await create_connection(self, protocol_factory, host, port, *args, **kwargs)

    async def guarded_getaddrinfo(
        self: Any, host: Any, port: Any, *args: Any, **kwargs: Any
    ) -> Any:
        if not _allowed(host):
            raise socket.gaierror(socket.EAI_NONAME, _blocked(host, port))
        return _remember(await resolve(self, host, port, *args, **kwargs))

    loop.create_connection = guarded_connection
    loop.getaddrinfo = guarded_getaddrinfo


def _keep_owned(module: Any) -> None:
    owners: list[Any] = [module, sys.modules.get("dotenv.main")]
    for owner in owners:
        original = getattr(owner, "load_dotenv", None)
        if original is None or getattr(original, "agentcheck", False):
            continue

        def load_dotenv(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            loaded = _original(*args, **kwargs)
            os.environ.update(_OWNED)
            return loaded

        setattr(load_dotenv, "agentcheck", True)  # noqa: B010 - marks it as ours
        owner.load_dotenv = load_dotenv


_OPENAI_BLOBS = "https://openaipublic.blob.core.windows.net/"


def _stand_in_for_tiktoken(module: Any) -> None:
    read_file_cached = module.read_file_cached

    def guarded(blobpath: str, expected_hash: str | None = None) -> bytes:
        if not str(blobpath).startswith(_OPENAI_BLOBS) or not str(blobpath).endswith(".tiktoken"):
            return bytes(read_file_cached(blobpath, expected_hash))
        cache = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
        cache = cache or os.path.join(tempfile.gettempdir(), "data-gym-cache")
        key = hashlib.sha1(str(blobpath).encode()).hexdigest()
        if os.path.exists(os.path.join(cache, key)):
            return bytes(read_file_cached(blobpath, expected_hash))
        ranks = (base64.b64encode(bytes([i])) + b" " + str(i).encode() for i in range(256))
        return b"\n".join(ranks) + b"\n"

    module.read_file_cached = guarded


_AFTER_IMPORT: dict[str, Callable[[Any], None]] = {
    "uvloop": _guard_uvloop,
    "dotenv": _keep_owned,
    "tiktoken.load": _stand_in_for_tiktoken,
}


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: Any, patch: Callable[[Any], None]) -> None:
        self.inner, self.patch = inner, patch

    def create_module(self, spec: Any) -> Any:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        try:
            self.patch(module)
        except Exception as exc:  # a guard must never break the server's imports
            sys.stderr.write(f"agentcheck: could not guard {module.__name__}: {exc}\n")


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> Any:
        patch = _AFTER_IMPORT.get(fullname)
        if patch is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, patch)
        return spec


if _REPORT:
    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    sys.meta_path.insert(0, _Finder())
    for _name, _patch in _AFTER_IMPORT.items():
        if _name in sys.modules:
            _patch(sys.modules[_name])
