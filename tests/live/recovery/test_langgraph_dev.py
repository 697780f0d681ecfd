"""langgraph dev (in memory): a graceful restart keeps everything, a crash soon after a write
loses it, and two replicas share nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentcheck.live.checks import LiveCheck, Outcome, all_live_checks
from agentcheck.live.orchestrator import Deployment

pytestmark = pytest.mark.slow


def check(code: str) -> LiveCheck:
    return next(c for c in all_live_checks() if c.code == code)


def test_one_replica(dev1: Deployment, check_on: Callable[..., Outcome]) -> None:
    shared = check_on(dev1, check("AC821"))
    assert shared.status == "skipped"
    assert "needs 2 replicas and the deployment has 1" in shared.message

    graceful = check_on(dev1, check("AC811"))
    assert graceful.status == "passed", f"{graceful.message}\n{graceful.logs}"
    assert "run success" in graceful.message

    crashed = check_on(dev1, check("AC812"), recovery_timeout=30.0)
    assert crashed.status == "failed", crashed.message
    assert crashed.message.startswith("SIGKILL to replica 1 (")
    assert "the thread is gone afterwards (its state answers HTTP 404" in crashed.message

    durable = check_on(dev1, check("AC813"))
    assert durable.status == "failed", durable.message
    assert "ms after the server acknowledged" in durable.message
    assert "HTTP 404" in durable.message
    assert dev1.alive(0)  # restored


def test_two_replicas_share_nothing(dev2: Deployment, check_on: Callable[..., Outcome]) -> None:
    outcome = check_on(dev2, check("AC821"))
    assert outcome.status == "failed"
    assert "is not shared: replica 2" in outcome.message
    assert "HTTP 404" in outcome.message


def test_a_join_on_the_other_replica_gets_an_error(
    dev2: Deployment, check_on: Callable[..., Outcome]
) -> None:
    outcome = check_on(dev2, check("AC822"))
    assert outcome.status == "failed"
    assert "the probe's last event never arrived (1 events: error;" in outcome.message
    assert "its error event: " in outcome.message
    assert "Run not found" in outcome.message


def test_the_other_replica_refuses_a_run_on_the_thread(
    dev2: Deployment, check_on: Callable[..., Outcome]
) -> None:
    outcome = check_on(dev2, check("AC823"))
    assert outcome.status == "failed"
    assert "HTTP 404" in outcome.message, outcome.message


def test_an_interrupted_thread_cannot_resume_on_the_other_replica(
    dev2: Deployment, check_on: Callable[..., Outcome]
) -> None:
    outcome = check_on(dev2, check("AC814"))
    assert outcome.status == "failed"
    assert "while replica 1 (" in outcome.message
    assert "was answered HTTP 404" in outcome.message
    assert all(dev2.alive(i) for i in range(2))  # restored


def test_a_killed_replicas_runs_are_gone(
    dev2: Deployment, check_on: Callable[..., Outcome]
) -> None:
    outcome = check_on(dev2, check("AC824"), recovery_timeout=30.0)
    assert outcome.status == "failed"
    assert "accepted runs did not end within 30 s of the kill or are gone" in outcome.message
    assert "HTTP 404 on every replica" in outcome.message
    assert all(dev2.alive(i) for i in range(2))  # restored
