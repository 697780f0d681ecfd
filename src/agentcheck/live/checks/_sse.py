"""Reading a server-sent event stream with the time each event (and each byte) arrived.

Events are parsed by httpx-sse; a small httpx transport notes the arrival time of every chunk of
bytes, heartbeat comments included, which the parser (rightly) does not report as events. The
checks need both: when the first event came (AC803) and whether anything at all crossed the
proxy while the graph was silent (AC804).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError

__all__ = ["Event", "SSEStream", "TimingTransport", "open_stream", "read_stream"]

_ARRIVALS = "agentcheck.arrivals"


class _TimedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, arrivals: list[float]) -> None:
        self._inner = inner
        self._arrivals = arrivals

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if chunk:
                self._arrivals.append(time.monotonic())
            yield chunk

    def close(self) -> None:
        self._inner.close()


class TimingTransport(httpx.BaseTransport):
    """An ``HTTPTransport`` that records when each chunk of a response body arrived."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        arrivals: list[float] = []
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_TimedStream(stream, arrivals),
            extensions={**response.extensions, _ARRIVALS: arrivals},
        )

    def close(self) -> None:
        self._inner.close()


@dataclass(frozen=True)
class Event:
    """One server-sent event and when it arrived (seconds after the request was sent)."""

    at: float
    event: str
    data: str
    id: str

    def json(self) -> Any:
        """The data as JSON; raises ValueError when it is not."""
        return json.loads(self.data)


@dataclass
class SSEStream:
    """A stream being read (or read): its response, its events and their timing."""

    response: httpx.Response
    started: float
    events: list[Event] = field(default_factory=list)
    #: Set when the stream broke off instead of ending: the transport error, in words.
    error: str | None = None
    #: Seconds after the request when the stream ended (closed, broke off, or was left).
    ended: float | None = None

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def content_type(self) -> str:
        return str(self.response.headers.get("content-type", ""))

    @property
    def arrivals(self) -> list[float]:
        """When each chunk of bytes arrived, in seconds after the request."""
        raw: list[float] = self.response.extensions.get(_ARRIVALS, [])
        return [float(t) - self.started for t in raw]

    def __iter__(self) -> Iterator[Event]:
        """Read events as they come; a transport error ends the iteration and sets ``error``."""
        source = EventSource(self.response)
        try:
            for sse in source.iter_sse():
                event = Event(time.monotonic() - self.started, sse.event, sse.data, sse.id)
                self.events.append(event)
                yield event
        except SSEError as exc:
            self.error = str(exc)
        except httpx.TransportError as exc:
            self.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        finally:
            if self.ended is None:
                self.ended = time.monotonic() - self.started

    def read_all(self) -> SSEStream:
        for _ in self:
            pass
        return self

    def gaps(self, start: float, end: float) -> list[float]:
        """The silences (seconds without a byte) between ``start`` and ``end``."""
        marks = [start, *(t for t in self.arrivals if start < t < end), end]
        return [b - a for a, b in itertools.pairwise(marks)]


@contextmanager
def open_stream(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    json: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    read_timeout: float = 30.0,
) -> Iterator[SSEStream]:
    """Send the request and yield the stream unread; leaving the block closes the connection."""
    sent_headers = {"Accept": "text/event-stream", "Cache-Control": "no-store", **(headers or {})}
    timeout = httpx.Timeout(10.0, read=read_timeout)
    started = time.monotonic()
    with client.stream(method, url, json=json, headers=sent_headers, timeout=timeout) as response:
        stream = SSEStream(response, started)
        try:
            yield stream
        finally:
            if stream.ended is None:
                stream.ended = time.monotonic() - started


def read_stream(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    json: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    read_timeout: float = 30.0,
) -> SSEStream:
    """Send the request and read the whole stream (error responses are read as they are)."""
    with open_stream(
        client, method, url, json=json, headers=headers, read_timeout=read_timeout
    ) as stream:
        if stream.status != 200 or "text/event-stream" not in stream.content_type:
            stream.response.read()
            return stream
        return stream.read_all()
