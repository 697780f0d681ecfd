"""AC801 boot, on a real langgraph dev: served graphs pass, the rest fail with what is served."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentcheck.errors import LiveError
from agentcheck.live.checks import LiveContext, run_check
from agentcheck.live.checks.ac801_boot import Boot
from agentcheck.live.checks.ac802_sse_contract import SseContract
from agentcheck.live.runtimes import make_runtime
from agentcheck.live.services.ports import free_port
from tests.live.checks.conftest import PROJECT, needs_nginx, settings

pytestmark = [pytest.mark.slow, needs_nginx]


def test_a_served_graph_passes(behind: Callable[..., LiveContext]) -> None:
    outcome = run_check(Boot(), behind("good.conf"), "chat")
    assert outcome.status == "passed", outcome.message
    assert outcome.message.startswith("'chat' is served by 1 healthy replica(s)")


def test_a_graph_the_server_does_not_serve_fails(behind: Callable[..., LiveContext]) -> None:
    outcome = run_check(Boot(), behind(None), "billing")
    assert outcome.status == "failed"
    assert "serves no assistant for graph 'billing'; it serves 'chat'" in outcome.message


def test_a_deployment_that_did_not_start_fails_ac801_and_skips_the_rest(
    behind: Callable[..., LiveContext],
) -> None:
    ctx = behind(None)
    ctx.startup_error = LiveError("replica 1/1 exited with status 3: ImportError: no module x")
    boot = run_check(Boot(), ctx, "chat")
    assert boot.status == "failed"
    assert boot.message == (
        "the deployment did not start: replica 1/1 exited with status 3: ImportError: no module x"
    )
    contract = run_check(SseContract(), ctx, "chat")
    assert contract.status == "skipped"
    assert "did not start (see AC801)" in contract.message


def test_a_replica_that_does_not_answer_fails() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    spec = settings().spec()
    ctx = LiveContext(make_runtime("url", spec, [dead]), settings(urls=(dead,), runtime="url"))
    try:
        outcome = run_check(Boot(), ctx, "chat")
    finally:
        ctx.close()
    assert outcome.status == "failed"
    assert outcome.message == f"replica 1 ({dead}) does not answer /ok: ConnectError"
    assert PROJECT.is_dir()
