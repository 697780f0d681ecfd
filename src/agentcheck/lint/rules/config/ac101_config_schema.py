"""AC101 config-schema: langgraph.json breaks its schema."""

from __future__ import annotations

import copy
import difflib
import re
import typing
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from agentcheck.langgraph_config import is_aegra
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.config._cli_errors import (
    _PLACEHOLDER_GRAPH,
    _locate_cli_error,
    _split_cli_message,
)
from agentcheck.lint.rules.config._common import langgraph_cli_config
from agentcheck.lint.rules.config._schema_types import (
    JsonPath,
    _describe_value,
    _fix_for,
    _type_errors,
)

if TYPE_CHECKING:
    from agentcheck.project import LanggraphConfig, Project


__all__ = ["ConfigSchema"]


#: How many langgraph-cli errors one config may report (validate_config stops at the first:
#: each error's key is set aside and validation runs again).
_MAX_CLI_ERRORS = 12


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
