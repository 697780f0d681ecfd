"""An nginx configuration as agentcheck reads it: directives, proxying locations and nginx's
inheritance of settings, and nginx's defaults and time syntax."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from agentcheck.scalars import parse_url

#: nginx's defaults for the directives agentcheck reads (http/server/location context).
DEFAULTS: Final[dict[str, tuple[str, ...]]] = {
    "proxy_buffering": ("on",),
    "proxy_read_timeout": ("60s",),
    "proxy_send_timeout": ("60s",),
    "proxy_http_version": ("1.0",),
    "proxy_cache": ("off",),
    "proxy_ignore_headers": (),
    "gzip": ("off",),
    "gzip_types": ("text/html",),
    "brotli": ("off",),
    "brotli_types": ("text/html",),
}

#: Includes shipped with nginx packages that set headers, parameters or MIME types only.
STOCK_INCLUDES: Final = frozenset(
    {
        "mime.types",
        "proxy_params",
        "fastcgi_params",
        "fastcgi.conf",
        "uwsgi_params",
        "scgi_params",
        "koi-utf",
        "koi-win",
        "win-utf",
    }
)

#: Blocks whose directives apply to requests (inheritance chain); others are skipped.
_HTTP_BLOCKS = frozenset({"http", "server", "location"})
_MAX_DEPTH = 64
_MAX_FILES = 500
_MAX_INCLUDE_DEPTH = 16
_TIME = re.compile(r"(\d{1,18})(?!\d)(ms|s|m|h|d|w|M|y)?")
_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
    "M": 2592000.0,
    "y": 31536000.0,
}


def parse_time(value: str) -> float | None:
    """An nginx time (``60``, ``60s``, ``1m30s``, ``500ms``) in seconds; None if it is not one
    (a ``$variable``, a template placeholder)."""
    value = value.strip()
    if not value:
        return None
    pos, total = 0, 0.0
    while pos < len(value):
        match = _TIME.match(value, pos)
        if match is None:
            return None
        total += int(match[1]) * _UNITS[match[2] or ""]
        pos = match.end()
    return total


@dataclass(frozen=True)
class Directive:
    """One nginx directive with its arguments, the file and line it is written on, and its
    block (``None`` for a simple directive). Included files are inlined: a directive from an
    included file carries that file's name."""

    name: str
    args: tuple[str, ...]
    file: str
    line: int
    block: tuple[Directive, ...] | None = None
    #: The block contains an include agentcheck could not read (kept as an ``include``
    #: directive in :attr:`block`; includes that were read are replaced by their content).
    opaque: bool = False

    def find(self, name: str) -> Directive | None:
        """The last direct child directive called ``name`` (nginx rejects most duplicates)."""
        return self._last_children.get(name)

    @cached_property
    def _last_children(self) -> dict[str, Directive]:
        # Built once: an http block of 8,000 servers is searched once per location.
        return {child.name: child for child in self.block or ()}

    @property
    def label(self) -> str:
        """``location /api/``, ``server``: how a message names this block."""
        return " ".join((self.name, *self.args)).strip()


@dataclass(frozen=True)
class NginxError:
    """Something in a file that nginx would refuse (unbalanced braces, a wrong argument)."""

    file: str
    line: int
    message: str


@dataclass(frozen=True)
class ProxyLocation:
    """A block that proxies requests (``proxy_pass``), with the blocks that enclose it."""

    #: Enclosing blocks, outermost first; the last one holds the ``proxy_pass``.
    chain: tuple[Directive, ...]
    proxy_pass: Directive

    @property
    def block(self) -> Directive:
        return self.chain[-1]

    @property
    def target(self) -> str:
        return self.proxy_pass.args[0] if self.proxy_pass.args else ""

    def lookup(self, name: str) -> Directive | None:
        """The directive ``name`` that applies here, innermost block first; None if no block
        sets it (nginx's default then applies, unless :meth:`opaque`)."""
        for block in reversed(self.chain):
            found = block.find(name)
            if found is not None:
                return found
        return None

    @property
    def opaque(self) -> bool:
        """Some enclosing block includes a file agentcheck could not read."""
        return any(block.opaque for block in self.chain)

    def effective(self, name: str) -> tuple[str, ...] | None:
        """The arguments that apply, nginx's default when nothing sets them; None when unknown
        (an unreadable include may set it)."""
        found = self.lookup(name)
        if found is not None:
            return found.args
        if self.opaque:
            return None
        return DEFAULTS.get(name)

    def seconds(self, name: str) -> float | None:
        """A time directive's effective value in seconds; None when unknown or not a time."""
        args = self.effective(name)
        return parse_time(args[0]) if args else None


@dataclass
class NginxConfig:
    """One configuration: a file that no other file includes, with its includes inlined."""

    path: str
    statements: tuple[Directive, ...]
    errors: list[NginxError] = field(default_factory=list)
    #: Every file read for it: the root and what it includes.
    files: list[str] = field(default_factory=list)
    #: ``include`` directives that matched no readable file (stock includes excepted).
    unresolved: list[Directive] = field(default_factory=list)
    #: A top-level include could not be read.
    opaque: bool = False
    _upstreams: tuple[tuple[Directive, ...], dict[str, list[Directive]]] | None = field(
        default=None, repr=False, compare=False
    )

    def proxy_locations(self) -> list[ProxyLocation]:
        """Every block with a ``proxy_pass``, in file order.

        A ``proxy_pass`` inside ``if`` or ``limit_except`` belongs to the enclosing location.
        Top-level ``server`` blocks (a ``conf.d`` file) and top-level ``location`` blocks (a
        snippet nobody includes) are read as if inside ``http`` and ``server``.
        """
        out: list[ProxyLocation] = []

        def visit(block: Directive, chain: tuple[Directive, ...], depth: int) -> None:
            if depth > _MAX_DEPTH:
                return
            chain = (*chain, block)
            proxy = _proxy_pass_in(block)
            if block.name == "location" and proxy is not None:
                out.append(ProxyLocation(chain, proxy))
            for child in block.block or ():
                if child.name in _HTTP_BLOCKS and child.block is not None:
                    visit(child, chain, depth + 1)

        root = Directive("", (), self.path, 1, self.statements, self.opaque)
        for stmt in self.statements:
            if stmt.name in _HTTP_BLOCKS and stmt.block is not None:
                visit(stmt, (root,), 1)
        return out

    def upstreams(self) -> dict[str, list[Directive]]:
        """``upstream NAME { server ...; }`` blocks: name -> their ``server`` directives."""
        if self._upstreams is not None and self._upstreams[0] is self.statements:
            return self._upstreams[1]  # read once, not once per location
        out: dict[str, list[Directive]] = {}
        for stmt in _walk(self.statements):
            if stmt.name == "upstream" and stmt.args and stmt.block is not None:
                out[stmt.args[0]] = [s for s in stmt.block if s.name == "server" and s.args]
        self._upstreams = (self.statements, out)
        return out

    def targets(self, location: ProxyLocation) -> list[str]:
        """Where ``location`` sends requests: ``host:port`` (or ``unix:/path``) of each server.

        A ``proxy_pass`` naming an upstream lists the upstream's servers; a URL with a variable
        in its host gives nothing.
        """
        url = location.target
        if not url or "://" not in url:
            return []
        scheme, rest = url.split("://", 1)
        if rest.startswith("unix:"):
            return [rest.split(":", 2)[0] + ":" + rest.split(":", 2)[1]]
        hostport = rest.split("/", 1)[0]
        if "$" in hostport:
            return []
        upstreams = self.upstreams()
        if hostport in upstreams:
            return [_with_port(s.args[0], scheme) for s in upstreams[hostport]]
        return [_with_port(hostport, scheme)]


def _with_port(server: str, scheme: str) -> str:
    if server.startswith("unix:"):
        return server
    parts = parse_url(f"//{server}")  # None for a broken address: proxy_pass http://[::1
    if parts is None:
        return server
    try:
        port = parts.port
    except ValueError:
        return server
    if port is not None:
        return server
    return f"{server}:{443 if scheme == 'https' else 80}"


def _proxy_pass_in(block: Directive) -> Directive | None:
    for child in block.block or ():
        if child.name == "proxy_pass":
            return child
        if child.name in ("if", "limit_except") and child.block is not None:
            inner = _proxy_pass_in(child)
            if inner is not None:
                return inner
    return None


def _walk(statements: tuple[Directive, ...], depth: int = 0) -> Iterator[Directive]:
    if depth > _MAX_DEPTH:
        return
    for stmt in statements:
        yield stmt
        if stmt.block is not None:
            yield from _walk(stmt.block, depth + 1)
