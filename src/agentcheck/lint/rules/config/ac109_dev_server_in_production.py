"""AC109 dev-server-in-production: ``langgraph dev`` or the in-memory runtime serves
production."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import pathspec

from agentcheck.deployment._commands import SEPARATORS, shell_words, split_line
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.deployment.model import EnvValue
    from agentcheck.project import Project

__all__ = ["DevServerInProduction", "dev_server"]

_PYTHONS = re.compile(r"^python(?:3(?:\.\d+)?)?$")
_RUNTIME_ENV = "LANGGRAPH_RUNTIME_EDITION"


def dev_server(argv: Sequence[str] | str | None) -> str | None:
    """What development server a start command runs (``"langgraph dev"``), or None.

    Recognizes ``langgraph dev`` however it is launched (a path to the script, ``uvx``,
    ``python -m langgraph_cli dev``, inside ``sh -c``), ``python -m langgraph_api.cli`` (which
    defaults to the in-memory runtime) and ``LANGGRAPH_RUNTIME_EDITION=inmem`` prefixes.
    """
    if argv is None:
        return None
    words = shell_words(split_line(argv) if isinstance(argv, str) else list(argv))
    for i, word in enumerate(words):
        name = PurePosixPath(word).name
        rest = words[i + 1 :]
        if word.startswith(f"{_RUNTIME_ENV}=") and word.split("=", 1)[1].strip("'\"") == "inmem":
            return f"the in-memory runtime ({_RUNTIME_ENV}=inmem)"
        if name in ("langgraph", "langgraph.exe") and _subcommand(rest) == "dev":
            return "`langgraph dev`"
        if _PYTHONS.match(name) and len(rest) >= 2 and rest[0] == "-m":
            module, after = rest[1], rest[2:]
            if module == "langgraph_cli" and _subcommand(after) == "dev":
                return "`python -m langgraph_cli dev`"
            if module in ("langgraph_api.cli", "langgraph_api.__main__"):
                edition = _option(after, "--runtime-edition")
                if edition in (None, "inmem"):
                    return f"`python -m {module}` (the in-memory runtime)"
    return None


def _subcommand(rest: Sequence[str]) -> str | None:
    for word in rest:
        if word in SEPARATORS:
            return None
        if not word.startswith("-"):
            return word
    return None


def _option(words: Sequence[str], name: str) -> str | None:
    for i, word in enumerate(words):
        if word == name and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


class DevServerInProduction(Rule):
    """``langgraph dev``, ``langgraph-cli[inmem]`` or the in-memory runtime serves production.

    What it does
    ------------
    Reads the start command of every production entrypoint: Dockerfile ``CMD``/``ENTRYPOINT``
    (final stage), compose ``command``/``entrypoint``, Kubernetes and Cloud Run (Knative)
    ``command``/``args``, ``Procfile``, ``railway.json``/``railway.toml``, ``fly.toml``,
    ``render.yaml``, App Engine ``app.yaml`` and ``nixpacks.toml``; and the
    ``LANGGRAPH_RUNTIME_EDITION`` those environments set. It reports ``langgraph dev`` (also
    as ``uvx``, ``python -m langgraph_cli dev``), ``python -m langgraph_api.cli`` without a
    persistent runtime, and ``LANGGRAPH_RUNTIME_EDITION=inmem``.

    Why is this bad?
    ----------------
    The development server keeps threads, runs and the queue in process memory, pickled to
    a local directory now and then: a restart or a crash loses runs, replicas share nothing,
    and it runs with hot reload and one job at a time by default.

    Example
    -------
    ```dockerfile
    FROM python:3.11-slim
    RUN pip install "langgraph-cli[inmem]" .
    CMD ["langgraph", "dev", "--host", "0.0.0.0", "--no-browser"]
    ```

    Use instead
    -----------
    ```text
    langgraph build -t my-agent:1.4.2
    # and run the image with DATABASE_URI and REDIS_URI set
    ```
    """

    code = "AC109"
    name = "dev-server-in-production"
    severity = Severity.ERROR
    production_dependent = True
    message = "The production entrypoint runs the in-memory development server."
    fix = (
        "Build the image with `langgraph build` and run it on PostgreSQL and Redis, or serve "
        "the graphs with a production server such as Aegra."
    )

    def check(self, project: Project) -> Iterable[Finding]:
        seen: set[tuple[str, int]] = set()
        for finding in self._all(project):
            if (finding.path, finding.line) not in seen:
                seen.add((finding.path, finding.line))
                yield finding

    def _report(self, path: str, line: int, column: int, what: str, how: str) -> Finding:
        return self.finding(
            path,
            line,
            column,
            message=f"{how} runs {what} in production: an in-memory development server that "
            "loses threads and runs on restart and shares nothing between replicas.",
        )

    def _all(self, project: Project) -> Iterator[Finding]:
        from agentcheck.deployment import deployment

        model = deployment(project)
        not_production = _not_production(project)
        for rel, info in model.dockerfiles.items():
            if not info.production:
                continue
            # ENTRYPOINT ["langgraph"] with CMD ["dev"] runs `langgraph dev` too.
            what = dev_server(info.argv)
            if what:
                where, how = info.cmd_where, "CMD"
                if where is None or (info.entrypoint and dev_server(info.entrypoint)):
                    where, how = info.entrypoint_where, "ENTRYPOINT"
                if where is not None:
                    yield self._report(rel, where.line, where.column, what, f"The {how}")
            yield from self._env(info.env)
        for workload in model.workloads:
            production = workload.production or (
                workload.kind == "KnativeService" and not not_production(workload.where.path)
            )
            if not production:
                continue
            for container in workload.containers:
                what = dev_server(container.argv)
                where = container.command_where or container.where
                if what:
                    yield self._report(
                        where.path,
                        where.line,
                        where.column,
                        what,
                        f"The command of {workload.kind} {workload.name!r}",
                    )
                yield from self._env(container.env)
        for command in model.start_commands:
            if not command.production or command.process == "release":
                continue
            what = dev_server(command.argv)
            if what:
                at = command.where
                how = f"The start command in {command.platform}"
                yield self._report(at.path, at.line, at.column, what, how)

    def _env(self, env: dict[str, EnvValue]) -> Iterator[Finding]:
        value = env.get(_RUNTIME_ENV)
        if value is not None and (value.value or "").strip().strip("'\"") == "inmem":
            yield self._report(
                value.where.path,
                value.where.line,
                value.where.column,
                "the in-memory runtime",
                f"{_RUNTIME_ENV}=inmem",
            )


def _not_production(project: Project) -> Any:
    spec = pathspec.GitIgnoreSpec.from_lines(project.config.not_production)
    return spec.match_file
