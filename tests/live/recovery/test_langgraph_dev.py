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
