"""AC603: a graph id of the last release is gone from langgraph.json."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment.model import Where
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rules.versions._common import ReleaseRule, at

if TYPE_CHECKING:
    from agentcheck.project import Project
    from agentcheck.versions import Comparison

__all__ = ["GraphIdRemoved"]


class GraphIdRemoved(ReleaseRule):
    """A graph id (the assistant id clients call) of the last release is gone.

    What it does
    ------------
    Compares the ``graphs`` of every langgraph.json (and aegra.json) with the last release's:
    the newest version tag HEAD descends from (``v1.2.3`` or ``1.2.3``), ``release-ref`` in
    ``[tool.agentcheck]``, or ``--since REF``. Reports each graph id the release served and
    the working tree no longer does, as a rename when a new id serves the same target. The
    release's files are read from git objects and compared by AST; nothing is imported or
    checked out.

    Why is this bad?
    ----------------
    A graph id is an API: clients, UIs and cron jobs call it as their assistant id, and every
    thread the release started belongs to it. Once the id is gone, those calls fail, and the
    threads waiting on it (at an interrupt, for a human) can only resume if each client is
    changed to send them to another graph. During a rolling update the old and new replicas
    disagree about which ids exist, so the same request succeeds or fails by replica.

    Example
    -------
    ```json
    {"graphs": {"escalate": "./agent/escalation.py:graph"}}
    ```
    where the release served it as ``"escalation"``.

    Use instead
    -----------
    ```json
    {"graphs": {
      "escalation": "./agent/escalation.py:graph",
      "escalate": "./agent/escalation.py:graph"
    }}
    ```
    Serve both ids until no client calls the old one and no thread of it waits, then drop it.

    References
    ----------
    - https://docs.langchain.com/oss/python/langgraph/backward-compatibility
    - https://docs.langchain.com/langsmith/configuration-cloud (assistants and graph ids)
    """

    code = "AC603"
    name = "graph-id-removed"
    severity = Severity.ERROR
    message = "A graph id of the last release is gone from langgraph.json."
    fix = (
        "Keep serving the old id (several ids may name one graph) until no client calls it "
        "and no thread of it is waiting, then remove it."
    )

    def compare(self, project: Project, found: Comparison) -> Iterator[Finding]:
        if not found.new.configs:
            return
        old, new = found.old, found.new
        for graph_id, shape in sorted(old.graphs.items()):
            if graph_id in new.graphs:
                continue
            renamed = found.renamed_id(graph_id)
            config = shape.where.path if shape.where.path in new.configs else new.configs[0]
            where = new.graphs[renamed].where if renamed else self._graphs_key(project, config)
            now = (
                f"renamed to '{renamed}' ({where.path}:{where.line})"
                if renamed
                else f"not in {config}"
            )
            yield self.finding(
                where.path,
                where.line,
                where.column,
                message=(
                    f"Graph id '{graph_id}' ({at(old.label, shape.where)}) is {now}: clients "
                    f"that call assistant '{graph_id}' fail, and threads started on it, "
                    "waiting ones included, resume only if every client sends them to "
                    "another graph."
                ),
            )

    @staticmethod
    def _graphs_key(project: Project, config: str) -> Where:
        doc = project.json(config)
        line, column = doc.key_loc("graphs") if doc is not None else (1, 1)
        return Where(config, line, column)
