"""AC101 config-schema: langgraph.json breaks its schema."""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal, Union

from agentcheck.langgraph_config import is_aegra
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.config._common import langgraph_cli_config

if TYPE_CHECKING:
    from agentcheck.project import LanggraphConfig, Project

__all__ = ["ConfigSchema"]

JsonPath = tuple[str | int, ...]

#: How many langgraph-cli errors one config may report (validate_config stops at the first:
#: each error's key is set aside and validation runs again).
_MAX_CLI_ERRORS = 12
_PLACEHOLDER_GRAPH = "./agentcheck_placeholder.py:graph"


class ConfigSchema(Rule):
    """langgraph.json breaks its schema.

    What it does
    ------------
    Validates every ``langgraph.json`` (and Aegra's ``aegra.json``) with langgraph-cli's own
    validation (``langgraph validate``: the ``python_version`` format and minimum, legacy
    ``project_root``/``package`` keys, a missing ``dependencies`` list, ``auth.path`` and
    ``http.app`` formats, ``image_distro``, ``source``), against langgraph-cli's schema for the
    type of every value, and reports an empty ``graphs`` and graph specs without
    ``:attribute``. Every error is reported at its own key, not only the first.

    Severity follows the platform: what langgraph-cli rejects is an error; top-level keys it
    does not know (``name``, ``version``, ``pip_config_overrides`` ...), which it warns about
    and deploys anyway, are warnings (with a "did you mean"), and so are misspelt keys in
    nested tables, which it accepts and ignores.

    Why is this bad?
    ----------------
    ``langgraph build``, ``langgraph dev`` and the server refuse the file, or silently ignore a
    misspelt key: a ``"checkpionter"`` table leaves the deployment on the default
    checkpointer and nobody notices.

    Example
    -------
    ```json
    {
      "python_version": "3.10",
      "dependencies": ["."],
      "graphs": {"agent": "./agent.py"},
      "envv": ".env"
    }
    ```

    Use instead
    -----------
    ```json
    {
      "python_version": "3.11",
      "dependencies": ["."],
      "graphs": {"agent": "./agent.py:graph"},
      "env": ".env"
    }
    ```
    """

    code = "AC101"
    name = "config-schema"
    severity = Severity.ERROR
    message = "langgraph.json breaks its schema."
    fix = "Fix the value as langgraph-cli's schema describes it (`langgraph validate` agrees)."

    def check(self, project: Project) -> Iterable[Finding]:
        for cfg in project.langgraph_configs:
            if cfg.doc is None:
                continue  # AC100 already reports why it does not parse
            if not isinstance(cfg.doc.data, dict):
                yield self.finding(
                    cfg.path,
                    *cfg.doc.loc(),
                    message=f"{cfg.path} must hold a JSON object, not "
                    f"{_describe_value(cfg.doc.data)}.",
                    fix='Write an object such as {"dependencies": ["."], "graphs": {...}}.',
                )
                continue
            yield from _Checker(self, cfg).run()


class _Checker:
    def __init__(self, rule: ConfigSchema, cfg: LanggraphConfig) -> None:
        self.rule = rule
        self.cfg = cfg
        assert cfg.doc is not None
        self.doc = cfg.doc
        self.data: dict[str, Any] = cfg.doc.data
        #: Top-level keys whose values break the schema: left out of langgraph-cli's run.
        self.broken: set[str] = set()
        self.broken_graphs: set[str] = set()
        self.seen: set[tuple[int, int, str]] = set()

    def finding(
        self,
        path: JsonPath,
        message: str,
        fix: str | None = None,
        *,
        key: bool = False,
        severity: Severity | None = None,
    ) -> Iterator[Finding]:
        line, col = self.doc.key_loc(*path) if key else self.doc.loc(*path)
        marker = (line, col, message)
        if marker in self.seen:
            return
        self.seen.add(marker)
        yield self.rule.finding(
            self.cfg.path, line, col, message=message, fix=fix, severity=severity
        )

    def run(self) -> Iterator[Finding]:
        from langgraph_cli import schemas

        yield from self.check_top_level(schemas.Config)
        yield from self.check_graphs()
        yield from self.check_with_langgraph_cli()

    # ------------------------------------------------------------- schema and types

    def check_top_level(self, schema: type) -> Iterator[Finding]:
        get_unknown_keys = langgraph_cli_config().get_unknown_keys

        hints = typing.get_type_hints(schema)
        for key, value in self.data.items():
            if key == "$schema":
                continue  # the JSON Schema reference `langgraph new` writes
            warnings = get_unknown_keys({key: value})
            if warnings:
                # langgraph-cli warns about a key it does not know and deploys anyway.
                close = re.search(r"did you mean '([^']+)'", warnings[0])
                self.broken.add(key)
                yield from self.finding(
                    (key,),
                    f"{warnings[0].rstrip('.')}.".replace("?.", "?")
                    + " langgraph-cli warns and ignores it.",
                    f"Rename it to {close[1]!r} if that was meant; else remove it."
                    if close
                    else "Remove the key, or ignore this warning if another tool reads it.",
                    key=True,
                    severity=Severity.WARNING,
                )
                continue
            if key not in hints or key == "graphs":
                continue
            errors = list(_type_errors(value, hints[key], (key,)))
            if errors:
                self.broken.add(key)
            for path, message, is_key in errors:
                close = re.search(r"did you mean '([^']+)'", message)
                fix = f"Rename it to {close[1]!r}." if close and is_key else _fix_for(path)
                # A misspelt nested key is accepted (and ignored) by the platform: a warning.
                severity = Severity.WARNING if is_key else None
                yield from self.finding(path, message, fix, key=is_key, severity=severity)

    def check_graphs(self) -> Iterator[Finding]:
        graphs = self.data.get("graphs")
        if "graphs" not in self.data:
            return  # langgraph-cli reports "No graphs found"
        if not isinstance(graphs, dict):
            self.broken.add("graphs")
            yield from self.finding(
                ("graphs",),
                "`graphs` must be an object of graph id -> "
                f"'./file.py:attribute', not {_describe_value(graphs)}.",
                'Write "graphs": {"agent": "./agent/graph.py:graph"}.',
            )
            return
        aegra = is_aegra(self.cfg)
        for gid, spec in graphs.items():
            where: JsonPath = ("graphs", gid)
            if isinstance(spec, dict):
                if aegra:
                    self.broken_graphs.add(gid)
                    yield from self.finding(
                        where,
                        f"Graph {gid!r}: Aegra reads graph specs as strings only; the "
                        '{"path": ...} form fails at startup.',
                        f'Write "{gid}": "./path/to/graph.py:graph".',
                    )
                    continue
                unknown = [k for k in spec if k not in ("path", "description")]
                for k in unknown:
                    close = difflib.get_close_matches(k, ["path", "description"], n=1)
                    if close:
                        yield from self.finding(
                            (*where, k),
                            f"Graph {gid!r}: unknown key {k!r}; did you mean {close[0]!r}?",
                            f"Rename it to {close[0]!r}.",
                            key=True,
                            severity=Severity.WARNING,
                        )
                if "description" in spec and not isinstance(spec["description"], str | None):
                    yield from self.finding(
                        (*where, "description"),
                        f"Graph {gid!r}: `description` must be a string, not "
                        f"{_describe_value(spec['description'])}.",
                    )
                if "path" not in spec:
                    self.broken_graphs.add(gid)
                    yield from self.finding(
                        where,
                        f"Graph {gid!r} is an object without a `path` key.",
                        'Add "path": "./path/to/graph.py:graph".',
                    )
                    continue
                where, spec = (*where, "path"), spec["path"]
            if not isinstance(spec, str):
                self.broken_graphs.add(gid)
                yield from self.finding(
                    where,
                    f"Graph {gid!r} must be a string './file.py:attribute' or an object with "
                    f"`path`, not {_describe_value(spec)}.",
                )
                continue
            module, _, attr = spec.strip().rpartition(":")
            if not module or not attr or not module.rstrip(":"):
                self.broken_graphs.add(gid)
                example = spec if spec.endswith(".py") else "./agent.py"
                yield from self.finding(
                    where,
                    f"Graph {gid!r} spec {spec!r} does not name an attribute: the server "
                    "expects '<file or module>:<attribute>'.",
                    f'Write "{example.rstrip(":")}:graph" with the variable that holds the graph.',
                )

    # ------------------------------------------------------------- langgraph-cli

    def check_with_langgraph_cli(self) -> Iterator[Finding]:
        validate_config = langgraph_cli_config().validate_config

        candidate = copy.deepcopy(self.data)
        for key in self.broken:
            candidate.pop(key, None)
        graphs = candidate.get("graphs")
        if isinstance(graphs, dict):
            for gid in self.broken_graphs:
                graphs[gid] = _PLACEHOLDER_GRAPH
        if is_aegra(self.cfg):
            # Aegra does not build images: it needs no `dependencies` list.
            candidate.setdefault("dependencies", ["."])
        for _ in range(_MAX_CLI_ERRORS):
            try:
                validate_config(candidate)
            except Exception as exc:
                import click  # only a config langgraph-cli rejects pays for importing click

                if not isinstance(exc, click.UsageError | ValueError):
                    return  # langgraph-cli met a shape its own schema allows: give up
                text = exc.message if isinstance(exc, click.UsageError) else str(exc)
                path, patch = _locate_cli_error(text, candidate)
                message, fix = _split_cli_message(text)
                yield from self.finding(path, message, fix, key=path == ())
                if patch is None or not patch(candidate):
                    return
            else:
                return


# ------------------------------------------------------------------------ type checking


def _describe_type(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp is type(None):
        return "null"
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is Any:
        return "any value"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (Union, types.UnionType):
        return " or ".join(dict.fromkeys(_describe_type(a) for a in typing.get_args(tp)))
    if origin is list:
        return f"a list of {_plural(typing.get_args(tp)[0])}"
    if origin is dict or typing.is_typeddict(tp) or tp is dict:
        return "an object"
    return getattr(tp, "__name__", str(tp))


def _plural(tp: Any) -> str:
    text = _describe_type(tp)
    for article in ("a ", "an "):
        if text.startswith(article):
            return text[len(article) :] + "s"
    return text


def _describe_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _type_errors(value: Any, tp: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    """``(path, message, at_key)`` for every way ``value`` breaks type ``tp``."""
    origin = typing.get_origin(tp)
    where = ".".join(str(p) for p in path)
    if tp is Any:
        return
    if origin in (Union, types.UnionType):
        options = typing.get_args(tp)
        if any(not list(_type_errors(value, opt, path)) for opt in options):
            return
        # One object-shaped option for an object value: report inside it.
        if isinstance(value, dict):
            shaped = [o for o in options if typing.is_typeddict(o) or typing.get_origin(o) is dict]
            if len(shaped) == 1:
                yield from _type_errors(value, shaped[0], path)
                return
        if isinstance(value, list):
            shaped = [o for o in options if typing.get_origin(o) is list]
            if len(shaped) == 1:
                yield from _type_errors(value, shaped[0], path)
                return
        yield path, f"`{where}` must be {_describe_type(tp)}, not {_describe_value(value)}.", False
        return
    if tp is type(None):
        if value is not None:
            yield path, f"`{where}` must be null, not {_describe_value(value)}.", False
        return
    if origin is Literal:
        if value not in typing.get_args(tp):
            yield (
                path,
                f"`{where}` must be {_describe_type(tp)}, not {_describe_value(value)}.",
                False,
            )
        return
    if typing.is_typeddict(tp):
        if not isinstance(value, dict):
            yield path, f"`{where}` must be an object, not {_describe_value(value)}.", False
            return
        hints = typing.get_type_hints(tp)
        for key in getattr(tp, "__required_keys__", ()):
            if key not in value:
                yield path, f"`{where}` needs the key {key!r}.", False
        for key, sub in value.items():
            if key in hints:
                yield from _type_errors(sub, hints[key], (*path, key))
                continue
            # Nested tables: only clear misspellings. The server reads keys newer than the
            # schema langgraph-cli ships (``store.path``), so an unknown key alone is no error.
            close = difflib.get_close_matches(str(key), list(hints), n=1, cutoff=0.75)
            if close:
                yield (
                    (*path, key),
                    f"Unknown key {key!r} in `{where}`; did you mean {close[0]!r}?",
                    True,
                )
        return
    if origin is list:
        if not isinstance(value, list):
            yield (
                path,
                f"`{where}` must be {_describe_type(tp)}, not {_describe_value(value)}.",
                False,
            )
            return
        (item_tp,) = typing.get_args(tp) or (Any,)
        for i, item in enumerate(value):
            yield from _type_errors(item, item_tp, (*path, i))
        return
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            yield path, f"`{where}` must be an object, not {_describe_value(value)}.", False
            return
        args = typing.get_args(tp)
        if len(args) == 2:
            for key, sub in value.items():
                yield from _type_errors(sub, args[1], (*path, key))
        return
    ok = (
        (tp is str and isinstance(value, str))
        or (tp is bool and isinstance(value, bool))
        or (tp is int and isinstance(value, int) and not isinstance(value, bool))
        or (tp is float and isinstance(value, int | float) and not isinstance(value, bool))
    )
    if not ok and tp in (str, bool, int, float):
        yield path, f"`{where}` must be {_describe_type(tp)}, not {_describe_value(value)}.", False


def _fix_for(path: JsonPath) -> str:
    return f"Give `{'.'.join(str(p) for p in path)}` the type langgraph-cli's schema expects."


# ------------------------------------------------------------------------ langgraph-cli errors

Patch = typing.Callable[[dict[str, Any]], bool]


def _drop(*keys: str) -> Patch:
    def patch(candidate: dict[str, Any]) -> bool:
        found = False
        for key in keys:
            found = candidate.pop(key, None) is not None or found
        return found

    return patch


def _drop_nested(key: str, sub: str) -> Patch:
    def patch(candidate: dict[str, Any]) -> bool:
        table = candidate.get(key)
        if isinstance(table, dict) and sub in table:
            del table[sub]
            return True
        return False

    return patch


def _set(key: str, value: Any) -> Patch:
    def patch(candidate: dict[str, Any]) -> bool:
        if candidate.get(key) == value:
            return False
        candidate[key] = value
        return True

    return patch


def _locate_cli_error(text: str, candidate: dict[str, Any]) -> tuple[JsonPath, Patch | None]:
    """Which key a langgraph-cli error is about, and how to set it aside to find the next."""
    pyversion = str(candidate.get("python_version", ""))
    rules: list[tuple[tuple[str, ...], JsonPath, Patch]] = [
        (
            ("Invalid Python version", "Python version"),
            ("python_version",),
            _drop("python_version"),
        ),
        (("Node.js version",), ("node_version",), _drop("node_version")),
        (("api_version", "Invalid version format"), ("api_version",), _drop("api_version")),
        (("pip_installer",), ("pip_installer",), _drop("pip_installer")),
        (("Git dependency URLs",), ("dependencies",), _set("dependencies", ["."])),
        (("project_root", "`package`"), ("project_root",), _drop("project_root", "package")),
        (
            ("`source`", "source.kind", "source.root", "source.package"),
            ("source",),
            _drop("source"),
        ),
        (("No dependencies found",), (), _set("dependencies", ["."])),
        (("No graphs found",), ("graphs",), _set("graphs", {"agent": _PLACEHOLDER_GRAPH})),
        (("image_distro",), ("image_distro",), _drop("image_distro")),
        (("auth.path",), ("auth", "path"), _drop_nested("auth", "path")),
        (("encryption.path",), ("encryption", "path"), _drop_nested("encryption", "path")),
        (
            ("priority.path", "priority callbacks"),
            ("priority", "path"),
            _drop_nested("priority", "path"),
        ),
        (("http.app",), ("http", "app"), _drop_nested("http", "app")),
        (("keep_pkg_tools",), ("keep_pkg_tools",), _drop("keep_pkg_tools")),
    ]
    if "Bullseye" in text:
        if "bullseye" in pyversion:
            return ("python_version",), _drop("python_version")
        return ("image_distro",), _drop("image_distro")
    for needles, path, patch in rules:
        if any(n in text for n in needles):
            if path == ("project_root",) and "project_root" not in candidate:
                path = ("package",)
            if path and path[0] not in candidate:
                path = ()
            return path, patch
    return (), None


def _split_cli_message(text: str) -> tuple[str, str | None]:
    """langgraph-cli's message as (the problem, its suggestion)."""
    head, _, tail = text.strip().partition("\n\n")
    if not tail and ":\n" in head:
        head, _, tail = head.partition(":\n")
        head = head.removesuffix(" e.g.").removesuffix(", e.g.")
    message = " ".join(line.strip() for line in head.splitlines() if line.strip())
    message = message.rstrip(":")
    if not message.endswith((".", "?", "!")):
        message += "."
    suggestion = " ".join(line.strip() for line in tail.splitlines() if line.strip())
    return message, (f"langgraph-cli suggests: {suggestion}" if suggestion else None)
