"""AC851-AC853 on langhost (Agent Server on PostgreSQL + Redis), on real servers of both
releases: a compatible pair passes on every graph, an incompatible one fails on the graphs it
breaks (a renamed State field, a renamed interrupt node) and still passes on the probe."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentcheck.live.checks import LiveCheck, Outcome, all_live_checks
from agentcheck.live.orchestrator import Deployment
from tests.live.versions.recipe import COMPATIBLE, INCOMPATIBLE

pytestmark = pytest.mark.slow

CHECKS = [c for c in all_live_checks() if c.code in ("AC851", "AC852", "AC853")]
#: What moves where in each check.
MOVES = {
    "AC851": [f"from {COMPATIBLE} to the working tree"],
    "AC852": [f"from the working tree to {COMPATIBLE}"],
    "AC853": [f"from {COMPATIBLE} to the working tree", f"from the working tree to {COMPATIBLE}"],
}


def _by_graph(outcomes: list[Outcome]) -> dict[str, Outcome]:
    return {o.graph: o for o in outcomes}


def _restored(deployment: Deployment) -> None:
    assert all(deployment.alive(i) for i in range(deployment.replicas))
    assert deployment.pids() == sorted(deployment.backend.pids() + _service_pids(deployment))


def _service_pids(deployment: Deployment) -> list[int]:
    return [pid for service in deployment.services.values() for pid in service.pids()]


@pytest.mark.parametrize("check", CHECKS, ids=[c.code for c in CHECKS])
def test_a_compatible_release_passes(
    working_tree: Deployment, check_on: Callable[..., list[Outcome]], check: LiveCheck
) -> None:
    outcomes = _by_graph(check_on(working_tree, check))
    assert sorted(outcomes) == ["agentcheck_probe", "approvals", "desk"]
    for graph, outcome in outcomes.items():
        assert outcome.status == "passed", f"{graph}: {outcome.message}\n{outcome.logs}"
        for move in MOVES[check.code]:
            assert move in outcome.message, outcome.message
    desk = outcomes["desk"].message
    assert "waiting at the interrupt() in 'request_approval'" in desk
    assert "between steps, at step 1 before 'request_approval'" in desk
    probe = outcomes["agentcheck_probe"].message
    assert "a run in flight when" in probe
    assert "was resumed by" in probe
    _restored(working_tree)


@pytest.mark.parametrize("check", CHECKS, ids=[c.code for c in CHECKS])
def test_an_incompatible_release_fails_on_the_graphs_it_breaks(
    working_tree: Deployment, check_on: Callable[..., list[Outcome]], check: LiveCheck
) -> None:
    outcomes = _by_graph(check_on(working_tree, check, since=INCOMPATIBLE))
    assert outcomes["agentcheck_probe"].status == "passed", outcomes["agentcheck_probe"].message
    desk, approvals = outcomes["desk"], outcomes["approvals"]
    assert desk.status == "failed"
    assert approvals.status == "failed"
    # The renamed State field: the version resuming the thread reads its own name.
    forward = f"left by {INCOMPATIBLE} waiting at the interrupt() in 'request_approval' (step 1)"
    back = "left by the working tree waiting at the interrupt() in 'request_approval' (step 1)"
    if check.code in ("AC851", "AC853"):
        assert forward in desk.message
        assert "continued by the working tree: its run failed: KeyError: 'category'" in desk.message
    if check.code in ("AC852", "AC853"):
        assert back in desk.message
        assert f"continued by {INCOMPATIBLE}: its run failed: KeyError: 'topic'" in desk.message
    # The renamed interrupt node: the thread resumes into a node the other version lacks.
    waiting = "approve" if check.code == "AC851" else "review"
    assert f"waiting at the interrupt() in '{waiting}'" in approvals.message
    assert "resuming it ran no step" in approvals.message
    # What each version alone does with the same thread, for comparison.
    assert f"{INCOMPATIBLE} alone: it ended with" in desk.message
    assert "the working tree alone: it ended with" in desk.message
    _restored(working_tree)
