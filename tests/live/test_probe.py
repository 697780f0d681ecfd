"""The probe graph, run in-process: its input decides what it streams, and when."""

from __future__ import annotations

import ast
import asyncio
import os
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from agentcheck.live.probe import GRAPH_FILE, GRAPH_ID, GRAPH_SPEC, RELEASE_ENV, REPLICA_ENV
from agentcheck.live.probe.graph import builder, graph


def stream(probe_input: dict[str, Any], **kwargs: Any) -> list[tuple[str, Any]]:
    async def collect() -> list[tuple[str, Any]]:
        return [
            (mode, chunk)
            async for mode, chunk in graph.astream(
                probe_input,
                stream_mode=["custom", "values"],
                config={"recursion_limit": 200},
                **kwargs,
            )
        ]

    return asyncio.run(collect())


def test_is_served_by_path() -> None:
    assert GRAPH_ID == "agentcheck_probe"
    assert GRAPH_SPEC.endswith("/agentcheck/live/probe/graph.py:graph")
    assert GRAPH_FILE.is_file()


def test_imports_only_langgraph_and_the_standard_library() -> None:
    tree = ast.parse(GRAPH_FILE.read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert roots == {"asyncio", "os", "typing", "langgraph"}


def test_bursts_of_custom_events_one_superstep_each() -> None:
    events = stream({"emit": 2, "bursts": 2})
    custom = [c for mode, c in events if mode == "custom"]
    assert custom == [
        {"probe": "emit", "seq": 0, "burst": 0},
        {"probe": "emit", "seq": 1, "burst": 0},
        {"probe": "emit", "seq": 2, "burst": 1},
        {"probe": "emit", "seq": 3, "burst": 1},
        {"probe": "done", "seq": 4},
    ]
    steps = [c.get("step") for mode, c in events if mode == "values"]
    assert steps == [None, 1, 2, 3, 4, 5, 6, 7]  # the input, 4 events, silent, hold, done


def test_batch_writes_a_burst_in_one_superstep() -> None:
    events = stream({"emit": 3, "bursts": 2, "batch": True})
    modes = [mode for mode, _ in events]
    burst = ["custom", "custom", "custom", "values"]
    # the input, two bursts (one superstep each), silent, hold, done
    assert modes == ["values", *burst, *burst, "values", "values", "custom", "values"]


def test_announce_says_the_silent_step_started_and_where(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(REPLICA_ENV, "1")
    monkeypatch.setenv(RELEASE_ENV, "v1.0.0")
    custom = [c for mode, c in stream({"emit": 1, "announce": True}) if mode == "custom"]
    assert custom == [
        {"probe": "emit", "seq": 0, "burst": 0},
        {"probe": "silent", "seq": 1, "replica": "1", "release": "v1.0.0", "pid": os.getpid()},
        {"probe": "done", "seq": 1},
    ]
    monkeypatch.delenv(REPLICA_ENV)
    monkeypatch.delenv(RELEASE_ENV)
    custom = [c for mode, c in stream({"emit": 0, "announce": True}) if mode == "custom"]
    assert custom[0]["replica"] is None
    assert custom[0]["release"] is None


def test_no_event_at_all_still_ends_with_done() -> None:
    custom = [c for mode, c in stream({"emit": 0}) if mode == "custom"]
    assert custom == [{"probe": "done", "seq": 0}]


def test_interrupt_then_resume() -> None:
    compiled = builder.compile(checkpointer=InMemorySaver())
    config: dict[str, Any] = {"configurable": {"thread_id": "t"}}

    async def run() -> tuple[list[Any], dict[str, Any]]:
        first = [c async for c in compiled.astream({"emit": 1, "interrupt": True}, config)]
        final = await compiled.ainvoke(Command(resume="go"), config)
        return first, final

    first, final = asyncio.run(run())
    interrupted = first[-1]["__interrupt__"][0].value
    assert interrupted == {"probe": "interrupt", "seq": 1}
    assert final["resumed"] == "go"
    assert final["seq"] == 1
