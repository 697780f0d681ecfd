"""AC602: a node where threads of the last release wait is gone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rules.versions._common import ReleaseRule, at, rename_hint

if TYPE_CHECKING:
    from agentcheck.project import Project
    from agentcheck.versions import Comparison, GraphShape

__all__ = ["GraphTopologyBreak"]


class GraphTopologyBreak(ReleaseRule):
    """A node where threads of the last release wait is removed or renamed.

    What it does
    ------------
    Compares each graph's nodes and edges with the last release's (the newest version tag
    HEAD descends from, ``release-ref`` in ``[tool.agentcheck]`` or ``--since REF``), read
    from the ``StateGraph`` builder calls by AST. Threads wait at a node that calls
    ``interrupt()`` (in its body or in a function of the project it calls), at a node the
    compile call lists in ``interrupt_before``, and, after a node listed in
    ``interrupt_after``, at the nodes its edges lead to. Reports each such node the working
    tree no longer has, as a rename when another node runs the same function or is the one
    new waiting node. New nodes, and removed nodes where no thread waits, are not reported;
    nor are graphs whose builder cannot be read whole (nodes added in a helper, names
    computed at run time).

    Why is this bad?
    ----------------
    A waiting thread's checkpoint names the node it resumes into. LangGraph runs the newest
    code against it: when that node is gone, the resume finds nothing to run and the run
    ends at once, without the step and without an error, so the human's answer is lost and
    the thread is finished in the wrong state. A rollback strands the new release's waiting
    threads the same way.

    Example
    -------
    ```python
    builder.add_node("ask_human", request_approval)  # "request_approval" in v1.2.0
    ```

    Use instead
    -----------
    ```python
    builder.add_node("request_approval", request_approval)  # keep the name threads wait at
    ```
    Rename a waiting node only when no thread of the last release waits there (or migrate
    those threads first); new names for new nodes are always safe.

    References
    ----------
    - https://docs.langchain.com/oss/python/langgraph/backward-compatibility
    - https://docs.langchain.com/oss/python/langgraph/interrupts
    """

    code = "AC602"
    name = "graph-topology-break"
    severity = Severity.WARNING
    message = "A node where threads of the last release wait is gone."
    fix = (
        "Keep the node under its old name (it may run the new code) until no thread of the "
        "last release waits there, or move the waiting threads on first."
    )

    def compare(self, project: Project, found: Comparison) -> Iterator[Finding]:
        label = found.old.label
        for old, new in found.pairs():
            graph_id = new.graph_id
            if old.nodes is None or new.nodes is None:
                continue
            reported: set[str] = set()
            for waiting, pending, why in old.waiting_points():
                if pending in new.nodes or pending in reported:
                    continue
                reported.add(pending)
                yield self._gone(graph_id, old, new, waiting, pending, why, label)

    def _gone(
        self,
        graph_id: str,
        old: GraphShape,
        new: GraphShape,
        waiting: str,
        pending: str,
        why: str,
        label: str,
    ) -> Finding:
        assert old.nodes is not None
        assert new.nodes is not None
        node = old.nodes[pending]
        added = {n: v for n, v in new.nodes.items() if n not in old.nodes}
        same_function = [
            n for n, v in added.items() if node.function and v.function == node.function
        ]
        waiting_new = [n for n, v in added.items() if v.waits]
        renamed = rename_hint(pending, same_function) or (
            rename_hint(pending, waiting_new) if pending == waiting else None
        )
        where = new.nodes[renamed].where if renamed else new.builder or new.compile or new.where
        how = (
            f"threads wait at its {why}"
            if pending == waiting and why.startswith("interrupt()")
            else "threads wait before it (interrupt_before)"
            if pending == waiting
            else f"threads waiting after '{waiting}' (interrupt_after) resume into it"
        )
        now = f"renamed to '{renamed}'?" if renamed else "gone"
        return self.finding(
            where.path,
            where.line,
            where.column,
            message=(
                f"Node '{pending}' of graph '{graph_id}' ({at(label, node.where)}; {how}) is "
                f"{now} ({where.path}:{where.line}): a thread waiting there under {label} "
                "resumes into nothing, so its run ends at once without the step and without "
                "an error."
            ),
        )
