"""Reading an nginx configuration with crossplane: includes inlined, errors nginx would refuse
to load, and the files on disk (:class:`FileReader`, :func:`load`)."""

from __future__ import annotations

import fnmatch
import glob
import os
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from agentcheck.deployment._nginx_model import (
    _MAX_DEPTH,
    _MAX_FILES,
    _MAX_INCLUDE_DEPTH,
    STOCK_INCLUDES,
    Directive,
    NginxConfig,
    NginxError,
)

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
