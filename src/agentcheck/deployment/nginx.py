"""nginx configurations, parsed with crossplane (NGINX's own config parser).

Each file is parsed on its own (``single=True``) and ``include`` directives are inlined here, so
that an include that names a file which does not exist never stops the parse: it leaves the
enclosing block *opaque* (its effective settings may come from a file agentcheck cannot read)
and nothing else. Stock includes that only set headers or MIME types (``mime.types``,
``proxy_params`` ...) are not opaque.

:func:`load` reads a configuration from the filesystem (the live checks start nginx with it);
the lint side builds :class:`NginxConfig` objects through :class:`Reader` subclasses that read
the project's files (see :mod:`agentcheck.deployment.proxies`). A :class:`ProxyLocation` is a
``location`` that proxies (``proxy_pass``) with its enclosing ``http``/``server``/``location``
blocks, and answers "which value of this directive applies here" with nginx's inheritance:
the innermost block that sets a directive wins, else nginx's default applies.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Final

from agentcheck.scalars import parse_url

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = [
    "DEFAULTS",
    "STOCK_INCLUDES",
    "Directive",
    "FileReader",
    "NginxConfig",
    "NginxError",
    "ProjectReader",
    "ProxyLocation",
    "Reader",
    "effective_idle_timeout",
    "load",
    "parse_time",
    "project_configs",
    "upstream_targets",
]

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


# --------------------------------------------------------------------------- reading


class Reader:
    """Where an nginx configuration's files come from, and how ``include`` patterns resolve.

    Subclasses give :meth:`full_path` (a file's path on disk, None when it must not be read)
    and :meth:`resolve`. Parses are cached per file.
    """

    #: Keep stock includes (``mime.types``, ``proxy_params`` ...) as ``include`` directives
    #: that do not make their block opaque, for a caller that runs the config (live checks).
    keep_stock_includes = False

    def __init__(self) -> None:
        self._cache: dict[str, tuple[list[dict[str, Any]], list[NginxError]]] = {}

    def full_path(self, file: str) -> Path | None:
        raise NotImplementedError

    def resolve(self, pattern: str, including: str, root: str) -> list[str]:
        """Files ``include pattern`` (written in ``including``, loaded from ``root``) names."""
        raise NotImplementedError

    def is_template(self, file: str) -> bool:
        """envsubst templates (``*.template``): ``${VAR}`` arguments are not checked."""
        return file.endswith(".template")

    def parse_file(self, file: str) -> tuple[list[dict[str, Any]], list[NginxError]]:
        """crossplane's statements for one file, and its errors. Never raises."""
        if file not in self._cache:
            self._cache[file] = self._parse(file)
        return self._cache[file]

    def _parse(self, file: str) -> tuple[list[dict[str, Any]], list[NginxError]]:
        import crossplane  # only projects with an nginx configuration need it

        full = self.full_path(file)
        if full is None:
            return [], []
        try:
            payload = crossplane.parse(
                str(full),
                single=True,
                catch_errors=True,
                check_ctx=False,
                check_args=not self.is_template(file),
                comments=False,
                onerror=lambda exc: exc,
            )
        except Exception as exc:  # crossplane catches per file; this is the last resort
            return [], [NginxError(file, 1, f"cannot be parsed as nginx: {exc}")]
        errors = []
        for err in payload.get("errors", []):
            cause = err.get("callback")
            message = getattr(cause, "strerror", None) or str(cause or err.get("error", ""))
            if isinstance(cause, RecursionError):
                message = "blocks are nested too deeply"
            errors.append(NginxError(file, int(err.get("line") or 1), message or "syntax error"))
        configs = payload.get("config") or [{}]
        parsed = list(configs[0].get("parsed") or [])
        if not errors and not self.is_template(file):
            errors.extend(_unterminated(file, full))
            errors.extend(_argument_errors(file, parsed))
        return parsed, errors

    def load(self, root: str) -> NginxConfig:
        """The configuration whose main file is ``root``, includes inlined."""
        config = NginxConfig(root, ())
        seen: list[str] = []

        def convert(
            raw: list[dict[str, Any]], file: str, stack: tuple[str, ...]
        ) -> list[Directive]:
            out: list[Directive] = []
            for stmt in raw:
                out.extend(directive(stmt, file, stack, 0))
            return out

        def directive(
            stmt: dict[str, Any], file: str, stack: tuple[str, ...], depth: int
        ) -> list[Directive]:
            name = str(stmt.get("directive", ""))
            args = tuple(str(a) for a in stmt.get("args") or ())
            line = int(stmt.get("line") or 1)
            if name == "include" and args:
                return include(Directive(name, args, file, line), stack)
            block = stmt.get("block")
            if block is None or depth > _MAX_DEPTH:
                return [Directive(name, args, file, line)]
            children: list[Directive] = []
            for child in block:
                children.extend(directive(child, file, stack, depth + 1))
            opaque = any(_unread_include(c) for c in children)
            return [Directive(name, args, file, line, tuple(children), opaque)]

        def include(stmt: Directive, stack: tuple[str, ...]) -> list[Directive]:
            pattern = stmt.args[0]
            if PurePosixPath(pattern).name in STOCK_INCLUDES:
                return [stmt] if self.keep_stock_includes else []
            targets = self.resolve(pattern, stmt.file, root)
            if not targets:
                if glob.has_magic(pattern):
                    return []  # an empty glob is fine for nginx
                config.unresolved.append(stmt)
                return [stmt]  # kept: it makes the enclosing block opaque
            out: list[Directive] = []
            for target in targets:
                if target in stack or len(stack) > _MAX_INCLUDE_DEPTH or len(seen) >= _MAX_FILES:
                    continue
                seen.append(target)
                raw, errors = self.parse_file(target)
                config.errors.extend(errors)
                out.extend(convert(raw, target, (*stack, target)))
            return out

        seen.append(root)
        raw, errors = self.parse_file(root)
        config.errors.extend(errors)
        statements = convert(raw, root, (root,))
        config.statements = tuple(statements)
        config.opaque = any(_unread_include(s) for s in statements)
        config.files = list(dict.fromkeys(seen))
        return config


def _unread_include(stmt: Directive) -> bool:
    """An include kept in the tree because it could not be read (not a kept stock include)."""
    return stmt.name == "include" and PurePosixPath(stmt.args[0]).name not in STOCK_INCLUDES


class FileReader(Reader):
    """Files on disk; includes resolve as nginx resolves them (relative to the main file's
    directory, which stands for nginx's configuration prefix)."""

    def full_path(self, file: str) -> Path | None:
        path = Path(file)
        return path if path.is_file() else None

    def resolve(self, pattern: str, including: str, root: str) -> list[str]:
        base = Path(root).parent
        full = pattern if os.path.isabs(pattern) else str(base / pattern)
        if glob.has_magic(full):
            return sorted(p for p in glob.glob(full) if Path(p).is_file())
        return [full] if Path(full).is_file() else []


def match_path(pattern: str, path: str) -> bool:
    """Whether ``path`` matches the glob ``pattern`` segment by segment (``*`` stops at ``/``,
    as in nginx's ``glob()``)."""
    pat_parts = PurePosixPath(pattern).parts
    parts = PurePosixPath(path).parts
    try:
        return len(pat_parts) == len(parts) and all(
            fnmatch.fnmatchcase(p, q) for p, q in zip(parts, pat_parts, strict=True)
        )
    except re.error:  # include [z-a].conf: nginx's glob() matches nothing either
        return False


def load(conf_path: Path | str) -> NginxConfig:
    """Parse the configuration at ``conf_path`` on disk. Never raises on bad input."""
    return FileReader().load(str(conf_path))


def effective_idle_timeout(conf: NginxConfig | Path | str) -> float | None:
    """The ``proxy_read_timeout`` (seconds) that applies where ``conf`` (a parsed config or
    its path) proxies requests.

    The shortest over its proxying locations (nginx's 60 s where none is set); None when nothing
    proxies or no value can be known (a ``$variable``, an include that cannot be read).
    """
    config = conf if isinstance(conf, NginxConfig) else load(conf)
    values = [loc.seconds("proxy_read_timeout") for loc in config.proxy_locations()]
    known = [v for v in values if v is not None]
    return min(known) if known else None


def upstream_targets(conf_path: Path | str) -> list[str]:
    """``host:port`` (or ``unix:/path``) of every server ``conf_path`` proxies to, in order."""
    config = load(conf_path)
    out: list[str] = []
    for location in config.proxy_locations():
        out.extend(config.targets(location))
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- in a project

#: Where nginx looks for its configuration inside an image; stripped to find the repo's copy.
_CONF_PREFIXES = (
    "/etc/nginx/",
    "/usr/local/nginx/conf/",
    "/usr/local/etc/nginx/",
    "/usr/local/openresty/nginx/conf/",
    "/opt/homebrew/etc/nginx/",
)
_NOT_CONFIG = ("readme", "license", "changelog", "dockerfile", "makefile", "docker-compose")
_CONF_DIRS = frozenset({"nginx", "conf.d", "sites-available", "sites-enabled", "templates"})
_LOOKS_NGINX = re.compile(
    r"^[ \t]*(?:(?:http|server|location|upstream|events)\b[^;{}#\n]*\{|proxy_pass[ \t])",
    re.MULTILINE,
)


def is_candidate(rel: str) -> bool:
    """Whether ``rel`` may be an nginx configuration, by its name (content decides)."""
    *dirs, name = rel.split("/")
    name = name.lower()
    if name.startswith(_NOT_CONFIG):
        return False
    if name.endswith((".conf", ".conf.template", ".nginx", ".vhost")) or name.startswith("nginx"):
        return not name.endswith((".py", ".json", ".yaml", ".yml", ".toml", ".md", ".j2"))
    in_conf_dir = any(part.lower().startswith("nginx") or part in _CONF_DIRS for part in dirs)
    return in_conf_dir and ("." not in name or name.endswith((".template", ".inc")))


def looks_like_nginx(text: str) -> bool:
    """An nginx block (``server {``, ``location /x {`` ...) or a ``proxy_pass``; Jinja-style
    templates (``{{ }}``, ``{% %}``) only parse once rendered and are left out."""
    if "{{" in text or "{%" in text:
        return False
    return _LOOKS_NGINX.search(text) is not None


class ProjectReader(Reader):
    """The project's files. ``include`` patterns resolve against the including file's
    directory, the main file's directory (nginx's prefix) and its parent; absolute paths lose
    the usual in-image prefix (``/etc/nginx/``) first, so ``include /etc/nginx/snippets/x.conf``
    finds ``nginx/snippets/x.conf`` next to ``nginx/nginx.conf``."""

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._files = frozenset(project.files)

    def full_path(self, file: str) -> Path | None:
        if file not in self._files or self.project.text(file) is None:
            return None
        return self.project.root / file

    def resolve(self, pattern: str, including: str, root: str) -> list[str]:
        if pattern.startswith("/"):
            relative = next(
                (pattern[len(p) :] for p in _CONF_PREFIXES if pattern.startswith(p)), None
            )
            if relative is None:
                return []
        else:
            relative = pattern
        bases: list[str] = []
        for parent in (
            PurePosixPath(including).parent,
            PurePosixPath(root).parent,
            PurePosixPath(root).parent.parent,
        ):
            if parent.as_posix() not in bases:
                bases.append(parent.as_posix())
        for base in bases:
            joined = os.path.normpath(os.path.join(base, relative)).replace(os.sep, "/")
            if joined.startswith("../"):
                continue
            if glob.has_magic(joined):
                found = sorted(f for f in self._files if match_path(joined, f))
            else:
                found = [joined] if joined in self._files else []
            if found:
                return found
        return []


#: Directives that put a file in nginx's main context; otherwise it is a conf.d snippet.
_MAIN_DIRECTIVES = frozenset({"http", "events", "stream", "mail", "worker_processes", "user"})


def _unterminated(file: str, full: Path) -> Iterator[NginxError]:
    """A directive closed by ``}`` instead of ``;`` (``return 200 "ok"`` then ``}``): nginx
    stops with 'unexpected "}"', crossplane accepts it."""
    from crossplane import lex

    previous: tuple[str, int, bool] | None = None
    try:
        for token, line, quoted in lex(str(full)):
            if token.startswith("#") and not quoted:
                continue
            closes = token == "}" and not quoted and previous is not None
            if closes and previous and (previous[2] or previous[0] not in (";", "{", "}")):
                message = 'unexpected "}": the directive before it is not terminated by ";"'
                yield NginxError(file, previous[1], message)
                return
            previous = (token, line, quoted)
    except Exception:  # crossplane.parse reported what it could not read
        return


def _argument_errors(file: str, parsed: list[dict[str, Any]]) -> Iterator[NginxError]:
    """Argument errors nginx would refuse to load, in a file whatever context it is included
    in. crossplane checks arguments only in contexts it knows from the top of ``nginx.conf``,
    so a ``conf.d`` snippet (``server { ... }`` at its top) escapes it, and a missing ``;``
    there (``proxy_pass http://agent:8000`` followed by the next directive) slips through."""
    from crossplane.analyzer import analyze, enter_block_ctx
    from crossplane.errors import NgxParserBaseException

    top = {str(stmt.get("directive")) for stmt in parsed}
    if top & _MAIN_DIRECTIVES:
        return  # a main file: crossplane checked it already
    base: tuple[str, ...] = ("http", "server") if "location" in top else ("http",)
    stack = [(stmt, base) for stmt in reversed(parsed)]
    while stack:
        stmt, ctx = stack.pop()
        term = "{" if "block" in stmt else ";"
        try:
            analyze(file, stmt, term, ctx, check_ctx=False, check_args=True)
        except NgxParserBaseException as exc:
            hint = " (is a `;` missing?)" if "number of arguments" in str(exc.strerror) else ""
            yield NginxError(file, int(stmt.get("line") or 1), f"{exc.strerror}{hint}")
            continue
        inner = enter_block_ctx(stmt, ctx)
        stack.extend((child, inner) for child in reversed(stmt.get("block") or []))


def project_configs(project: Project) -> list[NginxConfig]:
    """Every nginx configuration in the project, each from a file no other file includes.

    Errors nginx would refuse to load become AC100 findings (``project.problem``); includes
    that match nothing are silent (they make the enclosing block opaque).
    """
    return project.memo("agentcheck.nginx.configs", lambda: _project_configs(project))


def _project_configs(project: Project) -> list[NginxConfig]:
    files = []
    for rel in project.files:
        if not is_candidate(rel):
            continue
        text = project.text(rel, report=False)
        if text is not None and looks_like_nginx(text):
            files.append(rel)
    if not files:
        return []
    reader = ProjectReader(project)
    included: set[str] = set()
    for rel in files:
        raw, _ = reader.parse_file(rel)
        for pattern in _include_patterns(raw):
            included.update(t for t in reader.resolve(pattern, rel, rel) if t != rel)
    configs: list[NginxConfig] = []
    covered: set[str] = set()
    for rel in [f for f in files if f not in included] + [f for f in files if f in included]:
        if rel in covered:
            continue
        config = reader.load(rel)
        covered.update(config.files)
        configs.append(config)
        for error in config.errors:
            project.problem(error.file, f"invalid nginx configuration: {error.message}", error.line)
    return configs


def _include_patterns(raw: list[dict[str, Any]], depth: int = 0) -> Iterator[str]:
    if depth > _MAX_DEPTH:
        return
    for stmt in raw:
        args = stmt.get("args") or []
        if stmt.get("directive") == "include" and args:
            yield str(args[0])
        block = stmt.get("block")
        if block:
            yield from _include_patterns(block, depth + 1)
