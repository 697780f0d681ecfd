"""AC805 sse-resume on langgraph dev and Aegra: what each really does with Last-Event-ID."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentcheck.live.checks import LiveContext, run_check
from agentcheck.live.checks.ac805_sse_resume import SseResume
from agentcheck.live.runtimes import Runtime
from tests.live.checks.conftest import needs_nginx

pytestmark = [pytest.mark.slow, needs_nginx]


class TokenBursts(SseResume):
    """Bursts written within one superstep, as a model's tokens are."""

    emit = 40
    batch = True
    modes = ("custom",)


def test_langgraph_dev_resumes_superstep_events_exactly(
    behind: Callable[..., LiveContext],
) -> None:
    outcome = run_check(SseResume(), behind("good.conf"), "agentcheck_probe")
    assert outcome.status == "passed", outcome.message
    assert outcome.message.startswith("cut 4 times mid-burst")
    assert "all 164 events (values and custom) arrived once" in outcome.message


def test_langgraph_dev_loses_tokens_that_share_a_millisecond_id(
    behind: Callable[..., LiveContext],
) -> None:
    outcome = run_check(TokenBursts(), behind(None), "agentcheck_probe")
    assert outcome.status == "failed"
    assert ", which custom " in outcome.message  # a cut between two events of one id
    assert "  - lost: custom " in outcome.message
    assert "several events one id (a millisecond timestamp)" in outcome.message


def test_aegra_repeats_what_it_replays(behind: Callable[..., LiveContext], aegra: Runtime) -> None:
    # Aegra replays stored events after Last-Event-ID, then sends the same events again live;
    # a rejoin once the run has ended may also get nothing at all.
    outcome = run_check(SseResume(), behind(None, runtime=aegra), "agentcheck_probe")
    assert outcome.status == "failed"
    assert "  - delivered twice: values " in outcome.message
