"""Aegra 0.6 on PostgreSQL, two replicas: threads and interrupts are shared, but a killed
replica's run stays running and a join on the other replica never ends."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentcheck.live.checks import LiveCheck, Outcome, all_live_checks
from agentcheck.live.orchestrator import Deployment

pytestmark = pytest.mark.slow


def check(code: str) -> LiveCheck:
    return next(c for c in all_live_checks() if c.code == code)


@pytest.mark.parametrize("code", ["AC821", "AC814"])
def test_threads_and_interrupts_are_shared(
    aegra2: Deployment, check_on: Callable[..., Outcome], code: str
) -> None:
    outcome = check_on(aegra2, check(code))
    assert outcome.status == "passed", f"{outcome.message}\n{outcome.logs}"


def test_a_join_on_the_other_replica_hangs_and_is_cut(
    aegra2: Deployment, check_on: Callable[..., Outcome]
) -> None:
    outcome = check_on(aegra2, check("AC822"))
    assert outcome.status == "failed"
    assert "the probe's last event never arrived" in outcome.message


def test_a_killed_replicas_run_stays_running(
    aegra2: Deployment, check_on: Callable[..., Outcome]
) -> None:
    outcome = check_on(aegra2, check("AC812"), recovery_timeout=15.0)
    assert outcome.status == "failed"
    assert "the run is still running" in outcome.message
    assert "past the timeout of 15 s" in outcome.message
    assert all(aegra2.alive(i) for i in range(2))  # restored
