"""The user's nginx, for real, in front of the local replicas.

The config is parsed and rebuilt with crossplane. Only what ties it to its production machine is
changed; every other directive (buffering, gzip, timeouts, headers) is what gets tested:

* ``upstream`` servers and literal ``proxy_pass`` hosts point at the replicas (a ``proxy_pass``
  to a host becomes ``http://agentcheck_replicas`` with its URI kept);
* each ``server`` block listens on its own free loopback port (``ssl``, ``http2``, ``quic``,
  ``proxy_protocol`` dropped, and every ``ssl_*`` / ``proxy_ssl_*`` directive, whose certificate
  files are not here: the checks speak plain HTTP/1.1);
* ``user``, ``pid``, ``daemon``, ``master_process``, log and temp paths are neutralised: pid,
  logs and temp files live in the run's directory;
* ``include`` of files in the user's tree is inlined; includes of the machine's own files are
  kept only for nginx's shipped parameter files (``mime.types``, ``proxy_params``...), others
  (``conf.d/*.conf``, ``sites-enabled/*``) are dropped, as they are not the user's.

A full nginx.conf (with ``http``) is kept whole (``events`` added if missing); a snippet of
``server``/``upstream`` blocks (a ``conf.d`` file) is wrapped in ``events {}`` and ``http {}``
with the machine's ``mime.types``; a snippet of bare ``location`` blocks also gets a ``server``.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import crossplane

from agentcheck.errors import LiveError
from agentcheck.live.services import http
from agentcheck.live.services.ports import LOOPBACK, free_port
from agentcheck.live.services.processes import Server, child_env

__all__ = ["Nginx", "Rewritten", "rewrite"]

Directive = dict[str, Any]

#: The upstream added for ``proxy_pass`` targets that name a host rather than an upstream.
UPSTREAM = "agentcheck_replicas"

#: nginx's own parameter files, kept when a config includes them from the machine.
_SHIPPED = frozenset(
    {"mime.types", "proxy_params", "fastcgi_params", "fastcgi.conf", "uwsgi_params",
     "scgi_params", "koi-utf", "koi-win", "win-utf"}
)  # fmt: skip
#: Where nginx looks for its configuration inside an image; stripped to find the project's copy
#: (the same list as the lint model's, :mod:`agentcheck.deployment.nginx`).
_CONF_PREFIXES = (
    "/etc/nginx/",
    "/usr/local/nginx/conf/",
    "/usr/local/etc/nginx/",
    "/usr/local/openresty/nginx/conf/",
    "/opt/homebrew/etc/nginx/",
)
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


def _parse(path: Path) -> list[Directive]:
    payload = crossplane.parse(str(path), single=True, check_ctx=False, comments=False)
    if payload["status"] != "ok":
        error = payload["errors"][0]
        raise LiveError(f"{error['file']}:{error.get('line') or '?'}: {error['error']}")
    parsed: list[Directive] = payload["config"][0]["parsed"]
    return parsed


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


class _Rewriter:
    def __init__(
        self,
        source: Path,
        workdir: Path,
        backends: Sequence[tuple[str, int]],
        project: Path | None,
    ) -> None:
        self.source = source.resolve()
        self.tree = self.source.parent
        self.project = project.resolve() if project is not None else self.tree
        self.workdir = workdir
        self.backends = [f"{host}:{port}" for host, port in backends]
        self.notes: list[str] = []
        self.ports: list[int] = []
        self.entry: tuple[int, str] | None = None
        self.need_upstream = False
        self.caches = 0
        self.tls_dropped = False

    # -- includes --------------------------------------------------------------------------------

    def inline(self, block: list[Directive], base: Path, depth: int = 0) -> list[Directive]:
        out: list[Directive] = []
        for d in block:
            if d["directive"] == "include" and d["args"]:
                out.extend(self._include(d["args"][0], base, depth))
                continue
            if "block" in d:
                d["block"] = self.inline(d["block"], base, depth)
            out.append(d)
        return out

    def _include(self, pattern: str, base: Path, depth: int) -> list[Directive]:
        """The directives of the project's files ``pattern`` names, resolved like the lint
        model does: against the including file's directory, the main file's directory (nginx's
        prefix) and its parent; an absolute path first loses the in-image prefix
        (``/etc/nginx/conf.d/*.conf`` finds the project's ``conf.d/*.conf``)."""
        if depth > 16:
            raise LiveError(f"{self.source}: include nested too deeply (a loop?)")
        relative: str | None = pattern
        if os.path.isabs(pattern):
            relative = next(
                (pattern[len(p) :] for p in _CONF_PREFIXES if pattern.startswith(p)), None
            )
        bases = dict.fromkeys([base, self.tree, self.tree.parent])
        for where in bases if relative is not None else ():
            matches = sorted(glob.glob(os.path.normpath(where / str(relative))))
            mine = [m for m in matches if Path(m).resolve().is_relative_to(self.project)]
            if mine:
                out: list[Directive] = []
                for match in mine:
                    out.extend(self.inline(_parse(Path(match)), Path(match).parent, depth + 1))
                return out
        name = Path(pattern).name
        shipped = Path("/etc/nginx") / name
        if name in _SHIPPED and shipped.is_file():
            return [_d("include", str(shipped))]
        self.notes.append(f"dropped include {pattern!r}: not a file of the project")
        return []

    # -- the rewrite -----------------------------------------------------------------------------

    def run(self) -> list[Directive]:
        top = self.inline(_parse(self.source), self.tree)
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
        port = free_port()
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
    source: Path,
    workdir: Path,
    backends: Sequence[tuple[str, int]],
    *,
    project: Path | None = None,
) -> Rewritten:
    """Rewrite the nginx config ``source`` to run in ``workdir`` in front of ``backends``.

    Only files under ``project`` (default: the config's directory) are inlined by ``include``.
    """
    rewriter = _Rewriter(source, workdir, backends, project)
    try:
        config = rewriter.run()
    except (crossplane.errors.NgxParserBaseException, OSError) as exc:
        raise LiveError(f"cannot read nginx config {source}: {exc}") from None
    assert rewriter.entry is not None
    port, base = rewriter.entry
    text = crossplane.build(config, indent=4)
    return Rewritten(text + "\n", port, base, rewriter.ports, rewriter.notes)


class Nginx:
    """nginx running the rewritten config from ``directory`` (which the caller removes)."""

    def __init__(
        self,
        source: Path,
        directory: Path,
        backends: Sequence[tuple[str, int]],
        *,
        project: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.source = source
        self.project = project
        self.directory = directory
        self.backends = list(backends)
        self.timeout = timeout
        self.rewritten: Rewritten | None = None
        self._server: Server | None = None

    @property
    def url(self) -> str:
        """The base URL that reaches the agent through nginx."""
        assert self.rewritten is not None
        return f"http://{LOOPBACK}:{self.rewritten.port}{self.rewritten.base_path}"

    @property
    def conf(self) -> Path:
        """The rewritten config file."""
        return self.directory / "nginx.conf"

    def start(self) -> None:
        """Rewrite, test the config (``nginx -t``), start, wait until it answers HTTP."""
        binary = shutil.which("nginx") or (
            "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
        )
        if binary is None:
            raise LiveError("--agentcheck-proxy needs nginx; install the nginx package")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rewritten = rewrite(self.source, self.directory, self.backends, project=self.project)
        self.conf.write_text(self.rewritten.text, encoding="utf-8")
        argv = [binary, "-e", "stderr", "-p", str(self.directory), "-c", str(self.conf)]
        test = subprocess.run(
            [*argv, "-t", "-q"], capture_output=True, timeout=self.timeout, check=False
        )
        if test.returncode != 0:
            output = (test.stdout + test.stderr).decode("utf-8", "replace").strip()
            raise LiveError(
                f"nginx rejects {self.source} (rewritten to {self.conf}):\n{output}"
                + self._quote(output)
            )
        self._server = Server(
            "nginx",
            [*argv, "-g", "daemon off;"],
            cwd=self.directory,
            env=child_env(),
            log_path=self.directory / "nginx.out",
        )
        self._server.start()
        self._server.wait_ready(
            lambda: http.status(f"http://{LOOPBACK}:{self.rewritten.port}/") is not None,  # type: ignore[union-attr]
            timeout=self.timeout,
            what="answering HTTP",
        )

    @property
    def server(self) -> Server | None:
        """The server process, once started."""
        return self._server

    def _quote(self, output: str) -> str:
        """The rewritten line nginx complains about (its numbers are not the user's)."""
        found = re.search(re.escape(str(self.conf)) + r":(\d+)", output)
        if found is None or self.rewritten is None:
            return ""
        lines = self.rewritten.text.splitlines()
        number = int(found.group(1))
        if not 0 < number <= len(lines):
            return ""
        return f"\nline {number} of the rewritten config: {lines[number - 1].strip()}"

    def stop(self) -> None:
        """Stop nginx (fast shutdown); never raises."""
        if self._server is not None:
            self._server.stop()

    def log(self) -> str:
        """nginx's error log, then its access log."""
        parts = []
        for name in ("nginx.out", "error.log", "access.log"):
            try:
                text = (self.directory / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if text.strip():
                parts.append(f"--- {name}\n{text}")
        return "\n".join(parts)
