"""``[tool.agentcheck]``: reading and validating the linted project's configuration."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentcheck._findings import Severity
from agentcheck.errors import ConfigError
from agentcheck.files import read_regular
from agentcheck.scalars import parse_float

__all__ = ["DEFAULT_PRODUCTION", "Config", "check_keys", "load_config", "since"]

#: Globs (gitignore-style, matched against paths relative to the root) of files that describe
#: production unless the user says otherwise. Compose files count: the seed recommends compose
#: for small production. Files named dev/local/test/override are excluded by DEFAULT_NOT_PRODUCTION.
DEFAULT_PRODUCTION: tuple[str, ...] = (
    "k8s/**",
    "kubernetes/**",
    "manifests/**",
    "helm/**",
    "charts/**",
    "deploy/**",
    "deployment/**",
    "**/Dockerfile*",
    "**/*.Dockerfile",
    "**/docker-compose*.yml",
    "**/docker-compose*.yaml",
    "**/compose*.yml",
    "**/compose*.yaml",
    "**/.env.prod*",
    "**/*.prod.env",
    "**/*.production.env",
)
DEFAULT_NOT_PRODUCTION: tuple[str, ...] = (
    "**/*dev*",
    "**/*local*",
    "**/*test*",
    "**/*override*",
    "**/*example*",
)

_KEYS = {
    "select": "list of codes or prefixes to enable (default: all)",
    "ignore": "list of codes or prefixes to disable",
    "extend-select": "codes added to select",
    "severity": "table of code -> error|warning|info",
    "per-file-ignores": "table of glob -> list of codes",
    "exclude": "globs of paths agentcheck does not read",
    "production": "globs of files that describe production (replaces the defaults)",
    "extend-production": "globs added to the production defaults",
    "not-production": "globs of files that never count as production",
    "run-budget": "longest run you expect, in seconds (default 300)",
    "fail-on": "lowest severity that fails the run (default warning)",
    "max-file-size": "bytes; larger files are skipped with an info finding (default 2 MiB)",
    "release-ref": "git revision of the last release, for AC601-AC603 (default: newest v1.2.3 tag)",
    "live": "table: live deployment settings",
    "load": "table: load test thresholds",
}


def check_keys(table: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    """Raise ConfigError for the first key of ``table`` not in ``known``, with a did-you-mean."""
    known = list(known)
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")


@dataclass(frozen=True)
class Config:
    """The effective configuration of one lint run."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    production: tuple[str, ...] = DEFAULT_PRODUCTION
    not_production: tuple[str, ...] = DEFAULT_NOT_PRODUCTION
    run_budget: float = 300.0
    fail_on: Severity = Severity.WARNING
    max_file_size: int = 2 * 1024 * 1024
    live: Mapping[str, Any] = field(default_factory=dict)
    load: Mapping[str, Any] = field(default_factory=dict)
    #: The git revision of the last release (AC601-AC603); None: the newest version tag.
    release_ref: str | None = None
    #: What set :attr:`release_ref`, for messages: ``"release-ref"`` or ``"--since"``.
    release_ref_origin: str = "release-ref"
    #: Where the configuration came from (for messages), or None for defaults.
    source: Path | None = None

    def is_selected(self, code: str, name: str = "") -> bool:
        """Whether a rule is enabled by select/ignore (longest matching prefix wins)."""
        best_select = _best_match(self.select, code, name)
        best_ignore = _best_match(self.ignore, code, name)
        if best_select < 0:
            return False
        return best_ignore < best_select or best_ignore < 0


def _best_match(patterns: Iterable[str], code: str, name: str) -> int:
    best = -1
    for pattern in patterns:
        if pattern == "ALL":
            best = max(best, 0)
        elif pattern == name or (pattern and code.startswith(pattern)):
            best = max(best, len(pattern) if pattern != name else 99)
    return best


#: More entries than any real configuration lists (a generated or hostile one is refused).
MAX_ENTRIES = 10_000
#: The largest max-file-size accepted (a larger file is never worth reading whole).
MAX_FILE_SIZE_LIMIT = 1 << 30


def _describe(value: Any) -> str:
    """What ``value`` is, without printing it (it may be huge, nested or a secret)."""
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return f"an array of {len(value)} items"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings, got {_describe(value)}")
    if len(value) > MAX_ENTRIES:
        raise ConfigError(f"{where}: {len(value)} entries is more than {MAX_ENTRIES}")
    return tuple(v.strip() for v in value)


def _globs(value: Any, where: str) -> tuple[str, ...]:
    """A list of gitignore-style globs, each checked to compile (``[z-a]`` and a lone ``\\``
    do not)."""
    import pathspec

    patterns = _str_list(value, where)
    for pattern in patterns:
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except Exception as exc:  # pathspec raises ValueError, re.error, IndexError ...
            reason = type(exc).__name__
            if isinstance(exc, ValueError | re.error) and len(str(exc)) < 200:
                reason = str(exc).split("\n", 1)[0]
            raise ConfigError(f"{where}: invalid glob {pattern[:100]!r}: {reason}") from None
    return patterns


def from_table(table: Mapping[str, Any], source: Path | None = None) -> Config:
    """Build a Config from the ``[tool.agentcheck]`` table."""
    where = f"{source}: [tool.agentcheck]" if source else "[tool.agentcheck]"
    check_keys(table, _KEYS, where)
    kwargs: dict[str, Any] = {"source": source}
    if "select" in table:
        kwargs["select"] = _str_list(table["select"], f"{where} select")
    if "extend-select" in table:
        base = kwargs.get("select", ("ALL",))
        kwargs["select"] = base + _str_list(table["extend-select"], f"{where} extend-select")
    if "ignore" in table:
        kwargs["ignore"] = _str_list(table["ignore"], f"{where} ignore")
    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise ConfigError(f"{where} severity: expected a table of code = severity")
        try:
            kwargs["severity"] = {str(k): Severity.parse(str(v)) for k, v in sev.items()}
        except ValueError as exc:
            raise ConfigError(f"{where} severity: {exc}") from None
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(f"{where} per-file-ignores: expected a table of glob = [codes]")
        if len(pfi) > MAX_ENTRIES:
            raise ConfigError(f"{where} per-file-ignores: more than {MAX_ENTRIES} globs")
        per_file = {}
        for k, v in pfi.items():
            _globs([k], f"{where} per-file-ignores")
            per_file[str(k)] = _str_list(v, f"{where} per-file-ignores {k[:100]!r}")
        kwargs["per_file_ignores"] = per_file
    if "exclude" in table:
        kwargs["exclude"] = _globs(table["exclude"], f"{where} exclude")
    if "production" in table:
        kwargs["production"] = _globs(table["production"], f"{where} production")
    if "extend-production" in table:
        base = kwargs.get("production", DEFAULT_PRODUCTION)
        extra = _globs(table["extend-production"], f"{where} extend-production")
        kwargs["production"] = base + extra
    if "not-production" in table:
        kwargs["not_production"] = _globs(table["not-production"], f"{where} not-production")
    if "run-budget" in table:
        budget = parse_float(table["run-budget"])
        if budget is None or budget <= 0:
            raise ConfigError(f"{where} run-budget: expected a positive number of seconds")
        kwargs["run_budget"] = budget
    if "fail-on" in table:
        try:
            kwargs["fail_on"] = Severity.parse(str(table["fail-on"]))
        except ValueError as exc:
            raise ConfigError(f"{where} fail-on: {exc}") from None
    if "max-file-size" in table:
        size = table["max-file-size"]
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise ConfigError(f"{where} max-file-size: expected a positive number of bytes")
        if size > MAX_FILE_SIZE_LIMIT:
            raise ConfigError(f"{where} max-file-size: at most {MAX_FILE_SIZE_LIMIT} bytes")
        kwargs["max_file_size"] = size
    if "release-ref" in table:
        ref = table["release-ref"]
        if not isinstance(ref, str) or not ref.strip() or ref.strip().startswith("-"):
            raise ConfigError(f"{where} release-ref: expected a git revision (a tag or commit)")
        kwargs["release_ref"] = ref.strip()
    for key in ("live", "load"):
        if key in table:
            if not isinstance(table[key], dict):
                raise ConfigError(f"{where} {key}: expected a table")
            kwargs[key] = dict(table[key])
    return Config(**kwargs)


def load_config(root: Path) -> Config:
    """Read ``root/pyproject.toml``'s ``[tool.agentcheck]``; defaults when there is none.

    An unparsable pyproject is not a configuration error here: the project model reports it
    as AC100 and lint goes on with defaults.
    """
    path = root / "pyproject.toml"
    try:
        raw = read_regular(root, "pyproject.toml", MAX_FILE_SIZE_LIMIT)
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        # Missing, a link out of the root, not a regular file, not UTF-8, not TOML, an integer
        # over 4,300 digits, nesting past the recursion limit: the project reports each.
        return Config()
    tool = data.get("tool", {})
    table = tool.get("agentcheck") if isinstance(tool, dict) else None
    if table is None:
        return Config()
    text = raw.decode("utf-8-sig", errors="replace")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}:{_line_of(text, None)}: [tool.agentcheck] must be a table")
    try:
        return from_table(table, source=path)
    except ConfigError as exc:
        message = str(exc)
        head = f"{path}: [tool.agentcheck] "
        if not message.startswith(head):
            raise
        key = next(
            (k for k in sorted(table, key=len, reverse=True) if message[len(head) :].startswith(k)),
            None,
        )
        raise ConfigError(
            f"{path}:{_line_of(text, key)}: {message[len(str(path)) + 2 :]}"
        ) from None


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")


def _line_of(text: str, key: str | None) -> int:
    """The line of ``key`` in the ``[tool.agentcheck]`` table (or of the table's header, or of
    its own ``[tool.agentcheck.KEY]`` table), 1 when it cannot be found."""
    header_line, table = 1, ""
    assignment = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=") if key else None
    for number, line in enumerate(text.splitlines(), 1):
        match = _HEADER.match(line)
        if match:
            table = match[1].replace(" ", "").replace('"', "")
            if table == "tool.agentcheck" and header_line == 1:
                header_line = number
            if key and table == f"tool.agentcheck.{key}":
                return number
            continue
        if table == "tool.agentcheck" and assignment is not None and assignment.match(line):
            return number
    return header_line


def since(config: Config, ref: str | None, option: str = "--since") -> Config:
    """``config`` with the last release set from the command line (``ref`` None: unchanged).

    :raises ConfigError: when ``ref`` cannot be a git revision.
    """
    if ref is None:
        return config
    ref = ref.strip()
    if not ref or ref.startswith("-"):
        raise ConfigError(f"{option} {ref!r}: expected a git revision (a tag or commit)")
    return replace(config, release_ref=ref, release_ref_origin=option)
