"""AC804 sse-idle-survival: heartbeats against the proxy's idle timeout, for real."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentcheck.live.checks import LiveContext, run_check
from agentcheck.live.checks.ac804_sse_idle_survival import SseIdleSurvival
from agentcheck.live.orchestrator import Deployment
from tests.live.checks.conftest import needs_nginx

pytestmark = [pytest.mark.slow, needs_nginx]


def test_heartbeats_prove_a_long_timeout_without_waiting_it_out(
    behind: Callable[..., LiveContext],
) -> None:
    ctx = behind("good.conf")
    assert ctx.idle_timeout == 600
    outcome = run_check(SseIdleSurvival(), ctx, "agentcheck_probe")
    assert outcome.status == "passed", outcome.message
    assert "bytes (heartbeats) crossed through the proxy" in outcome.message
    assert "proxy_read_timeout) is 600 s" in outcome.message
    assert "a blocking POST runs/wait gets keep-alive bytes every" in outcome.message
    assert outcome.seconds < 60  # proved by heartbeats, not by waiting 600 s


def test_a_ten_second_timeout_lint_calls_an_error_keeps_streams_and_waits_alive(
    behind: Callable[..., LiveContext],
) -> None:
    # AC401 reports 10 s as an error (below the 60 s floor). What langgraph-api does behind it:
    # heartbeats every 5 s keep the stream open, and it writes a newline every 5 s while a
    # blocking runs/wait waits, which resets nginx's read timer too (with nginx's default
    # buffering): both survive.
    outcome = run_check(SseIdleSurvival(), behind("ten-seconds.conf"), "agentcheck_probe")
    assert outcome.status == "passed", outcome.message
    assert "proxy_read_timeout) is 10 s" in outcome.message
    assert "bytes (heartbeats) crossed through the proxy" in outcome.message
    assert "a blocking POST runs/wait gets keep-alive bytes every" in outcome.message


def test_a_timeout_shorter_than_the_heartbeat_cuts_the_stream(
    behind: Callable[..., LiveContext],
) -> None:
    outcome = run_check(SseIdleSurvival(), behind("short-timeout.conf"), "agentcheck_probe")
    assert outcome.status == "failed"
    assert "the stream was cut through the proxy" in outcome.message
    assert "proxy_read_timeout) is 3 s" in outcome.message
    # Its keep-alive newlines come every 5 s: a blocking runs/wait is cut as well.
    assert "a blocking POST /threads/{id}/runs/wait silent for 5 s was cut" in outcome.message
    assert "upstream timed out" in outcome.logs


def test_without_proxy_the_usual_60_s_is_assumed(behind: Callable[..., LiveContext]) -> None:
    outcome = run_check(SseIdleSurvival(), behind(None), "agentcheck_probe")
    assert outcome.status == "passed", outcome.message
    assert "the usual 60 s idle timeout is assumed" in outcome.message


def test_a_server_without_heartbeats_fails(
    behind: Callable[..., LiveContext], aegra: Deployment
) -> None:
    outcome = run_check(SseIdleSurvival(), behind(None, runtime=aegra), "agentcheck_probe")
    assert outcome.status == "failed"
    assert outcome.message.startswith("nothing crossed at http://127.0.0.1:")
    assert "runs may last 300 s (run-budget)" in outcome.message


def test_without_heartbeats_a_timeout_beyond_the_run_budget_is_enough(
    behind: Callable[..., LiveContext], aegra: Deployment
) -> None:
    ctx = behind(None, runtime=aegra, run_budget=45.0)
    outcome = run_check(SseIdleSurvival(), ctx, "agentcheck_probe")
    assert outcome.status == "passed", outcome.message
    assert "longer than the run budget (45 s)" in outcome.message
