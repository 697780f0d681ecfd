"""AC302: a graph served by Agent Server compiled with its own checkpointer or store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.deployment.model import CheckpointerInfo, GraphInfo, Server
    from agentcheck.project import Project

__all__ = ["CustomCheckpointerOnAgentServer"]


class CustomCheckpointerOnAgentServer(Rule):
    """A graph served by Agent Server is compiled with its own checkpointer or store.

    What it does
    ------------
    Follows each langgraph.json graph to the ``compile()`` (or ``create_react_agent()``,
    ``@entrypoint``) that makes it, through assignments, factories and imports, and reports a
    ``checkpointer=`` or ``store=`` argument when the graph is served by LangGraph Agent Server
    (an image built by ``langgraph build`` or ``FROM langchain/langgraph-api``) or by
    ``langgraph dev``. A project with a langgraph.json and no other server counts as Agent
    Server: that is what ``langgraph build`` and ``langgraph up`` make of it.

    Why is this bad?
    ----------------
    The server owns persistence. ``langgraph dev`` refuses to load the graph ("Heads up! Your
    graph ... includes a custom checkpointer"), so the local test of the deployment fails; a
    deployed Agent Server ignores the argument and uses its own database, so the checkpointer
    you configured (and tested against) is not the one production runs.

    Example
    -------
    ```python
    checkpointer = PostgresSaver.from_conn_string(DB)
    graph = builder.compile(checkpointer=checkpointer)
    ```

    Use instead
    -----------
    ```python
    graph = builder.compile()
    ```
    and, to choose the checkpointer, a factory in langgraph.json:
    ``"checkpointer": {"path": "./agent/persistence.py:checkpointer"}``.
    """

    code = "AC302"
    name = "custom-checkpointer-on-agent-server"
    severity = Severity.ERROR
    message = "A graph served by Agent Server is compiled with its own checkpointer."
    fix = (
        "Remove `checkpointer=` from compile(); Agent Server persists threads in DATABASE_URI. "
        'To choose the checkpointer, name a factory in langgraph.json "checkpointer": '
        '{"path": "./module.py:factory"}.'
    )

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        for graph in dep.graphs:
            server = graph.server
            if server is None or not server.loads_langgraph_json or graph.compile is None:
                continue
            for role, info in (("checkpointer", graph.checkpointer), ("store", graph.store)):
                if info.kind == "none" or info.where is None or info.conditional:
                    continue  # a saver chosen by a condition may be None where it is served
                yield self.finding(
                    info.where.path,
                    info.where.line,
                    info.where.column,
                    message=_message(graph, role, info, _served_by(graph, server)),
                    fix=_fix(role, graph),
                )


def _served_by(graph: GraphInfo, server: Server) -> str:
    """Why the graph runs on Agent Server; an implied server is named by the graph's own
    langgraph.json (the server agentcheck infers may stand for another one)."""
    if server.implied and graph.config:
        return f"{graph.config}: `langgraph build` / `langgraph up` serve it"
    return server.reason


def _message(graph: GraphInfo, role: str, info: CheckpointerInfo, reason: str) -> str:
    what = f"`{info.constructor}`" if info.constructor else f"its own {role}"
    factory = graph.compile is not None and graph.compile.function is not None
    effect = (
        "a deployed server ignores it"
        if factory
        else "`langgraph dev` refuses to load it and a deployed server ignores it"
    )
    return (
        f"Graph '{graph.name}' ({graph.where}) is compiled with {role}={what}, but it is served "
        f"by Agent Server ({reason}): {effect}."
    )


def _fix(role: str, graph: GraphInfo) -> str:
    config = graph.config or "langgraph.json"
    if role == "store":
        return (
            f"Remove `store=` from the compile call; Agent Server provides the store. To choose "
            f'it, name a factory in {config}: "store": {{"path": "./module.py:factory"}}.'
        )
    return (
        f"Remove `checkpointer=` from the compile call; Agent Server persists threads in "
        f'DATABASE_URI. To choose the checkpointer, name a factory in {config}: "checkpointer": '
        f'{{"path": "./module.py:factory"}}.'
    )
