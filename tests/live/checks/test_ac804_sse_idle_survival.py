"""AC804 sse-idle-survival: heartbeats against the proxy's idle timeout, for real."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from agentcheck.lint.finding import Severity
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.live.checks import LiveContext, run_check
from agentcheck.live.checks.ac804_sse_idle_survival import SseIdleSurvival
from agentcheck.live.orchestrator import Deployment
from agentcheck.project import Project
from tests.live.checks.conftest import NGINX, needs_nginx

pytestmark = [pytest.mark.slow, needs_nginx]

AEGRA_PYPROJECT = '[project]\nname = "a"\nversion = "1"\ndependencies = ["aegra-api>=0.6"]\n'


def ac401(tmp_path: Path, conf: str, server: str = "langgraph-api") -> list[Severity]:
    """What AC401 says about the nginx config ``conf`` in front of ``server``, linted in a
    project of its own, so lint and live judge the very same file."""
    root = tmp_path / f"lint-{server}"
    (root / "nginx").mkdir(parents=True)
    shutil.copy(NGINX / conf, root / "nginx" / "agent.conf")
    (root / "langgraph.json").write_text('{"graphs": {"agent": "./agent.py:graph"}}\n')
    (root / "agent.py").write_text("graph = None\n")
    if server == "aegra":
        (root / "pyproject.toml").write_text(AEGRA_PYPROJECT)
    project = Project(root)
    result = lint(project, enabled_rules(project, select=["AC401"]))
    return [f.severity for f in result.findings if f.path == "nginx/agent.conf"]


def test_heartbeats_prove_a_long_timeout_without_waiting_it_out(
    behind: Callable[..., LiveContext], tmp_path: Path
) -> None:
    assert ac401(tmp_path, "good.conf") == []
    ctx = behind("good.conf")
    assert ctx.idle_timeout == 600
    outcome = run_check(SseIdleSurvival(), ctx, "agentcheck_probe")
    assert outcome.status == "passed", outcome.message
    assert "bytes (heartbeats) crossed through the proxy" in outcome.message
    assert "proxy_read_timeout) is 600 s" in outcome.message
    assert "a blocking POST runs/wait gets keep-alive bytes every" in outcome.message
    assert outcome.seconds < 60  # proved by heartbeats, not by waiting 600 s


def test_a_ten_second_timeout_keeps_streams_and_waits_alive_behind_langgraph_api(
    behind: Callable[..., LiveContext], tmp_path: Path
) -> None:
    # Below the 60 s floor, so AC401 reports it, at info: nothing breaks. What langgraph-api
    # does behind it: heartbeats every 5 s keep the stream open, and it writes a newline every
    # 5 s while a blocking runs/wait waits, which resets nginx's read timer too (with nginx's
    # default buffering): both survive.
    assert ac401(tmp_path, "ten-seconds.conf") == [Severity.INFO]
    outcome = run_check(SseIdleSurvival(), behind("ten-seconds.conf"), "agentcheck_probe")
    assert outcome.status == "passed", outcome.message
    assert "proxy_read_timeout) is 10 s" in outcome.message
    assert "bytes (heartbeats) crossed through the proxy" in outcome.message
    assert "a blocking POST runs/wait gets keep-alive bytes every" in outcome.message


def test_a_timeout_shorter_than_the_heartbeat_cuts_the_stream(
    behind: Callable[..., LiveContext], tmp_path: Path
) -> None:
    assert ac401(tmp_path, "short-timeout.conf") == [Severity.ERROR]
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


def test_a_ten_second_timeout_cuts_streams_and_waits_behind_aegra(
    behind: Callable[..., LiveContext], aegra: Deployment, tmp_path: Path
) -> None:
    # The same config in front of a server that writes nothing while a step is silent: AC401's
    # error, and AC804 fails on streams and on the blocking runs/wait alike.
    assert ac401(tmp_path, "ten-seconds.conf", server="aegra") == [Severity.ERROR]
    ctx = behind("ten-seconds.conf", runtime=aegra)
    outcome = run_check(SseIdleSurvival(), ctx, "agentcheck_probe")
    assert outcome.status == "failed", outcome.message
    assert outcome.message.startswith("nothing crossed through the proxy"), outcome.message
    assert "the stream was cut through the proxy" in outcome.message
    assert "keep-alive bytes" not in outcome.message
    assert "a blocking POST /threads/{id}/runs/wait silent for 12 s was cut" in outcome.message
    assert "HTTP 504" in outcome.message
    assert "upstream timed out" in outcome.logs


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
