"""AC801 boot, on a real langgraph dev: served graphs pass, the rest fail with what is served."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agentcheck.errors import LiveError
from agentcheck.live.backends import UrlBackend
from agentcheck.live.checks import LiveContext, run_check
from agentcheck.live.checks.ac801_boot import Boot
from agentcheck.live.checks.ac802_sse_contract import SseContract
from agentcheck.live.orchestrator import Deployment
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


def test_a_replica_that_stopped_answering_fails() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Healthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    spec = settings().spec(managed=False)
    ctx = LiveContext(Deployment(spec, UrlBackend([url])), settings(urls=(url,), runtime="url"))
    try:
        ctx.deployment.start()
        server.shutdown()
        server.server_close()
        outcome = run_check(Boot(), ctx, "chat")
    finally:
        ctx.close()
    assert outcome.status == "failed"
    assert outcome.message == f"replica 1 ({url}) does not answer /ok: ConnectError"
    assert PROJECT.is_dir()


class _Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return None
