"""``[tool.agentcheck.live]`` as written: the pydantic model of the raw table.

Values are checked here (types, ranges, choices); :func:`agentcheck.live.settings.load_settings`
then resolves them (paths against the project root, the runtime among the registered ones, the
command line over the table) into :class:`~agentcheck.live.settings.LiveSettings`. A runtime's
own keys (``Backend.options``) are accepted besides these and handed to it raw.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema

from agentcheck.tables import Count, Flag, Seconds, Table, Text, choice

__all__ = ["SERVERS", "LiveTable"]

SERVERS = ("langgraph-dev", "langhost", "command")
_URL = {"type": "string", "pattern": "^https?://"}
#: JSON Schema of what the table may hold where the model keeps a normalised value.
_URLS = {"anyOf": [_URL, {"type": "array", "items": _URL}]}
_ENV = {
    "type": "object",
    "additionalProperties": {"type": ["string", "integer", "number", "boolean"]},
}


def _url(value: Any) -> Any:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError("expected a URL or a list of URLs")
    for url in values:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"expected an http:// or https:// URL, got {url!r}")
    return [url.rstrip("/") for url in values]


def _input(value: Any) -> Any:
    if not isinstance(value, dict):
        raise ValueError("expected a table (the JSON object sent as input)")
    return value


def _inputs(value: Any) -> Any:
    if not isinstance(value, dict):
        raise ValueError("expected a table of graph id = input table")
    for graph, run_input in value.items():
        if not isinstance(run_input, dict):
            raise ValueError(f"{graph}: expected a table (the JSON object sent as its input)")
    return value


def _resume(value: Any) -> Any:
    if not isinstance(value, dict):
        raise ValueError("expected a table of graph id = value")
    return value


def _hosts(value: Any) -> Any:
    if not isinstance(value, list) or not all(isinstance(h, str) and h for h in value):
        raise ValueError("expected a list of host names")
    return [h.strip().lower() for h in value]


def _env(value: Any) -> Any:
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float | bool) for v in value.values()
    ):
        raise ValueError("expected a table of NAME = value")
    return {str(k): _env_value(v) for k, v in value.items()}


def _env_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class LiveTable(Table):
    """[tool.agentcheck.live]: how the live checks start (or reach) the deployment."""

    runtime: Text | None = Field(
        None,
        description='where the agent runs: "local" (start it here, the default), "url", or a '
        "plugin's",
    )
    replicas: Count | None = Field(None, description="how many replicas to start (default 1)")
    proxy: Text | None = Field(None, description="your nginx config, run for real in front")
    database: Annotated[Literal["postgres"], BeforeValidator(choice(("postgres",)))] | None = Field(
        None, description='"postgres" for a throwaway PostgreSQL (DATABASE_URL)'
    )
    redis: Flag | None = Field(None, description="true for a throwaway Redis (REDIS_URI)")
    server: (
        Annotated[Literal["langgraph-dev", "langhost", "command"], BeforeValidator(choice(SERVERS))]
        | None
    ) = Field(
        None,
        description='"langgraph-dev" (the default), "langhost" (Agent Server on PostgreSQL + '
        'Redis) or "command"',
    )
    command: Text | None = Field(
        None, description='for server = "command": e.g. "aegra serve --host {host} --port {port}"'
    )
    health: Text | None = Field(
        None, description="the path that answers 200 when a replica is ready (default /ok)"
    )
    url: Annotated[list[str], BeforeValidator(_url), WithJsonSchema(_URLS)] | None = Field(
        None, description="the base URL(s) of an existing deployment, for runtime = url"
    )
    config: Text | None = Field(
        None, description="the langgraph.json to serve (default: the project's)"
    )
    input: Annotated[dict[str, Any], BeforeValidator(_input)] | None = Field(
        None,
        description="the run input for your graphs in AC801-AC802 and load runs (default: one "
        "user message)",
    )
    inputs: Annotated[dict[str, dict[str, Any]], BeforeValidator(_inputs)] | None = Field(
        None,
        description="table: graph id -> the run input AC851-AC853 start its threads with "
        "(default: built from its State schema, else input)",
    )
    resume: Annotated[dict[str, Any], BeforeValidator(_resume)] | None = Field(
        None,
        description="table: graph id -> the value AC851-AC853 resume its interrupt() with "
        '(default "yes")',
    )
    startup_timeout: Seconds | None = Field(
        None,
        alias="startup-timeout",
        description="seconds a replica has to become healthy (default 60)",
    )
    recovery_timeout: Seconds | None = Field(
        None,
        alias="recovery-timeout",
        description="seconds a run on a killed replica has to end or resume (AC812, AC824; "
        "default 600: Agent Server reclaims such runs after 2-4x BG_JOB_HEARTBEAT, 120 s)",
    )
    allow_hosts: Annotated[list[str], BeforeValidator(_hosts)] | None = Field(
        None,
        alias="allow-hosts",
        description="hosts the servers may reach although egress is sealed (default: none)",
    )
    results: Text | None = Field(
        None,
        description="where load reports and the logs of a failed live run are kept (default "
        ".agentcheck/results)",
    )
    env: Annotated[dict[str, str], BeforeValidator(_env), WithJsonSchema(_ENV)] | None = Field(
        None, description="table: extra environment for the servers"
    )
