"""AC805 sse-resume: a cut stream, rejoined with Last-Event-ID, loses and repeats nothing."""

from __future__ import annotations

import collections
import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from agentcheck.live.checks._base import CheckFailed, LiveCheck
from agentcheck.live.checks._context import LiveContext
from agentcheck.live.checks._runs import ranges, require_event_stream, require_probe, run_body

if TYPE_CHECKING:
    from agentcheck.live.checks._sse import Event, SSEStream

__all__ = ["SseResume"]

#: Seconds without an event after which a resumed stream counts as stalled.
STALL = 10.0


@dataclass(frozen=True)
class _Event:
    """One probe event: ``values`` after superstep ``n``, or ``custom`` event number ``n``."""

    kind: str
    n: int
    id: str

    def __str__(self) -> str:
        return f"{self.kind} {self.n}"


@dataclass
class _Cut:
    after: _Event
    #: The event that arrived right behind it with the same id, if that is why it was cut there.
    twin: _Event | None
    #: The first event the resumed stream delivered.
    next: _Event | None = None


class SseResume(LiveCheck):
    """A stream cut mid-run and rejoined with ``Last-Event-ID`` loses and repeats no event.

    What it checks
    --------------
    The probe graph writes 4 bursts of 20 ``custom`` events, 0.3 s apart, each burst within
    one superstep as a model's tokens are, and a ``values`` event after each superstep (the
    state clients rebuild), in a run created with ``stream_resumable: true`` and
    ``on_disconnect: continue``. In each burst the check drops the connection after the event
    three quarters in, lets the burst finish without it, and rejoins in the quiet gap with
    ``GET /threads/{id}/runs/{run}/stream`` and the id of the last event it took: the rest of
    the burst must be replayed, then the run streams on. Every event must arrive exactly once.

    Why it matters
    --------------
    Phones, proxies and deploys cut streams, and ``useStream`` and ``langgraph_sdk`` rejoin
    with the last event id. A server that cannot resume exactly loses or repeats events,
    silently.

    Shared event ids (the warning "two events in a row shared an id")
    ------------------------------------------------------------------
    An SSE event id names a place in the stream: a client that rejoins with
    ``Last-Event-ID: X`` gets what came after the event whose id is ``X``. When several
    events carry one id, "after X" is ambiguous: the server resumes after the *first* of them
    (or the last), so a client cut between two events that share an id loses the later ones,
    or gets them twice. langgraph-api's in-memory runtime (``langgraph dev``) numbers events by
    the millisecond, so a burst of tokens written within one node shares ids; Redis-backed
    servers (Agent Server on PostgreSQL + Redis, langhost) and Aegra number them uniquely.
    The check does not cut there by default, so its verdict stays stable, and warns instead;
    a subclass with ``cut_shared_ids = True`` cuts there and fails on such a server.

    What to do about it: serve production from a runtime whose event ids are unique and
    ordered (the Redis-backed Agent Server, or your own server numbering events per run); or
    have clients that rejoin do so with ``Last-Event-ID: -1`` (replay everything) and drop
    the events they already hold by their content (run id and step); or accept that a cut in
    the middle of a token burst may lose tokens of that burst, which the final ``values``
    event repairs for clients that render state rather than tokens.

    How to fix
    ----------
    Use a server that stores every stream mode for replay and numbers events with a unique,
    ordered id (a sequence per run), or have clients rejoin with ``Last-Event-ID: -1`` and
    drop the events they already have.
    """

    code = "AC805"
    name = "sse-resume"
    summary = "A stream cut mid-run and rejoined with Last-Event-ID loses and repeats no event."

    #: The probe's shape: ``bursts`` bursts of ``emit`` events, ``spacing`` seconds apart
    #: within a burst (0: back to back), ``gap`` seconds between bursts; with ``batch`` a
    #: burst is written in one superstep, as a model's tokens are, else one per superstep.
    emit: ClassVar[int] = 20
    bursts: ClassVar[int] = 4
    spacing: ClassVar[float] = 0.0
    gap: ClassVar[float] = 0.3
    batch: ClassVar[bool] = True
    #: The stream modes requested and counted (``values`` and/or ``custom``).
    modes: ClassVar[tuple[str, ...]] = ("values", "custom")
    #: Also cut between two events that share an id (at most once per burst), so that a
    #: server numbering events by the millisecond fails instead of being warned about.
    cut_shared_ids: ClassVar[bool] = False

    @property
    def events(self) -> int:
        """How many ``custom`` events the probe emits (its ``done`` event excluded)."""
        return self.emit * self.bursts

    @property
    def steps(self) -> int:
        """Supersteps of the probe run: the emitting ones, then silent, hold and done."""
        return (self.bursts if self.batch else self.events) + 3

    def expected(self) -> set[tuple[str, int]]:
        out: set[tuple[str, int]] = set()
        if "values" in self.modes:
            out |= {("values", n) for n in range(1, self.steps + 1)}
        if "custom" in self.modes:
            out |= {("custom", n) for n in range(self.events + 1)}
        return out

    def _last(self, event: _Event) -> bool:
        """Whether ``event`` is the last one the run streams."""
        if "values" in self.modes:
            return event.kind == "values" and event.n == self.steps
        return event.kind == "custom" and event.n == self.events

    def _place(self, event: _Event) -> tuple[int, int]:
        """(burst, position in the burst) of an event; burst ``bursts`` is the run's tail."""
        if event.kind == "custom":
            n = event.n
        elif self.batch:  # one values event per burst, after its custom events
            return (event.n - 1, self.emit - 1) if event.n <= self.bursts else (self.bursts, 0)
        else:
            n = event.n - 1
        return (n // self.emit, n % self.emit) if n < self.events else (self.bursts, 0)

    def run(self, ctx: LiveContext, graph: str) -> str:
        from agentcheck.live.checks._sse import open_stream

        require_probe(ctx)
        urls = ctx.deployment.urls
        base, where = ctx.url, ctx.through
        if len(urls) > 1:  # rejoining on another replica is AC822's business
            base, where = urls[0], f"at replica 1 ({urls[0]})"
        client = ctx.http()
        thread = ctx.new_thread()
        probe_input = {
            "emit": self.emit,
            "bursts": self.bursts,
            "spacing": self.spacing,
            "gap": self.gap,
            "batch": self.batch,
        }
        body = run_body(
            graph,
            probe_input,
            list(self.modes),
            metadata=ctx.tag,
            stream_resumable=True,
            on_disconnect="continue",
            config={"recursion_limit": self.steps + 10},
        )
        received: list[_Event] = []
        cuts: list[_Cut] = []
        shared: set[tuple[_Event, _Event]] = set()
        meta: dict[str, str] = {}
        with open_stream(
            client, "POST", f"{base}/threads/{thread}/runs/stream", json=body, read_timeout=STALL
        ) as stream:
            require_event_stream(stream, f"the resumable probe run {where}")
            cut = self._read(stream, received, meta, cuts, shared)
        run_id = meta.get("run_id", "")
        if not received:
            raise CheckFailed(f"no probe event arrived {where}: {stream.error or 'empty stream'}")
        if not received[-1].id:
            raise CheckFailed(
                f"the events of a run created with stream_resumable=true carry no id {where}: "
                "a client cannot resume"
            )
        if not run_id:
            raise CheckFailed(f"the stream {where} did not say its run id (no metadata event)")
        stalled = stream.error if cut is None and not self._last(received[-1]) else None

        while cut is not None and stalled is None:
            cuts.append(cut)
            time.sleep(self.gap / 2)  # away while the burst goes on; back before the next one
            join = f"{base}/threads/{thread}/runs/{run_id}/stream"
            headers = {"Last-Event-ID": cut.after.id}
            before = len(received)
            with open_stream(client, "GET", join, headers=headers, read_timeout=STALL) as stream:
                require_event_stream(stream, f"rejoining {where} with Last-Event-ID")
                cut = self._read(stream, received, meta, cuts, shared)
            cuts[-1].next = received[before] if len(received) > before else None
            if cut is None and not (received and self._last(received[-1])):
                stalled = stream.error or "it ended before the run's last event"

        if shared:
            ctx.warn(_shared_warning(shared, where))
        return self._verdict(received, cuts, stalled, where)

    def _read(
        self,
        stream: SSEStream,
        received: list[_Event],
        meta: dict[str, str],
        cuts: list[_Cut],
        shared: set[tuple[_Event, _Event]],
    ) -> _Cut | None:
        """Read events into ``received`` until the run's last one, or until the next cut.

        At most one cut per burst, after the first event at least three quarters in whose
        successor has another id (never the burst's last: the client must miss part of it), or
        with ``cut_shared_ids`` between the first two events of the burst that share an id.
        Each cut is seen with one event of lookahead; the later event is dropped, as if the
        connection had broken between the two. Adjacent events with one id go to ``shared``;
        the run id from the ``metadata`` event goes to ``meta["run_id"]``.
        """
        cut_bursts = {self._place(cut.after)[0] for cut in cuts}
        late = max(0, min((3 * self.emit) // 4, self.emit - 2))
        pending: _Event | None = None
        for sse in stream:
            if sse.event == "metadata":
                with contextlib.suppress(ValueError, AttributeError):
                    meta.setdefault("run_id", str(sse.json().get("run_id") or ""))
                continue
            event = _event(sse)
            if event is None or event.kind not in self.modes:
                continue
            if pending is not None:
                received.append(pending)
                twins = bool(pending.id) and pending.id == event.id and pending != event
                if twins:
                    shared.add((pending, event))
                burst, position = self._place(pending)
                same = burst == self._place(event)[0] and burst < self.bursts
                if same and burst not in cut_bursts:
                    if twins and self.cut_shared_ids:
                        return _Cut(pending, event)
                    if pending.id != event.id and position >= late:
                        return _Cut(pending, None)
            if self._last(event):
                received.append(event)
                return None
            pending = event
        if pending is not None:
            received.append(pending)
        return None

    def _verdict(
        self, received: list[_Event], cuts: list[_Cut], stalled: str | None, where: str
    ) -> str:
        got = [(e.kind, e.n) for e in received]
        expected = self.expected()
        lost = expected - set(got)
        repeated = {key for key, count in collections.Counter(got).items() if count > 1}
        if not lost and not repeated and stalled is None:
            shared = [c for c in cuts if c.twin is not None]
            how = f", {len(shared)} between two events sharing an id" if shared else ""
            return (
                f"cut {len(cuts)} times mid-burst{how}, rejoined with Last-Event-ID {where}: "
                f"all {len(expected)} events ({' and '.join(self.modes)}) arrived once"
            )
        lines = []
        for cut in cuts:
            twin = f", which {cut.twin} shares" if cut.twin is not None else ""
            nxt = str(cut.next) if cut.next is not None else "nothing"
            lines.append(
                f"cut after {cut.after} (id {cut.after.id}{twin}); the resumed stream began "
                f"with {nxt}"
            )
        if lost:
            lines.append(f"lost: {_describe(lost)}")
        if repeated:
            lines.append(f"delivered twice: {_describe(repeated)}")
        if stalled is not None:
            lines.append(f"the resumed stream did not reach the run's end: {stalled}")
        if any(c.twin is not None and (c.twin.kind, c.twin.n) in lost for c in cuts):
            lines.append(
                "the server gives several events one id (a millisecond timestamp), so a client "
                "cut between two of them cannot resume without losing the later ones"
            )
        detail = "".join(f"\n  - {line}" for line in lines)
        raise CheckFailed(f"resuming a cut stream {where} with Last-Event-ID:{detail}")


def _shared_warning(shared: set[tuple[_Event, _Event]], where: str) -> str:
    first, second = min(shared, key=lambda pair: (pair[0].kind != "custom", pair[0].n))
    return (
        f"AC805: {len(shared)} time(s) two events in a row shared an id {where} (e.g. "
        f"{first} and {second}: {first.id}); a client cut between two such events loses the "
        "later one when it resumes with Last-Event-ID (`agentcheck explain AC805` says what "
        "to do)"
    )


def _describe(events: set[tuple[str, int]]) -> str:
    """``values 3-5, custom 7`` for a set of (kind, n)."""
    kinds = sorted({kind for kind, _ in events}, reverse=True)
    return "; ".join(f"{kind} {ranges(n for k, n in events if k == kind)}" for kind in kinds)


def _event(sse: Event) -> _Event | None:
    """The probe's event, or None for anything else (the input's ``values`` has no step)."""
    try:
        data = sse.json()
        if sse.event == "values":
            return _Event("values", int(data["step"]), sse.id)
        if sse.event == "custom":
            return _Event("custom", int(data["seq"]), sse.id)
    except (ValueError, KeyError, TypeError):
        return None
    return None
