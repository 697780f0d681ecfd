"""Anthropic's Messages API (``POST /v1/messages``): text and tool use, streaming or not."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from agentcheck.live.fake_llm._script import Fault, Reply, tokens
from agentcheck.live.fake_llm._wire import Wire

__all__ = ["error", "messages"]

_KINDS = {"rate_limit": "rate_limit_error", "server": "api_error"}


def error(status: int, message: str, kind: str) -> dict[str, Any]:
    """Anthropic's error body."""
    return {"type": "error", "error": {"type": _KINDS.get(kind, kind), "message": message}}


def _input_tokens(body: Mapping[str, Any]) -> int:
    count = 0
    system = body.get("system")
    if isinstance(system, str):
        count += len(tokens(system))
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        parts = [content] if isinstance(content, str) else content or []
        for part in parts:
            text = (
                part
                if isinstance(part, str)
                else part.get("text")
                if isinstance(part, dict)
                else None
            )
            if isinstance(text, str):
                count += len(tokens(text))
    return count


def _blocks(h: Wire, reply: Reply) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if reply.content or not reply.tool_calls:
        blocks.append({"type": "text", "text": reply.content})
    for call in reply.tool_calls:
        blocks.append(
            {
                "type": "tool_use",
                "id": call.id or h.new_id("toolu_fake_"),
                "name": call.name,
                "input": call.arguments_dict(),
            }
        )
    return blocks


def _message(h: Wire, body: Mapping[str, Any], content: list[dict[str, Any]]) -> dict[str, Any]:
    model = body.get("model")
    return {
        "id": h.new_id("msg_fake_"),
        "type": "message",
        "role": "assistant",
        "model": model if isinstance(model, str) else h.fake.model,
        "content": content,
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": _input_tokens(body), "output_tokens": 0},
    }


def messages(h: Wire, body: Mapping[str, Any], outcome: Fault | Reply) -> None:
    if not isinstance(body.get("messages"), list):
        message = "messages: Field required"
        h.json(HTTPStatus.BAD_REQUEST, error(400, message, "invalid_request_error"))
        return
    if isinstance(outcome, Fault):
        h.fault(outcome, error)
        return
    stop = "tool_use" if outcome.tool_calls else "end_turn"
    words = tokens(outcome.content)
    blocks = _blocks(h, outcome)
    if not body.get("stream"):
        if h.stopped_while(h.fake.ttft + h.pace() * max(0, len(words) - 1)):
            return
        answer = _message(h, body, blocks)
        answer["stop_reason"] = stop
        answer["usage"] = {**answer["usage"], "output_tokens": len(words)}
        h.json(HTTPStatus.OK, answer)
        return
    try:
        _stream(h, body, blocks, words, stop)
    except (BrokenPipeError, ConnectionResetError):
        h.close_connection = True


def _stream(
    h: Wire, body: Mapping[str, Any], blocks: list[dict[str, Any]], words: list[str], stop: str
) -> None:
    h.start_events()
    start = _message(h, body, [])
    start["usage"]["output_tokens"] = 1
    h.event({"type": "message_start", "message": start}, "message_start")
    if h.stopped_while(h.fake.ttft):
        return
    first = True
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            opening: dict[str, Any] = {"type": "text", "text": ""}
        else:
            opening = {**block, "input": {}}
        h.event({"type": "content_block_start", "index": index, "content_block": opening},
                "content_block_start")  # fmt: skip
        if index == 0:
            h.event({"type": "ping"}, "ping")
        if block["type"] == "text":
            pieces = [{"type": "text_delta", "text": w} for w in words]
        else:
            arguments = _json(block["input"])
            pieces = [{"type": "input_json_delta", "partial_json": p} for p in tokens(arguments)]
        for delta in pieces:
            if not first and h.stopped_while(h.pace()):
                return
            first = False
            h.event({"type": "content_block_delta", "index": index, "delta": delta},
                    "content_block_delta")  # fmt: skip
        h.event({"type": "content_block_stop", "index": index}, "content_block_stop")
    h.event(
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": {"output_tokens": len(words)},
        },
        "message_delta",
    )
    h.event({"type": "message_stop"}, "message_stop")
    h.end_events()


def _json(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))
