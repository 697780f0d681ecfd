"""Sealed egress and the fake providers, on a real langgraph dev: a project whose .env names the
real OpenAI and Anthropic still talks to the fake; Anthropic and an embedding index run on it;
a graph calling a host agentcheck does not fake fails at once, with a finding naming it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from agentcheck.live.checks import LiveContext, run_check
from agentcheck.live.checks.ac802_sse_contract import SseContract
from agentcheck.live.settings import load_settings
from tests.live.checks.conftest import LIVE

pytestmark = pytest.mark.slow

SEALED = LIVE / "sealed"
OUTSIDE = "api.agentcheck-egress-test.invalid"


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveContext]:
    from agentcheck.live.checks import start_context

    root = tmp_path_factory.mktemp("sealed") / "project"
    shutil.copytree(SEALED, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "_env_file").rename(root / ".env")
    context = start_context(load_settings(root, table={}, run_budget=300))
    assert context.startup_error is None, context.startup_error
    yield context
    context.close()


def test_a_project_env_naming_the_real_openai_still_talks_to_the_fake(ctx: LiveContext) -> None:
    assert ctx.fake_llm is not None
    ctx.fake_llm.script("Answered by the fake.")
    outcome = run_check(SseContract(), ctx, "openai_env")
    assert outcome.status == "passed", outcome.message
    assert outcome.warnings == ()
    [call] = ctx.fake_llm.calls("openai.chat")
    assert call.body["model"] == "gpt-4o-mini"
    assert ctx.deployment.egress is not None
    assert ctx.deployment.egress.attempts == []  # not api.openai.com, not LangSmith


def test_an_anthropic_graph_runs_on_the_fake(ctx: LiveContext) -> None:
    assert ctx.fake_llm is not None
    ctx.fake_llm.reset()
    outcome = run_check(SseContract(), ctx, "claude")
    assert outcome.status == "passed", outcome.message
    [call] = ctx.fake_llm.calls("anthropic.messages")
    assert call.body["tools"][0]["name"] == "lookup"


def test_an_embedding_index_runs_on_the_fake(ctx: LiveContext) -> None:
    assert ctx.fake_llm is not None
    ctx.fake_llm.reset()
    outcome = run_check(SseContract(), ctx, "remember")
    assert outcome.status == "passed", outcome.message
    assert ctx.fake_llm.calls("openai.embeddings"), "the index embedded nothing"
    assert outcome.warnings == ()


def test_a_host_agentcheck_does_not_fake_fails_at_once_naming_it(ctx: LiveContext) -> None:
    outcome = run_check(SseContract(), ctx, "outside")
    assert outcome.status == "failed"
    assert f"the servers tried to reach {OUTSIDE}:443" in outcome.message
    assert f'allow-hosts = ["{OUTSIDE}"]' in outcome.message
    assert outcome.seconds < 30  # the client's own timeout is 30 s: refused, not timed out
