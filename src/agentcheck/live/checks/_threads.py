"""Threads of one graph handed from one version of the project to another (AC851-AC853).

A thread *waits* where a deploy finds it: at an ``interrupt()`` of its graph (for as long as a
human takes), or between two steps (a run in flight when the servers stop is resumed from its
last checkpoint). :func:`control` runs a thread of the graph from start to end on one version
with runtime breakpoints (``interrupt_after: "*"``: the run stops after every step), which lists
every such waiting point (:class:`Stop`) and the state the thread ends with there;
:func:`leave` starts a thread and stops it at one of them; :func:`finish` continues a thread to
its end (resuming each ``interrupt()`` with the graph's resume value). :func:`judge` compares
the end of a thread that crossed versions with the same thread run on each version alone.
Every request is bounded in time (see :mod:`._recovery`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcheck.live.checks._recovery import get_json

if TYPE_CHECKING:
    from agentcheck.live.checks._context import LiveContext

__all__ = ["End", "Left", "Plan", "Run", "Stop", "control", "finish", "judge", "leave"]

#: Waiting points exercised per graph (the graph's own interrupts first, then the first steps).
MAX_STOPS = 5
#: Runs one thread may take to end, from its start or from where it waited.
MAX_RUNS = 20
#: Seconds one run (``runs/wait``) may take.
RUN_TIMEOUT = 60.0


@dataclass(frozen=True)
class Plan:
    """What a graph's threads are started with and how its ``interrupt()`` is answered."""

    graph: str
    input: Mapping[str, Any]
    resume: Any
    #: Where the input came from, for messages ("inputs.desk in [tool.agentcheck.live]").
    source: str = ""
    #: How many of its waiting points to exercise.
    stops: int = MAX_STOPS


@dataclass(frozen=True)
class Stop:
    """One place where a thread of the graph waits: the ``number``-th stop of a run driven
    step by step."""

    number: int
    #: The checkpoint's step.
    step: int | None
    #: The nodes the thread runs next.
    next: tuple[str, ...]
    #: The node whose ``interrupt()`` it waits at; None between two steps.
    interrupt: str | None

    def __str__(self) -> str:
        at = f"step {self.step}" if self.step is not None else "its last checkpoint"
        if self.interrupt is not None:
            return f"waiting at the interrupt() in '{self.interrupt}' ({at})"
        return f"between steps, at {at} before {', '.join(repr(n) for n in self.next)}"

    def same_place(self, other: Stop) -> bool:
        return (self.next, self.interrupt) == (other.next, other.interrupt)


@dataclass
class End:
    """How a thread ended on a version."""

    #: The thread's status (``idle``, ``interrupted``, ``error``, ``busy``) or what answered
    #: instead (``HTTP 404``, ``no answer``).
    status: str
    values: dict[str, Any] = field(default_factory=dict)
    #: What the run that failed answered (``KeyError: 'topic'``), or None.
    error: str | None = None
    #: Continuing it ran no step at all (the node it waited for is not in the graph).
    idle_resume: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "idle" and self.error is None

    @property
    def read(self) -> bool:
        """Whether the thread was read at all (not ``HTTP 404``, ``no answer``)."""
        return not self.status.startswith(("HTTP ", "no answer"))

    def __str__(self) -> str:
        if self.status == "HTTP 404" and self.error is None:
            return "the thread is not there (HTTP 404): this version does not see its state"
        if not self.read and self.error is None:
            return f"the thread cannot be read there ({self.status})"
        if self.error is not None:
            return f"its run failed: {self.error} (thread {self.status})"
        nothing = (
            "; resuming it ran no step (no node of that name here)" if self.idle_resume else ""
        )
        if self.status != "idle":
            return f"the thread is left {self.status}{nothing}"
        return f"it ended with {shown(self.values)}{nothing}"


@dataclass
class Run:
    """A thread run from start to end on one version, stopped at every waiting point."""

    version: str
    thread: str
    stops: list[Stop]
    end: End


@dataclass
class Left:
    """A thread left waiting at ``stop`` on one version (``problem`` when it did not get
    there)."""

    thread: str
    stop: Stop
    version: str
    problem: str | None = None


def _answer(http: int | None, body: Any) -> str | None:
    """What failed in a ``runs/wait`` answer, or None when the run ended well."""
    if http is None:
        return f"no answer ({body})"
    if http != 200:
        return f"HTTP {http}: {str(body)[:300]}"
    if isinstance(body, dict) and isinstance(body.get("__error__"), dict):
        error = body["__error__"]
        return f"{error.get('error', 'error')}: {str(error.get('message', ''))[:300]}"
    return None


def _run(
    ctx: LiveContext, url: str, thread: str, plan: Plan, payload: Mapping[str, Any], *, step: bool
) -> str | None:
    body: dict[str, Any] = {
        "assistant_id": plan.graph,
        "config": {"recursion_limit": 100},
        "metadata": ctx.tag,
        **payload,
    }
    if step:
        body["interrupt_after"] = "*"
    http, answer = get_json(
        ctx, "POST", f"{url}/threads/{thread}/runs/wait", body, timeout=RUN_TIMEOUT
    )
    return _answer(http, answer)


def _state(ctx: LiveContext, url: str, thread: str) -> tuple[str, dict[str, Any]]:
    """``(thread status, state)``; the status says what answered when the thread is not read."""
    http, body = get_json(ctx, "GET", f"{url}/threads/{thread}/state")
    if http != 200 or not isinstance(body, dict):
        return (f"HTTP {http}" if http else "no answer"), {}
    http, info = get_json(ctx, "GET", f"{url}/threads/{thread}")
    status = str(info.get("status")) if http == 200 and isinstance(info, dict) else "unknown"
    return status, body


def _stop(state: Mapping[str, Any], number: int) -> Stop | None:
    """Where the thread waits, None when it ended."""
    nxt = tuple(str(n) for n in state.get("next") or ())
    if not nxt:
        return None
    waiting = None
    for task in state.get("tasks") or ():
        if isinstance(task, dict) and task.get("interrupts"):
            waiting = str(task.get("name"))
            break
    metadata = state.get("metadata")
    step = metadata.get("step") if isinstance(metadata, dict) else None
    return Stop(number, step if isinstance(step, int) else None, nxt, waiting)


def _go_on(plan: Plan, state: Mapping[str, Any]) -> dict[str, Any]:
    """The payload that continues a thread from where it waits: the resume value for its
    pending ``interrupt()`` (one per interrupt when several wait), else no input."""
    ids = [
        str(i["id"])
        for task in state.get("tasks") or ()
        if isinstance(task, dict)
        for i in task.get("interrupts") or ()
        if isinstance(i, dict) and i.get("id")
    ]
    if not ids:
        return {"input": None}
    if len(ids) == 1:
        return {"command": {"resume": plan.resume}}
    return {"command": {"resume": dict.fromkeys(ids, plan.resume)}}


def _values(state: Mapping[str, Any]) -> dict[str, Any]:
    values = state.get("values")
    return dict(values) if isinstance(values, dict) else {}


def control(ctx: LiveContext, url: str, plan: Plan, version: str) -> Run:
    """A new thread of ``plan`` run to its end at ``url``, stopping after every step; its
    waiting points are the stops (at most :data:`MAX_STOPS`, the graph's own interrupts
    first)."""
    thread = ctx.new_thread()
    stops: list[Stop] = []
    payload: dict[str, Any] = {"input": dict(plan.input), "if_not_exists": "create"}
    for number in range(1, MAX_RUNS + 1):
        error = _run(ctx, url, thread, plan, payload, step=True)
        status, state = _state(ctx, url, thread)
        if error is not None:
            return Run(version, thread, stops, End(status, _values(state), error))
        stop = _stop(state, number)
        if stop is None:
            return Run(version, thread, _chosen(stops, plan.stops), End(status, _values(state)))
        stops.append(stop)
        payload = _go_on(plan, state)
    status, state = _state(ctx, url, thread)
    return Run(version, thread, _chosen(stops, plan.stops), End(status, _values(state), _endless()))


def _chosen(stops: list[Stop], most: int) -> list[Stop]:
    own = [s for s in stops if s.interrupt is not None]
    between = [s for s in stops if s.interrupt is None]
    keep = {s.number for s in (own + between)[:most]}
    return [s for s in stops if s.number in keep]


def _endless() -> str:
    return f"it had not ended after {MAX_RUNS} runs"


def leave(ctx: LiveContext, url: str, plan: Plan, stop: Stop, version: str) -> Left:
    """A new thread of ``plan`` driven at ``url`` step by step to ``stop``."""
    thread = ctx.new_thread()
    payload: dict[str, Any] = {"input": dict(plan.input), "if_not_exists": "create"}
    number = 0
    while True:
        number += 1
        error = _run(ctx, url, thread, plan, payload, step=True)
        status, state = _state(ctx, url, thread)
        reached = _stop(state, number)
        if error is not None or reached is None:
            said = error or f"the thread ended (thread {status}) first"
            return Left(thread, stop, version, f"on the way to {stop}: {said}")
        if number >= stop.number:
            break
        payload = _go_on(plan, state)
    if not reached.same_place(stop):
        return Left(thread, reached, version, f"it stopped {reached}, not {stop}")
    return Left(thread, reached, version)


def finish(ctx: LiveContext, url: str, plan: Plan, thread: str) -> End:
    """Continue ``thread`` at ``url`` from where it waits to its end."""
    status, state = _state(ctx, url, thread)
    first = _place(state)
    for _ in range(MAX_RUNS):
        if _stop(state, 0) is None:
            break
        before = _place(state)
        error = _run(ctx, url, thread, plan, _go_on(plan, state), step=False)
        status, state = _state(ctx, url, thread)
        if error is not None:
            return End(status, _values(state), error)
        if _place(state) == before:  # the run changed nothing: another would not either
            break
    else:
        return End(status, _values(state), _endless())
    now = _place(state)
    ran = now[0] != first[0] or bool(now[2] - first[2])  # a new checkpoint, or a new interrupt
    end = End(status, _values(state))
    end.idle_resume = end.read and not ran
    return end


def _place(state: Mapping[str, Any]) -> tuple[Any, tuple[str, ...], frozenset[str]]:
    """Where a thread is: its checkpoint, the nodes it runs next, its pending interrupts."""
    checkpoint = state.get("checkpoint_id") or (state.get("checkpoint") or {}).get("checkpoint_id")
    interrupts = frozenset(
        str(i.get("id"))
        for task in state.get("tasks") or ()
        if isinstance(task, dict)
        for i in task.get("interrupts") or ()
        if isinstance(i, dict)
    )
    return checkpoint, tuple(str(n) for n in state.get("next") or ()), interrupts


# -- the verdict -----------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """``value`` without what differs between two equal runs: a message's id and metadata
    (a message is a dict with ``type`` and ``content``)."""
    if isinstance(value, dict):
        if "type" in value and "content" in value:
            calls = [
                (c.get("name"), c.get("args"))
                for c in value.get("tool_calls") or ()
                if isinstance(c, dict)
            ]
            return {"type": value["type"], "content": plain(value["content"]), "calls": calls}
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def shown(values: Mapping[str, Any], limit: int = 160) -> str:
    """Short words for a state: ``{category: 'billing', messages: 2 items}``."""
    parts = []
    for key, value in values.items():
        text = f"{len(value)} item(s)" if isinstance(value, list) else repr(value)
        parts.append(f"{key}: {text if len(text) <= 60 else text[:57] + '...'}")
    out = "{" + ", ".join(parts) + "}"
    return out if len(out) <= limit else out[: limit - 4] + "...}"


def judge(end: End, alone: Sequence[Run]) -> list[str]:
    """What is wrong with ``end``, a thread that crossed versions, against the same thread
    run on each version alone (``alone``, whose ends are all ok).

    Only what every version agrees on is required: a key each ends with must be there, and a
    value (or, in lists of one length, an item) they all end with must be that value. What
    one version changed on purpose (a new field, another text) is not a difference.
    """
    if not end.ok:
        return [str(end)]
    got = plain(end.values)
    expected = [plain(run.end.values) for run in alone]
    problems = []
    for key in sorted(set.intersection(*(set(e) for e in expected))):
        if key not in got:
            problems.append(f"'{key}' is missing (each version alone ends with it)")
            continue
        differs = _difference(got[key], [e[key] for e in expected])
        if differs is not None:
            problems.append(f"'{key}' {differs}")
    return problems


def _difference(got: Any, values: list[Any]) -> str | None:
    """How ``got`` differs from what all ``values`` agree on, or None."""
    first = values[0]
    if all(v == first for v in values):
        if got == first:
            return None
        if isinstance(got, list) and isinstance(first, list):
            if len(got) != len(first):
                return f"has {len(got)} item(s) where each version alone ends with {len(first)}"
            i, item = next((i, item) for i, item in enumerate(got) if item != first[i])
            return f"item {i + 1} is {_short(item)} where each version alone has {_short(first[i])}"
        return f"is {_short(got)} where each version alone ends with {_short(first)}"
    if not (isinstance(got, list) and all(isinstance(v, list) for v in values)):
        return None
    if len({len(v) for v in values}) != 1:
        return None
    if len(got) != len(first):
        return f"has {len(got)} item(s) where each version alone ends with {len(first)}"
    for i, item in enumerate(got):
        if all(v[i] == first[i] for v in values) and item != first[i]:
            return f"item {i + 1} is {_short(item)} where each version alone has {_short(first[i])}"
    return None


def _short(value: Any) -> str:
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."
