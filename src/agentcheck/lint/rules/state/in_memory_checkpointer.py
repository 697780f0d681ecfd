"""AC301: an in-memory checkpointer or store in code a self-hosted server runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.state._common import self_hosted_files

if TYPE_CHECKING:
    from agentcheck.deployment.model import Where
    from agentcheck.project import Project

__all__ = ["InMemoryCheckpointer"]


class InMemoryCheckpointer(Rule):
    """An in-memory checkpointer or store in code a self-hosted server runs.

    What it does
    ------------
    Reports ``MemorySaver``, ``InMemorySaver`` and ``InMemoryStore`` constructed in the code of
    a custom server (a FastAPI/Starlette app run by uvicorn, gunicorn, hypercorn ...), and a
    langgraph.json ``checkpointer.path`` or ``store.path`` factory that returns one.

    Agent Server and ``langgraph dev`` bring their own persistence (a graph compiled with its own
    checkpointer there is AC302); Aegra replaces a graph's checkpointer and store with its
    Postgres ones, so neither is reported here.

    Why is this bad?
    ----------------
    Memory is per process: every restart, deploy or crash loses every thread, every pending
    human-in-the-loop interrupt and all long-term memory, and a second replica sees none of
    the first one's threads. The seed guide keeps ``MemorySaver`` for local development only.

    Example
    -------
    ```python
    from langgraph.checkpoint.memory import MemorySaver

    graph = builder.compile(checkpointer=MemorySaver())
    ```

    Use instead
    -----------
    ```python
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    async with AsyncPostgresSaver.from_conn_string(os.environ["DATABASE_URI"]) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
    ```
    """

    code = "AC301"
    name = "in-memory-checkpointer"
    severity = Severity.ERROR
    message = "An in-memory checkpointer loses every thread on restart."
    fix = (
        "Use a persistent checkpointer shared by every replica: AsyncPostgresSaver "
        "(langgraph-checkpoint-postgres) or AsyncRedisSaver, opened with `async with`."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        seen: set[Where] = set()
        served = self_hosted_files(project, dep)
        for use in dep.savers:
            server = served.get(use.where.path)
            if use.kind != "memory" or server is None or use.where in seen or use.fallback:
                continue  # a fallback in an ``except`` is AC304's (persistence fails open)
            seen.add(use.where)
            what = "store" if use.role == "store" else "checkpointer"
            yield self.finding(
                use.where.path,
                use.where.line,
                use.where.column,
                message=(
                    f"`{use.cls}()` is an in-memory {what} in code served by "
                    f"{_served_by(server.reason)}: threads, interrupts and memory are lost on "
                    "every restart and not shared between replicas."
                ),
                fix=_fix(use.role),
            )
        for config_where, info in dep.config_savers:
            if info.kind != "memory":
                continue
            where = info.origin or config_where
            if where in seen:
                continue
            seen.add(where)
            yield self.finding(
                where.path,
                where.line,
                where.column,
                message=(
                    f"The factory named in {config_where.path} returns `{info.constructor}`, an "
                    "in-memory saver: the server's threads are lost on every restart."
                ),
                fix=_fix("checkpointer"),
            )


def _served_by(reason: str) -> str:
    return f"a self-hosted server ({reason})"


def _fix(role: str) -> str:
    if role == "store":
        return (
            "Use AsyncPostgresStore (langgraph-checkpoint-postgres) or AsyncRedisStore "
            "instead of InMemoryStore, opened with `async with` and `await store.setup()`."
        )
    return InMemoryCheckpointer.fix
