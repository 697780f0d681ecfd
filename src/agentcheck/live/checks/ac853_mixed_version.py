"""AC853 mixed-version: the last release and the working tree side by side on one database
continue each other's threads, as during a rolling update."""

from __future__ import annotations

from agentcheck.live.checks._base import LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._moves import end_in_flight, paused, release_beside, start_in_flight
from agentcheck.live.checks._release import WORKING_TREE
from agentcheck.live.checks._versions import Scenario, VersionsCheck

__all__ = ["MixedVersion"]


class MixedVersion(VersionsCheck, LiveCheck):
    """During a rolling update, the last release and the working tree run side by side on one
    database, and threads started on either continue on the other.

    What it checks
    --------------
    The last release (see AC851) starts beside the working tree's replicas, on the same
    PostgreSQL and Redis, as the first new pod of a rolling update joins the old ones. Both
    serve requests and both execute runs from the shared queue; to know which version
    executes each run, the check freezes (SIGSTOP) the other version's servers while it
    runs, so every hand-over below happens for certain. For each graph both serve: threads
    are left by the release at each place its threads wait (its ``interrupt()`` calls and
    between steps; at most five) and continued to their end by the working tree, and threads
    left by the working tree are continued by the release. Each must end without an error and
    with every field and value on which the same thread run on either version alone agrees.
    Last, a probe run in the middle of a step on the release is handed over when the release
    stops (SIGTERM, as the rolling update retires the old pod): the working tree, still
    serving, must resume it.

    Why it matters
    --------------
    A rolling update (Kubernetes' default) runs N and N+1 together for minutes, behind one
    load balancer and one run queue: a user's next request, or the worker that picks their
    run, can be either version, in either order. Schema or node changes that break waiting
    threads break them during every rollout, in both directions, before the rollout
    finishes.

    How to fix
    ----------
    As for AC851 and AC852: a release must read what the one before wrote and write what the
    one before can read (fields added with defaults, old names kept for one release). If a
    change cannot be made so, deploy it with ``strategy: Recreate`` (all old replicas stop
    before new ones start) and accept what AC851 reports.
    """

    code = "AC853"
    name = "mixed-version"
    summary = (
        "Side by side on one database, the last release and the working tree continue each "
        "other's threads."
    )

    new_graphs = "'{graph}' is new: {release} does not serve it, nothing crosses"

    def cross(self, ctx: LiveContext, scene: Scenario, old: str) -> None:
        new = ctx.deployment
        with release_beside(ctx, scene.release) as release:
            at_old, at_new = release.urls[0], new.urls[0]
            with paused(new):
                scene.run_alone(ctx, at_old, old)
                forward = scene.leave_all(ctx, at_old, old, by=WORKING_TREE)
            with paused(release):
                scene.finish_all(ctx, at_new, forward)
                scene.run_alone(ctx, at_new, WORKING_TREE)
                back = scene.leave_all(ctx, at_new, WORKING_TREE, by=old)
            with paused(new):
                scene.finish_all(ctx, at_old, back)
                flight = start_in_flight(ctx, at_old)
        end_in_flight(ctx, scene, new.urls, flight, stopped=old, by=WORKING_TREE)
