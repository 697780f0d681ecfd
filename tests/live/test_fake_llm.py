"""The fake LLM against the real OpenAI client and LangChain's ChatOpenAI, over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI

from agentcheck.live.fake_llm import API_KEY, DEFAULT_REPLY, FakeLLM, Fault, Reply, ToolCall


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM() as fake:
        yield fake


def client(llm: FakeLLM, **kwargs: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=llm.url, api_key="sk-test", **kwargs)  # type: ignore[arg-type]


def chat(llm: FakeLLM, **kwargs: object) -> ChatOpenAI:
    return ChatOpenAI(base_url=llm.url, api_key="sk-test", model="gpt-4o-mini", **kwargs)  # type: ignore[arg-type]


def test_env_points_the_openai_client_at_it(llm: FakeLLM) -> None:
    assert llm.env == {"OPENAI_BASE_URL": llm.url, "OPENAI_API_KEY": API_KEY}
    assert llm.url == f"http://127.0.0.1:{llm.port}/v1"


def test_default_reply_without_a_script(llm: FakeLLM) -> None:
    answer = client(llm).chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi there"}]
    )
    assert answer.choices[0].message.content == DEFAULT_REPLY
    assert answer.choices[0].finish_reason == "stop"
    assert answer.model == "gpt-4o-mini"
    assert answer.usage is not None
    assert answer.usage.prompt_tokens == 2


def test_script_is_consumed_in_order_then_the_default(llm: FakeLLM) -> None:
    llm.script("first", Reply("second"))
    model = chat(llm)
    assert [model.invoke("x").content for _ in range(3)] == ["first", "second", DEFAULT_REPLY]
    assert llm.pending == 0
    assert [r.body["messages"][-1]["content"] for r in llm.requests] == ["x", "x", "x"]


def test_streaming_sends_the_reply_token_by_token(llm: FakeLLM) -> None:
    llm.script("Hello there, friend.")
    chunks = list(chat(llm).stream("hi"))
    texts = [c.content for c in chunks if c.content]
    assert texts == ["Hello ", "there, ", "friend."]
    assert "".join(texts) == "Hello there, friend."


def test_stream_usage_when_asked(llm: FakeLLM) -> None:
    llm.script("one two three")
    stream = client(llm).chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "count"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 3
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"


@pytest.mark.parametrize("streaming", [False, True])
def test_tool_calls_reach_langchain(llm: FakeLLM, streaming: bool) -> None:
    call = ToolCall("lookup", {"query": "refund policy", "limit": 3}, id="call_1")
    llm.script(Reply(tool_calls=[call]))
    model = chat(llm, streaming=streaming)
    if streaming:
        message = None
        for chunk in model.stream("find it"):
            message = chunk if message is None else message + chunk
    else:
        message = model.invoke("find it")
    assert message is not None
    assert message.tool_calls == [
        {
            "name": "lookup",
            "args": {"query": "refund policy", "limit": 3},
            "id": "call_1",
            "type": "tool_call",
        }
    ]


def test_429_is_retried_by_the_client_as_openai_would_be(llm: FakeLLM) -> None:
    llm.script(Fault(429), "after the retry")
    assert chat(llm, max_retries=2).invoke("x").content == "after the retry"
    assert len(llm.requests) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, openai.RateLimitError), (500, openai.InternalServerError)],
)
def test_faults_reach_the_client_as_openai_errors(
    llm: FakeLLM, status: int, error: type[Exception]
) -> None:
    llm.fail(status)
    with pytest.raises(error, match="injected"):
        client(llm, max_retries=0).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )


def test_hang_makes_the_client_time_out(llm: FakeLLM) -> None:
    llm.hang(times=1)
    with pytest.raises(openai.APITimeoutError):
        client(llm, max_retries=0, timeout=0.3).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )
    # The next request is answered again.
    assert chat(llm).invoke("x").content == DEFAULT_REPLY


def test_stop_releases_a_hanging_request() -> None:
    fake = FakeLLM().start()
    fake.hang()  # forever

    def stop_once_it_hangs() -> None:
        while fake.pending:  # the request took the hang
            time.sleep(0.01)
        fake.stop()

    stopper = threading.Thread(target=stop_once_it_hangs)
    stopper.start()
    try:
        # Released by stop(), the request ends without an answer; were it not released, the
        # client would give up after 30 s with ReadTimeout instead.
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(f"{fake.url}/chat/completions", json={"messages": []}, timeout=30)
    finally:
        stopper.join()


def test_ttft_delays_the_first_token_at_least_that_long(llm: FakeLLM) -> None:
    llm.ttft = 0.3
    began = time.monotonic()
    first = next(iter(chat(llm).stream("x")))
    assert time.monotonic() - began >= 0.3
    assert first.content


def test_bad_requests_get_openai_style_errors(llm: FakeLLM) -> None:
    with httpx.Client(base_url=llm.url) as http:
        bad_json = http.post("/chat/completions", content=b"{not json")
        no_messages = http.post("/chat/completions", json={"model": "m"})
        unknown = http.post(llm.base_url + "/api/chat", json={"model": "llama3"})
        models = http.get("/models")
    assert bad_json.status_code == 400
    assert bad_json.json()["error"]["type"] == "invalid_request_error"
    assert no_messages.status_code == 400
    assert unknown.status_code == 501
    assert "does not speak Ollama's API" in unknown.json()["error"]["message"]
    assert [r.api for r in llm.requests] == ["unsupported"]
    assert models.json()["data"][0]["id"] == llm.model


def test_reset_forgets_script_and_requests(llm: FakeLLM) -> None:
    llm.script("a", "b")
    chat(llm).invoke("x")
    llm.reset()
    assert llm.pending == 0
    assert llm.requests == []


def test_error_ratio_fails_that_share_of_requests_evenly(llm: FakeLLM) -> None:
    llm.error_ratio = 0.25
    llm.script("scripted")  # scripted replies are not counted: the script decides those
    with httpx.Client(base_url=llm.url) as http:
        body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        statuses = [http.post("/chat/completions", json=body).status_code for _ in range(13)]
    assert statuses == [200, 200, 200, 200, 500, 200, 200, 200, 500, 200, 200, 200, 500]
    llm.reset()
    llm.error_ratio = 0.0
    assert chat(llm).invoke("x").content == DEFAULT_REPLY


def test_knobs_are_validated() -> None:
    with pytest.raises(ValueError, match="ttft"):
        FakeLLM(ttft=-1)
    with pytest.raises(ValueError, match="tokens_per_second"):
        FakeLLM(tokens_per_second=0)
    with pytest.raises(ValueError, match="error_ratio"):
        FakeLLM(error_ratio=1.5)


def test_runs_alone_as_a_module() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "agentcheck.live.fake_llm", "--reply", "from the CLI"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        answer = httpx.post(f"{url}/chat/completions", json=body, timeout=10).json()
        assert answer["choices"][0]["message"]["content"] == "from the CLI"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_stream_is_valid_openai_sse(llm: FakeLLM) -> None:
    llm.script("a b")
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "x"}]}
    with httpx.Client(base_url=llm.url) as http:
        text = http.post("/chat/completions", json=body).text
    frames = [f for f in text.split("\n\n") if f]
    assert frames[-1] == "data: [DONE]"
    payloads = [json.loads(f.removeprefix("data: ")) for f in frames[:-1]]
    assert payloads[0]["choices"][0]["delta"] == {"role": "assistant", "content": "a "}
    assert {p["object"] for p in payloads} == {"chat.completion.chunk"}


# -- the other APIs ------------------------------------------------------------------------------


def test_anthropic_messages_stream_and_use_tools(llm: FakeLLM) -> None:
    from langchain_anthropic import ChatAnthropic

    model = ChatAnthropic(  # type: ignore[call-arg]
        model="claude-sonnet-4-5", base_url=llm.base_url, api_key="k", max_retries=0
    )
    llm.script("Hello from Claude.", Reply(tool_calls=[ToolCall("lookup", {"q": "refund"})]))
    chunks = list(model.stream("hi"))
    assert "".join(str(c.content) if isinstance(c.content, str) else "" for c in chunks) in (
        "",
        "Hello from Claude.",
    )
    text = "".join(
        part.get("text", "") if isinstance(part, dict) else str(part)
        for c in chunks
        for part in (c.content if isinstance(c.content, list) else [c.content])
    )
    assert text == "Hello from Claude."
    called = model.bind_tools(
        [
            {
                "name": "lookup",
                "description": "d",
                "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
            }
        ]
    ).invoke("refund?")
    assert called.tool_calls[0]["name"] == "lookup"
    assert called.tool_calls[0]["args"] == {"q": "refund"}
    assert [r.api for r in llm.requests] == ["anthropic.messages"] * 2
    assert llm.requests[-1].body["messages"][-1]["content"] == "refund?"


def test_anthropic_errors_are_anthropics(llm: FakeLLM) -> None:
    import anthropic

    llm.fail(429)
    client = anthropic.Anthropic(base_url=llm.base_url, api_key="k", max_retries=0)
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(
            model="m", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )


def test_openai_responses_api_streams_text_and_function_calls(llm: FakeLLM) -> None:
    llm.script("Streamed by responses.", Reply(tool_calls=[ToolCall("lookup", {"q": "x"})]))
    model = chat(llm, use_responses_api=True)
    text = "".join(
        part.get("text", "") if isinstance(part, dict) else str(part)
        for c in model.stream("hi")
        for part in (c.content if isinstance(c.content, list) else [c.content])
    )
    assert text == "Streamed by responses."
    answer = client(llm).responses.create(model="gpt-4o-mini", input="call it")
    [call] = [item for item in answer.output if item.type == "function_call"]
    assert (call.name, json.loads(call.arguments)) == ("lookup", {"q": "x"})
    assert [r.api for r in llm.requests] == ["openai.responses"] * 2


def test_embeddings_are_deterministic_unit_vectors(llm: FakeLLM) -> None:
    from langchain_openai import OpenAIEmbeddings

    vectors = client(llm).embeddings.create(model="text-embedding-3-small", input=["a", "b", "a"])
    first, second, third = (d.embedding for d in vectors.data)
    assert len(first) == 1536
    assert first == third != second
    assert abs(sum(v * v for v in first) - 1.0) < 1e-3
    small = client(llm).embeddings.create(model="m", input="a", dimensions=8)
    assert len(small.data[0].embedding) == 8
    embed = OpenAIEmbeddings(
        base_url=llm.url,
        api_key="k",
        model="text-embedding-3-large",  # type: ignore[arg-type]
        check_embedding_ctx_length=False,
    )
    assert len(embed.embed_query("hello")) == 3072
    assert {r.api for r in llm.requests} == {"openai.embeddings"}


def test_a_scripted_reply_waits_for_a_generation_call(llm: FakeLLM) -> None:
    llm.script("for the chat", Fault(500, only="openai.embeddings"))
    embedded = client(llm, max_retries=0)
    with pytest.raises(openai.InternalServerError):
        embedded.embeddings.create(model="m", input="x")
    assert chat(llm).invoke("x").content == "for the chat"
    assert llm.pending == 0
    assert [r.api for r in llm.calls()] == ["openai.chat"]
