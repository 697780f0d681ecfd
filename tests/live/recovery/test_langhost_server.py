"""The langhost server kind: Agent Server on PostgreSQL + Redis, two replicas, one database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentcheck.live.checks import Outcome
from agentcheck.live.checks.ac801_boot import Boot
from agentcheck.live.orchestrator import Deployment

pytestmark = pytest.mark.slow


def test_two_langhost_replicas_boot_on_one_database(
    langhost: Deployment, check_on: Callable[..., Outcome]
) -> None:
    outcome = check_on(langhost, Boot())
    assert outcome.status == "passed", outcome.message
    assert "2 healthy replica(s)" in outcome.message
    assert set(langhost.services) >= {"postgres", "redis"}
    log = langhost.logs(1)
    assert "langgraph_runtime_pg" in log  # the PostgreSQL runtime, not the in-memory one
    assert langhost.database_url is not None
    assert all(url.startswith("http://127.0.0.1:") for url in langhost.urls)
