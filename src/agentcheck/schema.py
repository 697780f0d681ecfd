"""The JSON Schema of ``[tool.agentcheck]``, generated from the configuration models.

``python -m agentcheck.schema`` prints it; the repository keeps it in
``schema/agentcheck.schema.json`` (a test regenerates and compares it), so editors that
validate ``pyproject.toml`` can complete and check the table. The ``live`` and ``load`` tables
come from their pydantic models (:class:`agentcheck.live.table.LiveTable` with every registered
runtime's own keys, :class:`agentcheck.load.settings.LoadTable`); the top-level keys from
:class:`ToolTable`, whose keys and descriptions are ``agentcheck.config``'s own (a test keeps
them equal): the lint path validates the top level by hand, without pydantic.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Literal

from pydantic import Field, create_model

from agentcheck.config import _KEYS, MAX_FILE_SIZE_LIMIT
from agentcheck.live.table import LiveTable
from agentcheck.load.settings import LoadTable
from agentcheck.tables import Seconds, Table, Text, json_schema

__all__ = ["ToolTable", "main", "render", "schema", "tool_model"]

#: Where the repository keeps the schema.
PATH = "schema/agentcheck.schema.json"

Globs = list[str] | str
SeverityName = Literal["error", "warning", "info"]


def _about(key: str) -> str:
    return _KEYS[key]


class ToolTable(Table):
    """[tool.agentcheck]: which rules run, how findings count, and the live and load runs."""

    select: Globs | None = Field(None, description=_about("select"))
    ignore: Globs | None = Field(None, description=_about("ignore"))
    extend_select: Globs | None = Field(
        None, alias="extend-select", description=_about("extend-select")
    )
    severity: dict[str, SeverityName] | None = Field(None, description=_about("severity"))
    per_file_ignores: dict[str, Globs] | None = Field(
        None, alias="per-file-ignores", description=_about("per-file-ignores")
    )
    exclude: Globs | None = Field(None, description=_about("exclude"))
    production: Globs | None = Field(None, description=_about("production"))
    extend_production: Globs | None = Field(
        None, alias="extend-production", description=_about("extend-production")
    )
    not_production: Globs | None = Field(
        None, alias="not-production", description=_about("not-production")
    )
    run_budget: Seconds | None = Field(None, alias="run-budget", description=_about("run-budget"))
    fail_on: SeverityName | None = Field(None, alias="fail-on", description=_about("fail-on"))
    max_file_size: Annotated[int, Field(ge=1, le=MAX_FILE_SIZE_LIMIT)] | None = Field(
        None, alias="max-file-size", description=_about("max-file-size")
    )
    release_ref: Text | None = Field(None, alias="release-ref", description=_about("release-ref"))
    live: LiveTable | None = Field(None, description=_about("live"))
    load: LoadTable | None = Field(None, description=_about("load"))


def _live_with_options() -> type[Table]:
    """LiveTable plus the keys every registered runtime reads (``Backend.options``)."""
    from agentcheck.live.backends import runtimes

    own = set(LiveTable.model_fields) | {f.alias for f in LiveTable.model_fields.values()}
    options = {
        key: text
        for cls in runtimes().values()
        for key, text in cls.options.items()
        if key not in own
    }
    fields: dict[str, Any] = {
        f"option_{i}": (Any, Field(None, alias=key, description=f"{text} (a runtime's option)"))
        for i, (key, text) in enumerate(sorted(options.items()))
    }
    return create_model("LiveTable", __base__=LiveTable, __doc__=LiveTable.__doc__, **fields)


def tool_model() -> type[Table]:
    """:class:`ToolTable` whose ``live`` table takes every registered runtime's keys too."""
    live: Any = _live_with_options() | None
    return create_model(
        "ToolTable",
        __base__=ToolTable,
        __doc__=ToolTable.__doc__,
        live=(live, Field(None, description=_about("live"))),
    )


def schema() -> dict[str, Any]:
    """The JSON Schema of ``[tool.agentcheck]`` (with the registered runtimes' keys)."""
    tool = tool_model()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "[tool.agentcheck]",
        **json_schema(tool),
    }


def render() -> str:
    """The schema as the repository keeps it (sorted keys, two-space indent, final newline)."""
    return json.dumps(schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    """``python -m agentcheck.schema [FILE]``: print the schema, or write it to FILE."""
    if len(sys.argv) > 2 or (len(sys.argv) > 1 and sys.argv[1].startswith("-")):
        # An option is never taken for a file name to write (``--help`` once made one).
        sys.stderr.write("usage: python -m agentcheck.schema [FILE]\n")
        return 0 if sys.argv[1] in ("-h", "--help") else 2
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w", encoding="utf-8") as out:
            out.write(render())
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
