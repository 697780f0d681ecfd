"""OpenAI's APIs: chat completions, responses (streaming, tool calls) and embeddings."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import struct
from collections.abc import Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from agentcheck.live.fake_llm._script import Fault, Reply, ToolCall, tokens
from agentcheck.live.fake_llm._wire import Wire

__all__ = ["chat", "embeddings", "error", "responses"]

#: Vector size when the request names no ``dimensions``, by model (OpenAI's own sizes).
DIMENSIONS = {"text-embedding-3-large": 3072}
DEFAULT_DIMENSIONS = 1536
_KINDS = {"rate_limit": "rate_limit_error", "server": "server_error"}


def error(status: int, message: str, kind: str) -> dict[str, Any]:
    """OpenAI's error body."""
    kind = _KINDS.get(kind, kind)
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _prompt_tokens(body: Mapping[str, Any]) -> int:
    count = 0
    for key in ("messages", "input"):
        value = body.get(key)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for item in items:
            content = item.get("content") if isinstance(item, dict) else item
            if isinstance(content, str):
                count += len(tokens(content))
    return count


def _model(h: Wire, body: Mapping[str, Any]) -> str:
    model = body.get("model")
    return model if isinstance(model, str) else h.fake.model


def _finish(reply: Reply) -> str:
    return "tool_calls" if reply.tool_calls else "stop"


# -- chat completions --------------------------------------------------------------------------


def chat(h: Wire, body: Mapping[str, Any], outcome: Fault | Reply) -> None:
    if not isinstance(body.get("messages"), list):
        message = "the body must be a JSON object with a 'messages' list"
        h.json(HTTPStatus.BAD_REQUEST, error(400, message, "invalid_request_error"))
    elif isinstance(outcome, Fault):
        h.fault(outcome, error)
    elif body.get("stream"):
        _chat_stream(h, body, outcome)
    else:
        _chat_complete(h, body, outcome)


def _envelope(h: Wire, body: Mapping[str, Any], kind: str) -> dict[str, Any]:
    return {
        "id": h.new_id("chatcmpl-fake-"),
        "object": kind,
        "created": h.now(),
        "model": _model(h, body),
        "system_fingerprint": "agentcheck-fake",
    }


def _usage(body: Mapping[str, Any], completion: int) -> dict[str, int]:
    prompt = _prompt_tokens(body)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _chat_complete(h: Wire, body: Mapping[str, Any], reply: Reply) -> None:
    words = tokens(reply.content)
    if h.stopped_while(h.fake.ttft + h.pace() * max(0, len(words) - 1)):
        return
    message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id or h.new_id("call_"),
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments_json()},
            }
            for call in reply.tool_calls
        ]
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": _finish(reply)}
    payload = {**_envelope(h, body, "chat.completion"), "choices": [choice]}
    h.json(HTTPStatus.OK, {**payload, "usage": _usage(body, len(words))})


def _chat_stream(h: Wire, body: Mapping[str, Any], reply: Reply) -> None:
    h.start_events()
    envelope = _envelope(h, body, "chat.completion.chunk")
    words = tokens(reply.content)
    if h.stopped_while(h.fake.ttft):
        return
    try:
        for n, delta in enumerate(_deltas(h, words, reply.tool_calls)):
            if n and h.stopped_while(h.pace()):
                return
            h.event({**envelope, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
        done = {"index": 0, "delta": {}, "finish_reason": _finish(reply)}
        h.event({**envelope, "choices": [done]})
        options = body.get("stream_options")
        if isinstance(options, dict) and options.get("include_usage"):
            h.event({**envelope, "choices": [], "usage": _usage(body, len(words))})
        h.event("[DONE]")
        h.end_events()
    except (BrokenPipeError, ConnectionResetError):
        h.close_connection = True


def _deltas(h: Wire, words: list[str], calls: Sequence[ToolCall]) -> Iterator[dict[str, Any]]:
    first: dict[str, Any] = {"role": "assistant"}
    for word in words:
        yield {**first, "content": word}
        first = {}
    for index, call in enumerate(calls):
        head = {
            "index": index,
            "id": call.id or h.new_id("call_"),
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        yield {**first, "content": None, "tool_calls": [head]}
        first = {}
        arguments = call.arguments_json()
        for part in tokens(arguments) or [arguments]:
            yield {"tool_calls": [{"index": index, "function": {"arguments": part}}]}
    if first:  # an empty reply still says who is speaking
        yield {**first, "content": ""}


# -- responses ---------------------------------------------------------------------------------


def responses(h: Wire, body: Mapping[str, Any], outcome: Fault | Reply) -> None:
    if isinstance(outcome, Fault):
        h.fault(outcome, error)
        return
    items = _items(h, outcome)
    if not body.get("stream"):
        words = tokens(outcome.content)
        if h.stopped_while(h.fake.ttft + h.pace() * max(0, len(words) - 1)):
            return
        h.json(HTTPStatus.OK, _response(h, body, items, "completed", len(words)))
        return
    try:
        _responses_stream(h, body, outcome, items)
    except (BrokenPipeError, ConnectionResetError):
        h.close_connection = True


def _items(h: Wire, reply: Reply) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if reply.content or not reply.tool_calls:
        text = {"type": "output_text", "text": reply.content, "annotations": []}
        items.append(
            {
                "type": "message",
                "id": h.new_id("msg_fake_"),
                "status": "completed",
                "role": "assistant",
                "content": [text],
            }
        )
    for call in reply.tool_calls:
        items.append(
            {
                "type": "function_call",
                "id": h.new_id("fc_fake_"),
                "call_id": call.id or h.new_id("call_"),
                "name": call.name,
                "arguments": call.arguments_json(),
                "status": "completed",
            }
        )
    return items


def _response(
    h: Wire, body: Mapping[str, Any], output: list[dict[str, Any]], status: str, words: int
) -> dict[str, Any]:
    prompt = _prompt_tokens(body)
    return {
        "id": getattr(h, "response_id", None) or h.new_id("resp_fake_"),
        "object": "response",
        "created_at": h.now(),
        "status": status,
        "model": _model(h, body),
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []),
        "text": {"format": {"type": "text"}},
        "usage": {
            "input_tokens": prompt,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": words,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": prompt + words,
        },
    }


def _responses_stream(
    h: Wire, body: Mapping[str, Any], reply: Reply, items: list[dict[str, Any]]
) -> None:
    h.response_id = h.new_id("resp_fake_")  # type: ignore[attr-defined]
    seq = iter(range(1_000_000))

    def send(kind: str, **data: Any) -> None:
        h.event({"type": kind, "sequence_number": next(seq), **data}, kind)

    h.start_events()
    send("response.created", response=_response(h, body, [], "in_progress", 0))
    if h.stopped_while(h.fake.ttft):
        return
    first = True
    for index, item in enumerate(items):
        if item["type"] == "message":
            send("response.output_item.added", output_index=index,
                 item={**item, "status": "in_progress", "content": []})  # fmt: skip
            where = {"item_id": item["id"], "output_index": index, "content_index": 0}
            part = {"type": "output_text", "text": "", "annotations": []}
            send("response.content_part.added", **where, part=part)
            for word in tokens(reply.content):
                if not first and h.stopped_while(h.pace()):
                    return
                first = False
                send("response.output_text.delta", **where, delta=word, logprobs=[])
            send("response.output_text.done", **where, text=reply.content, logprobs=[])
            send("response.content_part.done", **where, part=item["content"][0])
        else:
            send("response.output_item.added", output_index=index,
                 item={**item, "arguments": "", "status": "in_progress"})  # fmt: skip
            where = {"item_id": item["id"], "output_index": index}
            for piece in tokens(item["arguments"]) or [item["arguments"]]:
                send("response.function_call_arguments.delta", **where, delta=piece)
            send("response.function_call_arguments.done", **where, arguments=item["arguments"])
        send("response.output_item.done", output_index=index, item=item)
    words = len(tokens(reply.content))
    send("response.completed", response=_response(h, body, items, "completed", words))
    h.end_events()


# -- embeddings --------------------------------------------------------------------------------


def vector(text: str, dimensions: int) -> list[float]:
    """A deterministic unit vector for ``text``: equal texts, equal vectors."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    values = [rng.gauss(0.0, 1.0) for _ in range(dimensions)]
    norm = sum(v * v for v in values) ** 0.5 or 1.0
    return [v / norm for v in values]


def embeddings(h: Wire, body: Mapping[str, Any], outcome: Fault | None) -> None:
    if isinstance(outcome, Fault):
        h.fault(outcome, error)
        return
    raw = body.get("input")
    if isinstance(raw, str) or (isinstance(raw, list) and raw and isinstance(raw[0], int)):
        inputs: list[Any] = [raw]
    elif isinstance(raw, list) and raw:
        inputs = raw
    else:
        message = "'input' must be a string, a list of strings or of token lists"
        h.json(HTTPStatus.BAD_REQUEST, error(400, message, "invalid_request_error"))
        return
    model = _model(h, body)
    size = body.get("dimensions")
    dims = size if isinstance(size, int) and size > 0 else DIMENSIONS.get(model, DEFAULT_DIMENSIONS)
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for index, item in enumerate(inputs):
        values = vector(item if isinstance(item, str) else json.dumps(item), dims)
        encoded: Any = values
        if as_base64:
            encoded = base64.b64encode(struct.pack(f"<{dims}f", *values)).decode()
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    used = sum(len(tokens(i)) if isinstance(i, str) else len(i) for i in inputs)
    usage = {"prompt_tokens": used, "total_tokens": used}
    if h.stopped_while(h.fake.ttft):
        return
    h.json(HTTPStatus.OK, {"object": "list", "data": data, "model": model, "usage": usage})
