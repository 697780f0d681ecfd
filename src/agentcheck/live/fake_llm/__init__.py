"""A fake model provider: real OpenAI and Anthropic endpoints on loopback, deterministic, offline.

Point a graph's models at it through the environment and the graph runs without a network, with
the latency you choose and the replies you script::

    with FakeLLM(ttft=0.2, tokens_per_second=50) as llm:
        llm.script("Hello!", Fault(429), Reply(tool_calls=[ToolCall("lookup", {"q": "refund"})]))
        ...  # start the server with env=llm.env; each request takes the next scripted outcome
        assert llm.requests[0].body["messages"][-1]["content"] == "hi"

What it speaks, in each provider's wire format so the official clients and LangChain accept it:

* OpenAI chat completions (``/v1/chat/completions``: streaming, tool calls,
  ``stream_options.include_usage``), the Responses API (``/v1/responses``: streaming events,
  function calls), embeddings (``/v1/embeddings``: deterministic unit vectors, float or base64,
  ``dimensions``) and ``/v1/models``; Azure OpenAI's ``/openai/deployments/NAME/...`` too;
* Anthropic messages (``/v1/messages``: streaming events, ``tool_use`` blocks).

Anything else (Ollama's ``/api/chat``, Gemini, Bedrock) is answered 501 with a message that says
so, and recorded. Knobs, the same for every API: ``ttft`` (seconds before the first token),
``tokens_per_second`` (``None``: as fast as possible), ``error_ratio`` (that share of the
unscripted generation requests answered HTTP 500, evenly spread), a script of replies and faults
(``Fault(429)``, ``Fault(500)``, ``Fault.hang()``) consumed one per request (a reply only by an
API that generates text), and ``default_reply`` once the script is empty.

It is a ``ThreadingHTTPServer`` in a background thread (one thread per connection), so it can
serve a load test from the same process; ``python -m agentcheck.live.fake_llm`` runs it alone.
"""

from __future__ import annotations

from agentcheck.live.fake_llm._script import (
    API_KEY,
    DEFAULT_REPLY,
    Fault,
    RecordedRequest,
    Reply,
    ToolCall,
)
from agentcheck.live.fake_llm._server import FakeLLM

__all__ = ["API_KEY", "DEFAULT_REPLY", "FakeLLM", "Fault", "RecordedRequest", "Reply", "ToolCall"]
