"""AC852 rollback-read: threads written by the working tree are read and continued by the
last release."""

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

__all__ = ["RollbackRead"]


class RollbackRead(VersionsCheck, LiveCheck):
    """A rollback to the last release reads and continues the threads the working tree wrote.

    What it checks
    --------------
    AC851 the other way round. On the working tree, for each graph both versions serve, a
    thread runs from start to end with a breakpoint after every step, and new threads are left
    at each place it waited (its ``interrupt()`` calls and between steps; at most five); a run
    of agentcheck's probe graph is left in the middle of a step. Then the working tree's
    replicas are stopped (SIGTERM) and the last release (see AC851: the newest version tag,
    ``release-ref`` or ``--since``) starts on the same database and continues every thread to
    its end. Each must end without an error and with every field and value on which the same
    thread run on either version alone agrees; the run in flight must complete. The working
    tree is started again afterwards.

    Why it matters
    --------------
    A rollback plan that has never read the new release's threads is not verified: the new
    release may have written fields the old one does not know, under names it does not
    read, or left threads waiting at (or before) nodes the old one does not have. Those
    threads fail or end without their remaining steps the moment you roll back, usually in the
    middle of an incident.

    How to fix
    ----------
    Make releases backward compatible for one release: add fields with defaults and read them
    tolerantly, keep old node names until no thread can wait at them, and ship new nodes or
    graphs in a release the one before can be rolled back to (or accept, in the plan, that
    threads waiting at new nodes are lost on rollback). Verify the rollback target with this
    check before each deploy.
    """

    code = "AC852"
    name = "rollback-read"
    summary = (
        "Threads written by the working tree are read and continued by the last release after a "
        "rollback."
    )

    new_graphs = (
        "'{graph}' is new: after a rollback to {release}, which does not serve it, its threads "
        "wait for the next roll-forward"
    )

    def cross(self, ctx: LiveContext, scene: Scenario, old: str) -> None:
        url = ctx.deployment.urls[0]
        scene.run_alone(ctx, url, WORKING_TREE)
        left = scene.leave_all(ctx, url, WORKING_TREE, by=old)
        flight = start_in_flight(ctx, url)
        stop_all(ctx)
        try:
            with release_beside(ctx, scene.release) as release:
                urls = release.urls
                end_in_flight(ctx, scene, urls, flight, stopped=WORKING_TREE, by=old)
                scene.finish_all(ctx, urls[0], left)
                scene.run_alone(ctx, urls[0], old)
        finally:
            start_all(ctx, f"the rollback to {old}")
