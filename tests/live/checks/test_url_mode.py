"""URL mode on a real server: it says what it writes, tags it, and leaves the target as found."""

from __future__ import annotations

import httpx
import pytest

from agentcheck.live.backends import UrlBackend
from agentcheck.live.checks import LiveContext, run_check
from agentcheck.live.checks.ac802_sse_contract import SseContract
from agentcheck.live.checks.ac803_sse_incremental import SseIncremental
from agentcheck.live.checks.ac805_sse_resume import SseResume
from agentcheck.live.orchestrator import Deployment
from tests.live.checks.conftest import settings

pytestmark = pytest.mark.slow


def threads(url: str, **metadata: str) -> list[str]:
    body = {"limit": 1000, **({"metadata": metadata} if metadata else {})}
    answer = httpx.post(f"{url}/threads/search", json=body, timeout=30)
    answer.raise_for_status()
    return sorted(t["thread_id"] for t in answer.json())


def test_url_mode_tags_what_it_writes_and_leaves_the_target_as_found(
    replica: Deployment,
) -> None:
    target = replica.url
    before = threads(target)
    existing = settings(urls=(target,), runtime="url")
    deployment = Deployment(existing.spec(managed=False), UrlBackend([target]))
    ctx = LiveContext(deployment, existing)
    try:
        deployment.start()
        outcomes = [
            run_check(SseContract(), ctx, "chat"),
            run_check(SseIncremental(), ctx, "agentcheck_probe"),
            run_check(SseResume(), ctx, "agentcheck_probe"),
        ]
        assert [o.status for o in outcomes] == ["passed"] * 3, [o.message for o in outcomes]
        tagged = threads(target, agentcheck=ctx.session)
        assert tagged == sorted(ctx.threads)
        assert len(tagged) == 3
    finally:
        ctx.close()
    assert threads(target) == before
    assert replica.alive(0)
