"""Aegra 0.6 on PostgreSQL, two replicas: threads and interrupts are shared, but a stopped or
killed replica's run stays running, a join on the other replica never ends, and ``reject``
admits two simultaneous runs on one thread."""

from __future__ import annotations

import re
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


def test_a_gracefully_stopped_replicas_run_stays_running(
    aegra2: Deployment, check_on: Callable[..., Outcome]
) -> None:
    outcome = check_on(aegra2, check("AC811"))
    assert outcome.status == "failed"
    assert outcome.message.startswith("SIGTERM to replica ")
    assert "the run is still running" in outcome.message
    assert "past the timeout of 64 s" in outcome.message
    assert all(aegra2.alive(i) for i in range(2))  # restored


def test_reject_admits_two_runs_on_one_thread(
    aegra2: Deployment, check_on: Callable[..., Outcome]
) -> None:
    outcome = check_on(aegra2, check("AC823"))
    assert outcome.status == "failed"
    assert "with multitask_strategy=reject: replica 1 (" in outcome.message
    assert outcome.message.count(": HTTP 200") == 2  # both accepted
    assert "exactly one must be accepted and the other refused with 409" in outcome.message


def test_a_killed_replicas_runs_under_load_stay_running(
    aegra2: Deployment, check_on: Callable[..., Outcome]
) -> None:
    outcome = check_on(aegra2, check("AC824"), recovery_timeout=15.0)
    assert outcome.status == "failed"
    assert re.search(r"SIGKILLed [\d.]+ s into [\d.]+ s of load by 3 clients", outcome.message)
    assert "accepted runs did not end within 15 s of the kill or are gone" in outcome.message
    assert ": still running" in outcome.message
    assert all(aegra2.alive(i) for i in range(2))  # restored
