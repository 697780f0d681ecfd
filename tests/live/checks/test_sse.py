"""Reading event streams with their timing, against a real server (the fake LLM's stream)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from agentcheck.live.checks._sse import TimingTransport, open_stream, read_stream
from agentcheck.live.fake_llm import FakeLLM

BODY = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "x"}]}


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM() as fake:
        yield fake


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(transport=TimingTransport()) as c:
        yield c


def test_events_and_arrivals(llm: FakeLLM, client: httpx.Client) -> None:
    llm.script("one two three")
    llm.tokens_per_second = 20
    stream = read_stream(client, "POST", f"{llm.url}/chat/completions", json=BODY)
    assert stream.status == 200
    assert stream.content_type.startswith("text/event-stream")
    assert stream.error is None
    data = [e.data for e in stream.events]
    assert data[-1] == "[DONE]"
    assert [e.json()["choices"][0]["delta"].get("content") for e in stream.events[:3]] == [
        "one ",
        "two ",
        "three",
    ]
    arrivals = stream.arrivals
    assert arrivals
    assert arrivals == sorted(arrivals)
    assert 0 < arrivals[0] <= stream.events[0].at  # bytes come before the event parsed from them
    assert all(e.at <= (stream.ended or 0) for e in stream.events)


def test_gaps_split_a_window_at_each_arrival(llm: FakeLLM, client: httpx.Client) -> None:
    stream = read_stream(client, "POST", f"{llm.url}/chat/completions", json=BODY)
    end = (stream.ended or 0) + 1.0
    gaps = stream.gaps(0.0, end)
    assert sum(gaps) == pytest.approx(end)
    assert len(gaps) == len([t for t in stream.arrivals if 0 < t < end]) + 1


def test_an_error_answer_is_read_not_parsed(llm: FakeLLM, client: httpx.Client) -> None:
    llm.fail(429)
    stream = read_stream(client, "POST", f"{llm.url}/chat/completions", json=BODY)
    assert stream.status == 429
    assert stream.events == []
    assert "injected" in stream.response.text


def test_a_stream_that_breaks_off_records_why(client: httpx.Client) -> None:
    llm = FakeLLM(tokens_per_second=5).start()
    llm.script("a b c d e f g h")
    try:
        with open_stream(client, "POST", f"{llm.url}/chat/completions", json=BODY) as stream:
            for event in stream:
                if event.json()["choices"][0]["delta"].get("content") == "b ":
                    llm.stop()  # the server goes away mid-stream
        assert stream.error is not None
        assert stream.error.startswith("RemoteProtocolError")
    finally:
        llm.stop()


def test_leaving_early_closes_and_records_the_end(llm: FakeLLM, client: httpx.Client) -> None:
    with open_stream(client, "POST", f"{llm.url}/chat/completions", json=BODY) as stream:
        first = next(iter(stream))
    assert first.data.startswith("{")
    assert stream.ended is not None
    assert stream.error is None
