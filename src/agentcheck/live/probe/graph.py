"""The probe graph: a real LangGraph ``StateGraph`` whose timing the run input dictates.

Input (every key optional)::

    {"emit": 3,          # events per burst
     "bursts": 1,        # how many bursts of ``emit`` events
     "spacing": 0.0,     # seconds between two events of one burst
     "gap": 0.0,         # seconds between two bursts
     "batch": False,     # write each burst within one superstep, as a model's tokens come
     "silent": 6.0,      # seconds the "silent" node then says nothing at all
     "announce": False,  # the "silent" node first says it started, and where (see below)
     "interrupt": False} # stop at an interrupt() after the silence; resume with Command(resume=x)

The ``emit`` node loops, one superstep per event: it writes a ``custom`` stream event
``{"probe": "emit", "seq": n, "burst": b}`` (``seq`` counts from 0 across bursts) and bumps the
state, so ``values`` and ``updates`` stream once per event too. With ``batch`` it takes one
superstep per burst instead and writes the burst's events back to back, the way a model's
tokens arrive: a server that numbers events by the millisecond then gives several one id.
With ``announce`` the ``silent`` node first writes ``{"probe": "silent", "seq": n, "replica":
r, "release": v, "pid": p}``: the run is then mid-step (the checkpoints of the steps before are
committed) for ``silent`` seconds, which is where the restart checks kill it; ``replica`` is the
executing server's ``AGENTCHECK_REPLICA`` (None where agentcheck did not start it), ``release``
its ``AGENTCHECK_RELEASE`` (the version agentcheck started beside the working tree, else
None). A run resumed after a crash runs the step again and announces again.
After the silence (and the interrupt, if asked) the ``done`` node writes
``{"probe": "done", "seq": n}`` and the run ends.

Every node bumps ``step``, so each ``values`` event of a run carries a different ``step``
(1, 2, ...; the input's has none); ``seq`` is how many events were emitted, ``resumed`` the
resume value after an interrupt. A run of ``emit * bursts`` events takes ``emit * bursts + 3``
supersteps (``bursts + 3`` with ``batch``): give ``recursion_limit`` in the run's config above
that.

This module is loaded by the agent server from its file path. It imports only the standard
library and langgraph, so it loads in any environment that can serve a LangGraph graph. It
does not use ``from __future__ import annotations``: some servers load graph files without
registering the module, and string annotations on the state schema would not resolve there.
"""

import asyncio
import os
from typing import Any, Literal, TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt


class ProbeState(TypedDict, total=False):
    emit: int
    bursts: int
    spacing: float
    gap: float
    batch: bool
    silent: float
    interrupt: bool
    announce: bool
    seq: int
    step: int
    resumed: Any


def _total(state: ProbeState) -> int:
    return max(0, int(state.get("emit", 1))) * max(1, int(state.get("bursts", 1)))


async def emit(state: ProbeState) -> ProbeState:
    seq = state.get("seq", 0)
    per_burst = max(1, int(state.get("emit", 1)))
    spacing = max(0.0, float(state.get("spacing", 0.0)))
    if seq and seq % per_burst == 0:
        await asyncio.sleep(max(0.0, float(state.get("gap", 0.0))))
    elif seq:
        await asyncio.sleep(spacing)
    write = get_stream_writer()
    count = per_burst if state.get("batch") else 1
    for index in range(min(count, _total(state) - seq)):
        if index and spacing:
            await asyncio.sleep(spacing)
        write({"probe": "emit", "seq": seq, "burst": seq // per_burst})
        seq += 1
    return {"seq": seq, "step": state.get("step", 0) + 1}


def after_emit(state: ProbeState) -> Literal["emit", "silent"]:
    return "emit" if state.get("seq", 0) < _total(state) else "silent"


async def silent(state: ProbeState) -> ProbeState:
    if state.get("announce"):
        get_stream_writer()(
            {
                "probe": "silent",
                "seq": state.get("seq", 0),
                "replica": os.environ.get("AGENTCHECK_REPLICA"),
                "release": os.environ.get("AGENTCHECK_RELEASE"),
                "pid": os.getpid(),
            }
        )
    await asyncio.sleep(max(0.0, float(state.get("silent", 0.0))))
    return {"step": state.get("step", 0) + 1}


def hold(state: ProbeState) -> ProbeState:
    update: ProbeState = {"step": state.get("step", 0) + 1}
    if state.get("interrupt"):
        update["resumed"] = interrupt({"probe": "interrupt", "seq": state.get("seq", 0)})
    return update


def done(state: ProbeState) -> ProbeState:
    get_stream_writer()({"probe": "done", "seq": state.get("seq", 0)})
    return {"step": state.get("step", 0) + 1}


builder = StateGraph(ProbeState)
builder.add_node("emit", emit)
builder.add_node("silent", silent)
builder.add_node("hold", hold)
builder.add_node("done", done)
builder.add_edge(START, "emit")
builder.add_conditional_edges("emit", after_emit)
builder.add_edge("silent", "hold")
builder.add_edge("hold", "done")
builder.add_edge("done", END)
graph = builder.compile(name="agentcheck_probe")
