"""The user's nginx config, rewritten to run here in front of the replicas: a pure function.

The config is parsed, and its includes resolved, by the deployment model's reader
(:mod:`agentcheck.deployment.nginx`, the same as lint's); :func:`rewrite` only changes what ties
it to its production machine. Every other directive (buffering, gzip, timeouts, headers) is what
gets tested:

* ``upstream`` servers and literal ``proxy_pass`` hosts point at the replicas (a ``proxy_pass``
  to a host becomes ``http://agentcheck_replicas`` with its URI kept);
* each ``server`` block listens on its own free loopback port (``ssl``, ``http2``, ``quic``,
  ``proxy_protocol`` dropped, and every ``ssl_*`` / ``proxy_ssl_*`` directive, whose certificate
  files are not here: the checks speak plain HTTP/1.1);
* ``user``, ``pid``, ``daemon``, ``master_process``, log and temp paths are neutralised: pid,
  logs and temp files live in the run's directory;
* includes of nginx's shipped parameter files (``mime.types``, ``proxy_params``...) are kept
  from this machine; includes that are not the project's (``conf.d/*.conf`` of the machine) are
  dropped, with a note.

A full nginx.conf (with ``http``) is kept whole (``events`` added if missing); a snippet of
``server``/``upstream`` blocks (a ``conf.d`` file) is wrapped in ``events {}`` and ``http {}``
with the machine's ``mime.types``; a snippet of bare ``location`` blocks also gets a ``server``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.deployment.nginx import STOCK_INCLUDES, effective_idle_timeout
from agentcheck.errors import LiveError
from agentcheck.live.services.ports import LOOPBACK, free_port

if TYPE_CHECKING:
    from agentcheck.deployment.nginx import Directive as Parsed
    from agentcheck.deployment.nginx import NginxConfig

__all__ = ["UPSTREAM", "Read", "Rewritten", "rewrite"]

Directive = dict[str, Any]

#: The upstream added for ``proxy_pass`` targets that name a host rather than an upstream.
UPSTREAM = "agentcheck_replicas"

_TEMP_PATHS = (
    "client_body_temp_path",
    "proxy_temp_path",
    "fastcgi_temp_path",
    "uwsgi_temp_path",
    "scgi_temp_path",
)
_TLS = frozenset({"ssl", "http2", "http3", "quic", "quic_retry", "quic_gso", "quic_host_key"})
_MAIN_DROPPED = frozenset({"user", "daemon", "master_process", "pid", "error_log"})
_LISTEN_KEPT = ("default_server", "default", "backlog=", "rcvbuf=", "sndbuf=", "deferred")
_HTTP_CONTEXT = frozenset({"server", "upstream", "map", "geo", "log_format", "limit_req_zone"})


@dataclass(frozen=True)
class Read:
    """A config as :func:`read` found it."""

    config: NginxConfig
    #: Include patterns that matched none of the project's files (``conf.d/*.conf`` of the
    #: machine): nginx accepts them, the rewrite notes that they were left out.
    dropped: tuple[str, ...] = ()


@dataclass
class Rewritten:
    """The result of :func:`rewrite`."""

    #: The config nginx runs.
    text: str
    #: The port of the ``server`` block that proxies to the agent.
    port: int
    #: The path prefix under which that block reaches the agent (``""`` or e.g. ``/api``).
    base_path: str
    #: Every port given to a ``server`` block.
    ports: list[int] = field(default_factory=list)
    #: What was changed beyond the documented rewrites (dropped includes, ...).
    notes: list[str] = field(default_factory=list)
    #: The effective ``proxy_read_timeout`` where it proxies to the agent (seconds), or None.
    idle_timeout: float | None = None


def _d(directive: str, *args: str, block: list[Directive] | None = None) -> Directive:
    out: Directive = {"directive": directive, "args": list(args)}
    if block is not None:
        out["block"] = block
    return out


def _walk(block: list[Directive]) -> Iterator[Directive]:
    for d in block:
        yield d
        if "block" in d:
            yield from _walk(d["block"])


def _plain(statements: Sequence[Parsed]) -> list[Directive]:
    """The reader's directives as crossplane's mutable dictionaries."""
    out: list[Directive] = []
    for stmt in statements:
        d = _d(stmt.name, *stmt.args)
        if stmt.block is not None:
            d["block"] = _plain(stmt.block)
        out.append(d)
    return out


class _Rewriter:
    def __init__(
        self,
        source: str,
        workdir: Path,
        backends: Sequence[tuple[str, int]],
        ports: Callable[[], int],
    ) -> None:
        self.source = source
        self.workdir = workdir
        self.backends = [f"{host}:{port}" for host, port in backends]
        self.free_port = ports
        self.notes: list[str] = []
        self.ports: list[int] = []
        self.entry: tuple[int, str] | None = None
        self.need_upstream = False
        self.caches = 0
        self.tls_dropped = False

    # -- the rewrite -----------------------------------------------------------------------------

    def includes(self, block: list[Directive]) -> list[Directive]:
        """Includes the reader left in the tree: nginx's shipped parameter files are kept
        (from this machine), files that are not the project's are dropped."""
        out: list[Directive] = []
        for d in block:
            if d["directive"] == "include" and d["args"]:
                name = PurePosixPath(d["args"][0]).name
                shipped = Path("/etc/nginx") / name
                if name in STOCK_INCLUDES and shipped.is_file():
                    out.append(_d("include", str(shipped)))
                elif name not in STOCK_INCLUDES:
                    pattern = d["args"][0]
                    self.notes.append(f"dropped include {pattern!r}: not a file of the project")
                continue
            if "block" in d:
                d["block"] = self.includes(d["block"])
            out.append(d)
        return out

    def run(self, statements: list[Directive]) -> list[Directive]:
        top = self.includes(statements)
        names = {d["directive"] for d in top}
        if "http" not in names:
            if names & _HTTP_CONTEXT or not names <= {"location"}:
                http_block = top
            else:
                http_block = [_d("server", block=top)]
            mime = Path("/etc/nginx/mime.types")
            head = [_d("include", str(mime))] if mime.is_file() else []
            top = [_d("events", block=[]), _d("http", block=head + http_block)]
        top = [d for d in top if self._keep_main(d)]
        if not any(d["directive"] == "events" for d in top):
            top.insert(0, _d("events", block=[]))
        main = [_d("pid", str(self.workdir / "nginx.pid")),
                _d("error_log", str(self.workdir / "error.log"), "warn")]  # fmt: skip
        if os.geteuid() == 0:
            main.insert(0, _d("user", "root"))  # workers must reach the run's directory
        for http_d in (d for d in top if d["directive"] == "http"):
            self._http(http_d["block"])
        if self.entry is None:
            raise LiveError(
                f"{self.source}: no server block proxies to the agent (no proxy_pass found)"
            )
        return main + top

    def _keep_main(self, d: Directive) -> bool:
        if d["directive"] in _MAIN_DROPPED:
            return False
        if d["directive"] in {"stream", "mail"}:  # they would listen on the machine's ports
            self.notes.append(f"dropped the {d['directive']} block: only HTTP is checked")
            return False
        if d["directive"] == "load_module" and d["args"]:
            module = d["args"][0]
            path = Path(module) if os.path.isabs(module) else Path("/usr/share/nginx") / module
            if not path.exists():
                self.notes.append(f"dropped load_module {module!r}: not on this machine")
                return False
        return True

    def _without_tls(self, block: list[Directive]) -> list[Directive]:
        """``block`` without TLS directives: nginx loads certificates even when no listen uses
        them, and the production ones are not here."""
        out = []
        for d in block:
            if d["directive"] in _TLS or d["directive"].startswith(("ssl_", "proxy_ssl_")):
                self.tls_dropped = True
                continue
            if "block" in d:
                d["block"] = self._without_tls(d["block"])
            out.append(d)
        return out

    def _http(self, block: list[Directive]) -> None:
        block[:] = self._without_tls(block)
        if self.tls_dropped:
            self.notes.append("TLS directives dropped: the checks speak plain HTTP to nginx")
        upstreams = {d["args"][0] for d in block if d["directive"] == "upstream" and d["args"]}
        formats = {d["args"][0] for d in _walk(block) if d["directive"] == "log_format"}
        present = {d["directive"] for d in block}
        for name in _TEMP_PATHS:
            if name not in present:
                block.insert(0, _d(name, str(self.workdir / name.removesuffix("_path"))))
        if "access_log" not in present:  # else the compiled-in path, outside the run directory
            block.insert(0, _d("access_log", str(self.workdir / "access.log")))
        for d in _walk(block):
            self._paths(d, formats)
        for d in block:
            if d["directive"] == "upstream":
                d["block"] = self._upstream(d["block"])
        for server in (d for d in block if d["directive"] == "server"):
            self._server(server, upstreams)
        if self.need_upstream:
            block.append(_d("upstream", UPSTREAM, block=[_d("server", b) for b in self.backends]))

    def _paths(self, d: Directive, formats: set[str]) -> None:
        name, args = d["directive"], d["args"]
        if name == "error_log" and args:
            args[0] = str(self.workdir / "error.log")
        elif name == "access_log" and args and args[0] != "off":
            args[0] = str(self.workdir / "access.log")
            if len(args) > 1 and "=" not in args[1] and args[1] not in formats | {"combined"}:
                self.notes.append(f"access_log format {args[1]!r} is not defined here")
                del args[1]
        elif name in _TEMP_PATHS and args:
            args[0] = str(self.workdir / name.removesuffix("_path"))
        elif name == "proxy_cache_path" and args:
            self.caches += 1
            args[0] = str(self.workdir / f"cache-{self.caches}")

    def _upstream(self, block: list[Directive]) -> list[Directive]:
        servers = [d for d in block if d["directive"] == "server"]
        params = [
            a for a in (servers[0]["args"][1:] if servers else [])
            if a not in {"backup", "down", "resolve"} and not a.startswith("service=")
        ]  # fmt: skip
        mine = [_d("server", b, *params) for b in self.backends]
        out: list[Directive] = []
        for d in block:
            if d["directive"] != "server":
                out.append(d)
            elif d is servers[0]:
                out.extend(mine)
        return out if servers else mine + out

    def _server(self, server: Directive, upstreams: set[str]) -> None:
        block: list[Directive] = server["block"]
        listens = [d for d in block if d["directive"] == "listen"]
        kept = [
            a for a in (listens[0]["args"][1:] if listens else [])
            if a.startswith(_LISTEN_KEPT)
        ]  # fmt: skip
        port = self.free_port()
        self.ports.append(port)
        at = block.index(listens[0]) if listens else 0
        block[:] = [d for d in block if d["directive"] != "listen"]
        block.insert(min(at, len(block)), _d("listen", f"{LOOPBACK}:{port}", *kept))
        for location, proxy in self._proxies(block):
            base = self._proxy_pass(proxy, upstreams)
            if self.entry is None:
                self.entry = (port, self._base_path(location, base))

    def _proxies(
        self, block: list[Directive], location: Directive | None = None
    ) -> Iterator[tuple[Directive | None, Directive]]:
        for d in block:
            if d["directive"] == "proxy_pass":
                yield location, d
            elif "block" in d:
                yield from self._proxies(
                    d["block"], d if d["directive"] == "location" else location
                )

    def _proxy_pass(self, d: Directive, upstreams: set[str]) -> str:
        """Point ``d`` at the replicas; return the URI part it keeps ("" if none)."""
        target: str = d["args"][0]
        scheme, sep, rest = target.partition("://")
        if not sep:
            raise LiveError(f"{self.source}: cannot read proxy_pass {target!r}")
        if rest.startswith("unix:"):
            host, _, uri = rest.partition(":/")[2].partition(":")
            uri = uri or ""
            host = "unix"
        else:
            host, slash, uri = rest.partition("/")
            uri = slash + uri
        if "$" in host:
            raise LiveError(
                f"{self.source}: proxy_pass {target!r} names its backend through a variable; "
                "agentcheck can only point literal hosts and upstreams at the local replicas"
            )
        if scheme != "http":
            self.notes.append(f"proxy_pass {target!r}: {scheme} to the replicas is plain http")
        if host in upstreams:
            d["args"][0] = f"http://{host}{uri}"
        else:
            self.need_upstream = True
            d["args"][0] = f"http://{UPSTREAM}{uri}"
        return uri

    @staticmethod
    def _base_path(location: Directive | None, uri: str) -> str:
        """The prefix a client must use to reach the agent's root through this location."""
        if location is None or len(location["args"]) != 1 or uri != "/":
            return ""
        return str(location["args"][0]).rstrip("/")


def rewrite(
    read: Read,
    workdir: Path,
    backends: Sequence[tuple[str, int]],
    *,
    ports: Callable[[], int] = free_port,
) -> Rewritten:
    """The config :func:`agentcheck.live.services.nginx.read` read, rewritten to run in
    ``workdir`` in front of ``backends``; ``ports`` hands out the ports its servers listen on.

    Raises LiveError when it cannot run here: a parse error, no ``proxy_pass``, a backend named
    through a variable.
    """
    import crossplane

    config = read.config
    if config.errors:
        error = config.errors[0]
        raise LiveError(
            f"cannot read nginx config {config.path}: {error.file}:{error.line}: {error.message}"
        )
    rewriter = _Rewriter(config.path, workdir, backends, ports)
    for pattern in read.dropped:
        if any(stmt.args[0] == pattern for stmt in config.unresolved):
            continue  # still in the tree: dropped (and noted) where it stands
        rewriter.notes.append(f"dropped include {pattern!r}: not a file of the project")
    statements = rewriter.run(_plain(config.statements))
    assert rewriter.entry is not None
    port, base = rewriter.entry
    text = crossplane.build(statements, indent=4)
    timeout = effective_idle_timeout(config)
    return Rewritten(text + "\n", port, base, rewriter.ports, rewriter.notes, timeout)
