"""Which API a request speaks, by its path; what the fake does not speak says so plainly."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any

from agentcheck.live.fake_llm import _anthropic, _openai
from agentcheck.live.fake_llm._script import Fault, Reply
from agentcheck.live.fake_llm._wire import Wire

__all__ = ["Handler", "api_of"]

#: Path (after an optional ``/v1``, ``/openai`` or Azure's ``/openai/deployments/NAME``) -> API.
_APIS = {
    "/chat/completions": "openai.chat",
    "/responses": "openai.responses",
    "/embeddings": "openai.embeddings",
    "/messages": "anthropic.messages",
}
_PREFIX = re.compile(r"^(?:/openai/deployments/[^/]+|/openai)?(?:/v1)?")
#: APIs agentcheck does not fake, recognised to say so.
_OTHERS = (
    (re.compile(r"^/api/(chat|generate|embed|embeddings|tags|show)\b"), "Ollama"),
    (re.compile(r":(generateContent|streamGenerateContent|embedContent)\b"), "Google Gemini"),
    (re.compile(r"^/model/[^/]+/(invoke|converse)"), "Amazon Bedrock"),
)


def api_of(path: str) -> str:
    """``openai.chat`` ... for a path the fake serves, else ``unsupported``."""
    bare = _PREFIX.sub("", path.split("?")[0].rstrip("/"), count=1)
    return _APIS.get(bare, "unsupported")


class Handler(Wire):
    def do_GET(self) -> None:
        if self.path.split("?")[0].rstrip("/") in ("/v1/models", "/models"):
            model = {
                "id": self.fake.model,
                "object": "model",
                "created": 0,
                "owned_by": "agentcheck",
            }
            self.json(HTTPStatus.OK, {"object": "list", "data": [model]})
        else:
            self._unsupported({})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        api = api_of(self.path)
        if api == "unsupported":
            self._unsupported(body if isinstance(body, dict) else {})
            return
        needs = "input" if api in ("openai.responses", "openai.embeddings") else "messages"
        if not isinstance(body, dict) or needs not in body:
            kind = _anthropic if api.startswith("anthropic") else _openai
            message = f"the body must be a JSON object with {needs!r}"
            if needs == "messages":
                message += " (a list)"
            self.json(HTTPStatus.BAD_REQUEST, kind.error(400, message, "invalid_request_error"))
            return
        outcome = self.fake.take(self.path, body, api)
        if api == "openai.embeddings":
            _openai.embeddings(self, body, outcome if isinstance(outcome, Fault) else None)
            return
        assert isinstance(outcome, Fault | Reply)
        if api == "openai.chat":
            _openai.chat(self, body, outcome)
        elif api == "openai.responses":
            _openai.responses(self, body, outcome)
        else:
            _anthropic.messages(self, body, outcome)

    def _unsupported(self, body: dict[str, Any]) -> None:
        self.fake.take(self.path, body, "unsupported")
        who = next((name for pattern, name in _OTHERS if pattern.search(self.path)), None)
        what = f"{who}'s API" if who else f"{self.command} {self.path}"
        message = (
            f"agentcheck's fake LLM does not speak {what}: it fakes OpenAI (chat completions, "
            "responses, embeddings) and Anthropic (messages). Point this model at one of "
            "those, or serve a fake of your own and allow it in [tool.agentcheck.live]"
        )
        self.json(
            HTTPStatus.NOT_IMPLEMENTED, {"error": {"message": message, "type": "unsupported"}}
        )
