"""AC803 sse-incremental behind real nginx configs, right and wrong, and two real servers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentcheck.live.checks import LiveContext, run_check
from agentcheck.live.checks.ac803_sse_incremental import SseIncremental
from agentcheck.live.orchestrator import Deployment
from tests.live.checks.conftest import needs_nginx

pytestmark = [pytest.mark.slow, needs_nginx]


@pytest.mark.parametrize("conf", ["good.conf", None])
def test_streams_behind_the_right_config_and_without_proxy(
    behind: Callable[..., LiveContext], conf: str | None
) -> None:
    outcome = run_check(SseIncremental(), behind(conf), "agentcheck_probe")
    assert outcome.status == "passed", outcome.message
    assert outcome.message.startswith("first event after ")


def test_buffering_with_gzip_holds_the_stream_back(behind: Callable[..., LiveContext]) -> None:
    outcome = run_check(SseIncremental(), behind("buffering.conf"), "agentcheck_probe")
    assert outcome.status == "failed"
    assert "the stream was buffered" in outcome.message
    assert "Content-Encoding: gzip" in outcome.message
    assert "proxy_buffering off" in outcome.message
    assert "--- proxy log" in outcome.logs


def test_gzip_alone_streams_for_langgraph_dev(behind: Callable[..., LiveContext]) -> None:
    # langgraph-api sends X-Accel-Buffering: no; nginx then flushes gzip at every event.
    outcome = run_check(SseIncremental(), behind("gzip.conf"), "agentcheck_probe")
    assert outcome.status == "passed", outcome.message


def test_gzip_buffers_aegra_which_does_not_ask_nginx_not_to(
    behind: Callable[..., LiveContext], aegra: Deployment
) -> None:
    outcome = run_check(SseIncremental(), behind("gzip.conf", runtime=aegra), "agentcheck_probe")
    assert outcome.status == "failed"
    assert "the stream was buffered" in outcome.message
    assert "Content-Encoding: gzip" in outcome.message
