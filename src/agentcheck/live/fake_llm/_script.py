"""What the fake LLM answers: scripted replies and faults, and what it received."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "API_KEY",
    "DEFAULT_REPLY",
    "GENERATION",
    "Fault",
    "Outcome",
    "RecordedRequest",
    "Reply",
    "ToolCall",
    "tokens",
]

#: The API key the fake accepts (any key is accepted; this one is what ``FakeLLM.env`` sets).
API_KEY = "sk-agentcheck-fake-llm"
DEFAULT_REPLY = "This is a scripted reply from agentcheck's fake LLM."
#: The APIs whose requests generate text (and take a scripted :class:`Reply`).
GENERATION = frozenset({"openai.chat", "openai.responses", "anthropic.messages"})

_TOKEN = re.compile(r"\s*\S+\s*|\s+")


def tokens(text: str) -> list[str]:
    """Split text into word-sized tokens that join back to exactly ``text``."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class ToolCall:
    """One tool call in a scripted reply; ``arguments`` is a mapping or a JSON string."""

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    id: str | None = None

    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(dict(self.arguments), separators=(",", ":"))

    def arguments_dict(self) -> dict[str, Any]:
        if not isinstance(self.arguments, str):
            return dict(self.arguments)
        try:
            loaded = json.loads(self.arguments)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}


@dataclass(frozen=True)
class Reply:
    """A scripted assistant reply: text, tool calls, or both (any generation API)."""

    content: str = ""
    tool_calls: Sequence[ToolCall] = ()


@dataclass(frozen=True)
class Fault:
    """An injected failure: an HTTP error status, or a request that never gets an answer.

    ``Fault(429)`` answers with the API's rate-limit error (``retry_after`` seconds go to the
    ``Retry-After`` header, which the OpenAI and Anthropic clients honour); ``Fault(500)`` a
    server error; ``Fault.hang(seconds)`` holds the connection open without a byte for
    ``seconds`` (``None``: until the server stops), so the client's own timeout has to fire.
    ``only`` limits it to one API (``"openai.embeddings"``); by default the next request of any
    API takes it.
    """

    status: int = 500
    retry_after: float | None = 0.0
    hang_for: float | None = None
    hangs: bool = False
    only: str | None = None

    @classmethod
    def hang(cls, seconds: float | None = None) -> Fault:
        return cls(status=0, hangs=True, hang_for=seconds)


Outcome = Reply | Fault


@dataclass(frozen=True)
class RecordedRequest:
    """A request the fake received: its path, parsed JSON body, arrival time (monotonic) and
    the API it spoke (``openai.chat``, ``openai.responses``, ``openai.embeddings``,
    ``anthropic.messages``, or ``unsupported``)."""

    path: str
    body: Mapping[str, Any]
    received_at: float
    api: str = "openai.chat"
