"""AC805 sse-resume on langgraph dev and Aegra: what each really does with Last-Event-ID."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentcheck.live.checks import LiveContext, run_check
from agentcheck.live.checks.ac805_sse_resume import SseResume
from agentcheck.live.orchestrator import Deployment
from tests.live.checks.conftest import needs_nginx

pytestmark = [pytest.mark.slow, needs_nginx]


class CutAtSharedIds(SseResume):
    """The strict variant: also cut between two events that share an id."""

    cut_shared_ids = True


def test_langgraph_dev_resumes_exactly_and_is_warned_about_shared_ids(
    behind: Callable[..., LiveContext],
) -> None:
    outcome = run_check(SseResume(), behind("good.conf"), "agentcheck_probe")
    assert outcome.status == "passed", outcome.message
    assert outcome.message.startswith("cut 4 times mid-burst, rejoined with Last-Event-ID")
    assert outcome.message.endswith("all 88 events (values and custom) arrived once")
    # A burst written within one superstep gets millisecond ids that repeat.
    [warning] = outcome.warnings
    assert "two events in a row shared an id through the proxy" in warning
    assert "loses the later one when it resumes with Last-Event-ID" in warning


def test_langgraph_dev_loses_an_event_that_shares_the_id_it_resumes_from(
    behind: Callable[..., LiveContext],
) -> None:
    outcome = run_check(CutAtSharedIds(), behind(None), "agentcheck_probe")
    assert outcome.status == "failed"
    assert ", which custom " in outcome.message  # a cut between two events of one id
    assert "  - lost: custom " in outcome.message
    assert "several events one id (a millisecond timestamp)" in outcome.message


def test_aegra_does_not_replay_custom_events(
    behind: Callable[..., LiveContext], aegra: Deployment
) -> None:
    outcome = run_check(SseResume(), behind(None, runtime=aegra), "agentcheck_probe")
    assert outcome.status == "failed"
    assert "  - cut after custom 15 (id " in outcome.message
    assert "custom 16-19, 36-39, 56-59" in outcome.message
    assert outcome.warnings == ()  # its ids are a sequence per run
