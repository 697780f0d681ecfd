"""AC802 sse-contract: a real ChatOpenAI graph streams as it should, until its model fails."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agentcheck.live.checks import LiveContext, run_check
from agentcheck.live.checks.ac802_sse_contract import SseContract
from agentcheck.live.orchestrator import Deployment
from tests.live.checks.conftest import needs_nginx

pytestmark = [pytest.mark.slow, needs_nginx]


def test_the_chat_graph_streams_every_mode_through_the_proxy(
    behind: Callable[..., LiveContext],
) -> None:
    ctx = behind("good.conf")
    assert ctx.fake_llm is not None
    ctx.fake_llm.script("Hello from the fake model.")
    outcome = run_check(SseContract(), ctx, "chat")
    assert outcome.status == "passed", outcome.message
    assert "(messages, metadata, updates, values), the model was called" in outcome.message
    assert ctx.fake_llm.requests[-1].body["messages"][-1]["content"].startswith("Hello from")


def test_an_error_event_fails_with_the_servers_log(behind: Callable[..., LiveContext]) -> None:
    ctx = behind(None)
    assert ctx.fake_llm is not None
    ctx.fake_llm.fail(500, times=3)  # ChatOpenAI tries three times
    outcome = run_check(SseContract(), ctx, "chat")
    assert outcome.status == "failed"
    assert outcome.message.startswith("the stream of a run of 'chat' at http://127.0.0.1:")
    assert '  - an error event: {"error":"' in outcome.message
    assert "  - no 'updates', 'messages' event although requested" in outcome.message
    assert "--- replica 1 log" in outcome.logs
    assert "The server had an error (injected)" in outcome.logs


def test_a_graph_that_is_not_served_is_named(behind: Callable[..., LiveContext]) -> None:
    outcome = run_check(SseContract(), behind(None), "billing")
    assert outcome.status == "failed"
    assert outcome.message.startswith("the run of 'billing' at http")
    assert "was answered HTTP 422 (application/json)" in outcome.message


def test_aegra_fails_a_graph_module_with_postponed_annotations(
    behind: Callable[..., LiveContext], aegra: Deployment
) -> None:
    # Aegra loads graph files without registering the module, so the string annotations of
    # `from __future__ import annotations` on the state schema cannot be resolved: a real
    # defect that langgraph dev does not have, found here before a user would.
    outcome = run_check(SseContract(), behind(None, runtime=aegra), "chat")
    assert outcome.status == "failed"
    assert "  - the first event is 'error', not 'metadata'" in outcome.message
    assert '"NameError","message":"name \'Annotated\' is not defined"' in outcome.message
