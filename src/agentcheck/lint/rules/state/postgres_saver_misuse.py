"""AC304: PostgresSaver built with a connection string, outside ``with``, or never set up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.deployment.model import SaverUse
    from agentcheck.project import Project

__all__ = ["PostgresSaverMisuse"]


class PostgresSaverMisuse(Rule):
    """``PostgresSaver`` built from a connection string, used outside ``with``, or never set up.

    What it does
    ------------
    In the code the servers run (and langgraph.json ``checkpointer``/``store`` factories),
    reports:

    - ``PostgresSaver(conn_string=...)`` (or a string as its first argument): the constructor
      takes a psycopg connection or pool, not a connection string;
    - ``PostgresSaver.from_conn_string(...)`` not used as a (sync or async) context manager:
      it returns a context manager, not a saver;
    - Postgres savers and stores when nothing in the project ever calls ``.setup()``: the
      tables are not created, and the first run fails;
    - a saver given a psycopg2 connection or pool (``psycopg2.pool.SimpleConnectionPool``):
      langgraph's Postgres savers are built on psycopg 3;
    - persistence that fails open: an ``except`` around setting up a persistent saver that
      falls back to ``MemorySaver()``/``InMemorySaver()`` or ``checkpointer = None``.

    The same holds for ``AsyncPostgresSaver``, the shallow savers and the Postgres stores.

    Why is this bad?
    ----------------
    Each of these fails at start-up or at the first run in production, not in the unit tests
    that use ``MemorySaver``. The seed guide's own example, ``PostgresSaver(conn_string=...)``,
    raises ``TypeError``.

    Example
    -------
    ```python
    checkpointer = PostgresSaver(conn_string="postgresql://...")
    graph = builder.compile(checkpointer=checkpointer)
    ```

    Use instead
    -----------
    ```python
    with PostgresSaver.from_conn_string(os.environ["DATABASE_URI"]) as checkpointer:
        checkpointer.setup()
        graph = builder.compile(checkpointer=checkpointer)
    ```
    """

    code = "AC304"
    name = "postgres-saver-misuse"
    severity = Severity.WARNING
    message = "PostgresSaver is constructed or opened incorrectly."
    fix = (
        "Open it with `with PostgresSaver.from_conn_string(uri) as saver:` (or `async with` for "
        "AsyncPostgresSaver) and call `saver.setup()` once."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        yield from self._fail_open(dep.savers)
        uses = [u for u in dep.savers if u.kind == "postgres"]
        for use in uses:
            if use.method is None and use.connection.split(".", 1)[0] == "psycopg2":
                yield self.finding(
                    use.where.path,
                    use.where.line,
                    use.where.column,
                    message=(
                        f"`{use.cls}(...)` is given a psycopg2 connection or pool "
                        f"(`{use.connection}`), but langgraph's Postgres savers need psycopg 3: "
                        "the first checkpoint fails."
                    ),
                    fix=(
                        "Open the connection with psycopg 3: `psycopg_pool.ConnectionPool(uri, "
                        'kwargs={"autocommit": True, "row_factory": dict_row})` (or '
                        f"`{_with(use)} {use.cls}.from_conn_string(uri) as saver:`)."
                    ),
                )
            elif use.method is None and ("conn_string" in use.keywords or use.string_arg):
                yield self.finding(
                    use.where.path,
                    use.where.line,
                    use.where.column,
                    message=(
                        f"`{use.cls}(...)` is given a connection string, but its constructor "
                        "takes a psycopg connection or pool: it fails at start-up."
                    ),
                    fix=(
                        f"Use `{_with(use)} {use.cls}.from_conn_string(uri) as saver:`, or pass "
                        "a psycopg Connection/ConnectionPool as `conn`."
                    ),
                )
            elif use.method == "from_conn_string" and not use.in_with:
                yield self.finding(
                    use.where.path,
                    use.where.line,
                    use.where.column,
                    message=(
                        f"`{use.cls}.from_conn_string(...)` returns a context manager, not a "
                        f"saver: outside `{_with(use)}` the graph gets no working {use.role}."
                    ),
                    fix=(
                        f"Write `{_with(use)} {use.cls}.from_conn_string(uri) as saver:` (in the "
                        "app's lifespan or an @asynccontextmanager factory for a server) and use "
                        "`saver`."
                    ),
                )
        if uses and not dep.setup_calls:
            use = uses[0]
            yield self.finding(
                use.where.path,
                use.where.line,
                use.where.column,
                message=(
                    f"`{use.cls}` is used but nothing in the project calls `.setup()`: its "
                    "tables are never created and the first run fails."
                ),
                fix=(
                    f"Call `{'await ' if use.cls.startswith('Async') else ''}saver.setup()` "
                    "once after opening it (at start-up or in a migration step)."
                ),
            )

    def _fail_open(self, savers: list[SaverUse]) -> Iterator[Finding]:
        for use in savers:
            if not use.fallback or use.kind not in ("memory", "none"):
                continue
            what = "`checkpointer = None`" if use.kind == "none" else f"`{use.cls}()`"
            yield self.finding(
                use.where.path,
                use.where.line,
                use.where.column,
                message=(
                    f"Persistence fails open: when setting up the persistent {use.role} "
                    f"raises, this `except` falls back to {what}, and production silently "
                    "runs without durable threads (lost on restart, not shared by replicas)."
                ),
                fix=(
                    "Let start-up fail when the database is unreachable (re-raise), so the "
                    "deployment is not healthy without persistence; keep in-memory savers to "
                    "local development."
                ),
            )


def _with(use: SaverUse) -> str:
    return "async with" if use.cls.startswith("Async") else "with"
