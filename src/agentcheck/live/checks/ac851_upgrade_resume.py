"""AC851 upgrade-resume: threads left by the last release resume under the working tree."""

from __future__ import annotations

from agentcheck.live.checks._base import LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._moves import (
    end_in_flight,
    release_beside,
    start_all,
    start_in_flight,
    stop_all,
)
from agentcheck.live.checks._release import WORKING_TREE
from agentcheck.live.checks._versions import Scenario, VersionsCheck

__all__ = ["UpgradeResume"]


class UpgradeResume(VersionsCheck, LiveCheck):
    """Threads interrupted under the last release resume under the working tree, on the same
    database, and end as either version alone ends them.

    What it checks
    --------------
    The last release is the newest version tag HEAD descends from (``v1.2.3``, ``1.2.3``),
    ``release-ref`` in ``[tool.agentcheck]``, or ``--since REF`` (``--agentcheck-since``). The
    check stops the working tree's replicas, checks that release out into a temporary
    directory (your repository is not touched) and starts it on the deployment's PostgreSQL
    and Redis. For each graph served by both versions it runs a thread from start to end with
    a breakpoint after every step, which finds where its threads wait (at an ``interrupt()``
    of the graph, and between steps, where a run in flight is resumed from its checkpoint),
    and leaves a new thread at each of those places (at most five, the interrupts first). It
    also leaves a run of agentcheck's probe graph in the middle of a step. Then it stops the
    release (SIGTERM, as a deploy does), starts the working tree again on the same database,
    and continues every thread to its end (an ``interrupt()`` is resumed with ``resume``'s
    value, ``"yes"`` by default). Each must end without an error and with every field, and
    every value, on which the same thread run on either version alone agrees; the run in
    flight must be resumed and complete.

    Threads start with the graph's input from ``inputs`` in ``[tool.agentcheck.live]``
    (``inputs.support = { messages = [...] }``), else one built from its State schema (a user
    message in ``messages``, plain values for required fields), else ``input``. Graphs only the
    working tree serves have no thread to resume. Without a release (no tag, no git) the check
    is skipped and says how to name one; so it is when the working tree is that release
    unchanged, and on a server whose threads do not live in a database (``langgraph dev``
    keeps them in its own process and directory: each version would see only its own). It
    needs the local runtime, which can start another version beside the deployment.

    Why it matters
    --------------
    A release is not stateless: threads waiting for a human under release N are resumed by
    N+1, and runs in flight during the deploy are finished by it. A State field renamed, a
    reducer changed, a node where threads wait renamed or removed make those threads fail
    (``KeyError``) or end silently without their remaining steps. Nothing in a normal test
    suite starts a thread under one version and finishes it under another.

    How to fix
    ----------
    Keep what waiting threads depend on: the State's field names and types (add new fields
    with defaults), reducers, and the names of nodes where threads wait. To rename, ship the
    new name beside the old one and remove the old one in a later release, once no thread
    waits there. ``agentcheck lint`` (AC601-AC603) points at the lines.
    """

    code = "AC851"
    name = "upgrade-resume"
    summary = (
        "Threads interrupted or in flight under the last release resume under the working tree "
        "on the same database."
    )

    new_graphs = "'{graph}' is new: {release} has no thread of it"

    def cross(self, ctx: LiveContext, scene: Scenario, old: str) -> None:
        stop_all(ctx)
        try:
            with release_beside(ctx, scene.release) as release:
                url = release.urls[0]
                scene.run_alone(ctx, url, old)
                left = scene.leave_all(ctx, url, old, by=WORKING_TREE)
                flight = start_in_flight(ctx, url)
        finally:
            start_all(ctx, f"{old} stopped")
        urls = ctx.deployment.urls
        end_in_flight(ctx, scene, urls, flight, stopped=old, by=WORKING_TREE)
        scene.finish_all(ctx, urls[0], left)
        scene.run_alone(ctx, urls[0], WORKING_TREE)
