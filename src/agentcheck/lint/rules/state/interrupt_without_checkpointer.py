"""AC305: a graph interrupts but nothing persists its state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["InterruptWithoutCheckpointer"]


class InterruptWithoutCheckpointer(Rule):
    """A graph uses ``interrupt()`` but nothing persists its state.

    What it does
    ------------
    Reports a served graph whose code calls ``interrupt()`` (``langgraph.types``) or that is
    compiled with ``interrupt_before``/``interrupt_after``, when neither the graph nor its
    server has a checkpointer: a custom app that compiles it without ``checkpointer=``.
    Agent Server, ``langgraph dev`` and Aegra persist every graph they serve, so their graphs
    are not reported.

    Why is this bad?
    ----------------
    An interrupt pauses the run and saves where it stopped in the checkpointer; resuming with
    ``Command(resume=...)`` reads it back. Without a checkpointer the run stops at the interrupt
    and its state is gone: the resume raises "Cannot use Command(resume=...) without
    checkpointer", so no human-in-the-loop step can ever complete.

    Example
    -------
    ```python
    def review(state):
        answer = interrupt({"draft": state["draft"]})
        ...

    graph = builder.compile()  # served by a FastAPI app
    ```

    Use instead
    -----------
    ```python
    graph = builder.compile(checkpointer=saver)  # an AsyncPostgresSaver opened at start-up
    ```
    """

    code = "AC305"
    name = "interrupt-without-checkpointer"
    severity = Severity.ERROR
    message = "A graph interrupts but nothing persists its state."
    fix = (
        "Compile the graph with `checkpointer=` a persistent saver (AsyncPostgresSaver), or "
        "serve it with Agent Server, which persists every graph."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        if dep.assigned_checkpointers:
            return  # the app sets a checkpointer on its graphs at run time
        for graph in dep.graphs:
            server = graph.server
            site = graph.compile
            if server is None or server.persists_threads or server.kind != "custom":
                continue
            if site is None or not graph.uses_interrupt or site.checkpointer.kind != "none":
                continue
            how = (
                f"calls interrupt() at {graph.interrupts[0]}"
                if graph.interrupts
                else f"is compiled with interrupt_before/after at {site.static_interrupts[0]}"
            )
            yield self.finding(
                site.where.path,
                site.where.line,
                site.where.column,
                message=(
                    f"Graph '{graph.name}' {how}, but it is compiled without a checkpointer and "
                    f"served by {server.reason}, which does not persist state: the interrupted "
                    "run can never be resumed."
                ),
                fix=(
                    "Pass `checkpointer=` a persistent saver to this compile call (an "
                    "AsyncPostgresSaver opened in the app's lifespan), or serve the graph with "
                    "Agent Server."
                ),
            )
