"""AC510 cors-allow-all."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from agentcheck.deployment import EnvValue, deployment
from agentcheck.deployment.appcode import (
    CORS_WORDS,
    MATCH_ALL_REGEXES,
    cors_allow_all,
)
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import (
    production_agent_workloads,
    production_env_file_values,
    workload_ignores,
)
from agentcheck.pyindex import python_naming

if TYPE_CHECKING:
    from agentcheck.project import LanggraphConfig, Project

__all__ = ["CorsAllowAll"]


class CorsAllowAll(Rule):
    """CORS lets every website call the agent's API.

    What it does
    ------------
    Reports ``CORS_ALLOW_ORIGINS=*`` in the environment of a production agent workload or in a
    production env file; a langgraph.json ``http.cors`` (or a ``CORS_CONFIG`` variable) that
    allows every origin (``"*"`` or a match-all ``allow_origin_regex``) together with
    ``allow_credentials: true``; and a ``CORSMiddleware`` in served code added with
    ``allow_origins=["*"]`` and ``allow_credentials=True``.

    Why is this bad?
    ----------------
    Any website a user visits can then call the API from the user's browser. With
    credentials allowed, Starlette echoes the caller's origin back, so cookies and
    authorization headers go along: another site can read that user's threads and run the
    agent as them.

    Example
    -------
    ```json
    {"http": {"cors": {"allow_origins": ["*"], "allow_credentials": true}}}
    ```

    Use instead
    -----------
    ```json
    {"http": {"cors": {"allow_origins": ["https://app.example.com"], "allow_credentials": true}}}
    ```
    """

    code = "AC510"
    name = "cors-allow-all"
    severity = Severity.INFO
    message = "CORS allows every origin."
    fix = "List the origins of your front ends instead of *."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        seen: set[tuple[str, int]] = set()
        values: list[tuple[EnvValue, str]] = []
        for w in production_agent_workloads(dep):
            if not workload_ignores(w, self):
                env = dep.env_of(w)
                values.extend(
                    (env[k], w.name) for k in ("CORS_ALLOW_ORIGINS", "CORS_CONFIG") if k in env
                )
        values.extend(
            (v, v.where.path)
            for v in production_env_file_values(project)
            if v.name in ("CORS_ALLOW_ORIGINS", "CORS_CONFIG")
        )
        for value, owner in values:
            key = (value.where.path, value.where.line)
            if key in seen or value.value is None or value.interpolated:
                continue
            seen.add(key)
            if value.name == "CORS_ALLOW_ORIGINS" and "*" in _origins(value.value):
                yield self.finding(
                    value.where.path,
                    value.where.line,
                    value.where.column,
                    message=f"CORS_ALLOW_ORIGINS=* for {owner}: every website can call the API "
                    "from its visitors' browsers.",
                    fix="Set `CORS_ALLOW_ORIGINS` to your front ends' origins, comma-separated "
                    "(https://app.example.com).",
                )
            elif value.name == "CORS_CONFIG" and _allows_all_with_credentials(_json(value.value)):
                yield self.finding(
                    value.where.path,
                    value.where.line,
                    value.where.column,
                    message=f"CORS_CONFIG for {owner} allows every origin with credentials: "
                    "any website can act as a signed-in user.",
                    fix='List your front ends in `"allow_origins"` instead of "*".',
                )
        for cfg in project.langgraph_configs:
            yield from self._config(cfg)
        for rel in sorted(dep.served_files):
            tree = python_naming(project, rel, CORS_WORDS)
            for site in cors_allow_all(tree) if tree is not None else ():
                yield self.finding(
                    rel,
                    site.line,
                    site.column,
                    message=f"CORSMiddleware with {site.origins} and allow_credentials=True: "
                    "any website can call the app as a signed-in user.",
                    fix='Set `allow_origins=["https://app.example.com"]` (your front ends) or '
                    "`allow_credentials=False`.",
                )

    def _config(self, cfg: LanggraphConfig) -> Iterator[Finding]:
        http = cfg.data.get("http")
        cors = http.get("cors") if isinstance(http, Mapping) else None
        if cfg.doc is None or not _allows_all_with_credentials(cors):
            return
        assert isinstance(cors, Mapping)
        key = "allow_origins" if _wildcard(cors.get("allow_origins")) else "allow_origin_regex"
        line, column = cfg.doc.loc("http", "cors", key)
        yield self.finding(
            cfg.path,
            line,
            column,
            message=f"{cfg.path} http.cors allows every origin with allow_credentials: any "
            "website can call the API as a signed-in user.",
            fix='Set `"allow_origins": ["https://app.example.com"]` (your front ends) in '
            "http.cors.",
        )


def _origins(value: str) -> set[str]:
    return {part.strip().strip("\"'") for part in value.split(",")}


def _wildcard(origins: Any) -> bool:
    return isinstance(origins, list) and "*" in origins


def _allows_all_with_credentials(cors: Any) -> bool:
    if not isinstance(cors, Mapping) or cors.get("allow_credentials") is not True:
        return False
    regex = cors.get("allow_origin_regex")
    return _wildcard(cors.get("allow_origins")) or (
        isinstance(regex, str) and regex.strip() in MATCH_ALL_REGEXES
    )


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
