"""AC832 scale-out on real servers: replicas that share the work, and replicas that share
nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from agentcheck.live.checks import Outcome
from agentcheck.live.orchestrator import Deployment
from agentcheck.load.checks import ScaleOut
from tests.live.load.conftest import LANGHOST_JOBS

pytestmark = pytest.mark.slow

#: Users enough to queue on one replica of LANGHOST_JOBS jobs and on two; the model's second
#: per run keeps the replicas waiting rather than computing, so what a second replica adds is
#: its jobs, not a share of the machine's two cores.
TABLE = f"""
users = {LANGHOST_JOBS * 4}
duration = 10
max-failure-ratio = 0.0
scale-out-efficiency = 0.6
fake-llm = {{ttft = 1.0, tokens-per-second = 40, reply-tokens = 20}}
"""


def test_passes_where_replicas_share_threads_and_work(
    langhost2: Deployment, load_check: Callable[..., Outcome]
) -> None:
    outcome = load_check(langhost2, ScaleOut(), TABLE)
    print(outcome.message)
    assert outcome.status == "passed", outcome.message
    found = re.search(r"efficiency ([\d.]+)", outcome.message)
    assert found, outcome.message
    assert float(found[1]) >= 0.6
    assert all(langhost2.alive(i) for i in range(2))  # the stopped replica is back


def test_fails_where_replicas_share_nothing(
    dev2: Deployment, load_check: Callable[..., Outcome]
) -> None:
    outcome = load_check(dev2, ScaleOut(), TABLE)
    print(outcome.message)
    assert outcome.status == "failed", outcome.message
    assert "with 2 replicas" in outcome.message
    assert "max-failure-ratio" in outcome.message
    assert "continue thread" in outcome.message
    assert "404" in outcome.message
    assert all(dev2.alive(i) for i in range(2))


def test_skipped_on_one_replica(dev: Deployment, load_check: Callable[..., Outcome]) -> None:
    outcome = load_check(dev, ScaleOut(), TABLE)
    assert outcome.status == "skipped"
    assert "2 or more replicas" in outcome.message
