"""AC801 boot: every replica comes up healthy and serves every graph as an assistant."""

from __future__ import annotations

from agentcheck.live.checks._base import CheckFailed, CheckSkipped, LiveCheck
from agentcheck.live.checks._context import LiveContext

__all__ = ["Boot"]


class Boot(LiveCheck):
    """Every replica becomes healthy within the timeout and serves the graph.

    What it checks
    --------------
    The deployment starts (each replica answers its health path within ``startup-timeout``
    seconds), then each replica is asked, with ``langgraph_sdk``, for the assistants of the
    graph.

    Why it matters
    --------------
    A graph that fails to import, an environment variable missing at start-up, or a replica
    serving another configuration shows up here, before a user's request would find it.

    How to fix
    ----------
    Read the server's log tail printed with the failure: a failed start ends with the server's
    own error (an import error, a missing variable, a port in use).
    """

    code = "AC801"
    name = "boot"
    summary = "Every replica becomes healthy within the timeout and serves every graph."
    per_graph = True
    needs_deployment = False  # it is the check that says the deployment did not start

    def run(self, ctx: LiveContext, graph: str) -> str:
        if ctx.startup_error is not None:
            # One item reports it: the graph the server blamed, else the first one.
            graphs = ctx.graphs or [graph]
            blamed = ctx.blamed_graph()
            owner = blamed if blamed in graphs else graphs[0]
            if graph != owner:
                why = f"graph {blamed!r} failed to load" if blamed else "it failed"
                raise CheckSkipped(
                    f"the deployment did not start ({why}): reported once, by AC801[{owner}]"
                )
            raise CheckFailed(f"the deployment did not start: {ctx.startup_error}")
        import httpx

        health = ctx.deployment.spec.health
        problems = []
        for index, url in enumerate(ctx.deployment.urls):
            where = f"replica {index + 1} ({url})"
            try:
                status = ctx.http().get(url + health, timeout=10.0).status_code
            except httpx.HTTPError as exc:
                problems.append(f"{where} does not answer {health}: {type(exc).__name__}")
                continue
            if status != 200:
                problems.append(f"{where} answers HTTP {status} at {health}")
                continue
            if not ctx.has_graph(graph, url):
                served = sorted(
                    {a["graph_id"] for a in ctx.sdk(url).assistants.search(limit=100)} - {ctx.probe}
                )
                problems.append(
                    f"{where} serves no assistant for graph {graph!r}; it serves "
                    + (", ".join(repr(g) for g in served) or "none")
                )
        if problems:
            raise CheckFailed("; ".join(problems))
        replicas = len(ctx.deployment.urls)
        took = f", up {ctx.startup_seconds:.1f} s after start" if ctx.startup_seconds else ""
        return f"{graph!r} is served by {replicas} healthy replica(s){took}"
