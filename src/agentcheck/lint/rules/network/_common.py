"""What the AC4xx rules share: thresholds, how a duration reads, and (from the model) the
proxies in front of the agent with the server behind each (:mod:`agentcheck.deployment._fronts`).

langgraph-api drains runs for ``BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS`` (180 s) on SIGTERM.
"""

from __future__ import annotations

import re

from agentcheck.deployment._fronts import Behind, agent_proxies, server_traits

__all__ = [
    "AGENT_SERVER_GRACE",
    "FLOOR",
    "Behind",
    "agent_proxies",
    "seconds",
    "server_traits",
]

#: The seed's floor for proxy and client timeouts: LLM calls take 10-60 s.
FLOOR = 60.0
#: langgraph-api's default ``BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS``.
AGENT_SERVER_GRACE = 180.0
_LANGGRAPH_API = ("agent-server", "langgraph-dev")
_SSE_HEADER = re.compile(r"x-accel-buffering", re.IGNORECASE)
_SSE_STARLETTE = re.compile(r"^\s*(?:from|import)\s+sse_starlette\b", re.MULTILINE)


def seconds(value: float) -> str:
    """``60 s``, ``1.5 s``: how messages write a duration."""
    return f"{value:g} s"
