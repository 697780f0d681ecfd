"""How AC851-AC853 read a thread's state, continue it, judge its end, and choose its input."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from agentcheck.live.checks import LiveContext
from agentcheck.live.checks._base import CheckSkipped
from agentcheck.live.checks._release import release
from agentcheck.live.checks._threads import End, Plan, Run, Stop, _go_on, _stop, judge, plain
from agentcheck.live.checks._versions import _input, from_schema, scenario
from agentcheck.live.settings import DEFAULT_INPUT, load_settings
from agentcheck.project import Project
from agentcheck.versions import NoBaseline, comparison
from tests.live.versions.recipe import build
from tests.live.versions.test_release import Running

HUMAN = {"type": "human", "content": "refund", "id": "1", "response_metadata": {}}
AI = {"type": "ai", "content": "billing: approved", "id": "2", "tool_calls": []}


def _alone(*values: dict[str, Any]) -> list[Run]:
    return [Run(f"v{i}", f"t{i}", [], End("idle", v)) for i, v in enumerate(values)]


def test_messages_compare_without_ids_and_metadata() -> None:
    other = {**HUMAN, "id": "other", "response_metadata": {"at": 3}}
    assert plain([HUMAN]) == plain([other])
    assert plain({"a": [AI]}) == {
        "a": [{"type": "ai", "content": "billing: approved", "calls": []}]
    }


def test_what_both_versions_agree_on_is_required() -> None:
    alone = _alone(
        {"messages": [HUMAN, AI], "category": "billing", "approved": True},
        {"messages": [HUMAN, AI], "category": "billing", "approved": True, "priority": "normal"},
    )
    assert (
        judge(
            End("idle", {"messages": [HUMAN, AI], "category": "billing", "approved": True}), alone
        )
        == []
    )
    # The renamed interrupt node: the thread ends without the steps after it.
    assert judge(End("idle", {"messages": [HUMAN], "category": "billing"}), alone) == [
        "'approved' is missing (each version alone ends with it)",
        "'messages' has 1 item(s) where each version alone ends with 2",
    ]
    assert judge(
        End("idle", {"messages": [HUMAN, AI], "category": "bug", "approved": True}), alone
    ) == ["'category' is 'bug' where each version alone ends with 'billing'"]
    # A reply both versions agree on, another after crossing (a renamed field read with .get).
    declined = {**AI, "content": "billing: declined"}
    assert judge(
        End("idle", {"messages": [HUMAN, declined], "category": "billing", "approved": True}),
        alone,
    ) == [
        "'messages' item 2 is {'type': 'ai', 'content': 'billing: declined', 'calls': []} where "
        "each version alone has {'type': 'ai', 'content': 'billing: approved', 'calls': []}"
    ]


def test_what_one_version_changed_on_purpose_is_not_a_difference() -> None:
    new_text = {**AI, "content": "billing (normal): approved"}
    alone = _alone(
        {"messages": [HUMAN, AI], "topic": "billing"},
        {"messages": [HUMAN, new_text], "category": "billing"},
    )
    mixed = End("idle", {"messages": [HUMAN, new_text], "category": "billing"})
    assert judge(mixed, alone) == []
    # ... but in lists of one length, the items both agree on still count.
    wrong_first = End("idle", {"messages": [{**HUMAN, "content": "x"}, AI]})
    assert judge(wrong_first, alone) == [
        "'messages' item 1 is {'type': 'human', 'content': 'x', 'calls': []} where each version "
        "alone has {'type': 'human', 'content': 'refund', 'calls': []}"
    ]


def test_an_error_or_a_thread_left_waiting_is_the_verdict() -> None:
    alone = _alone({"a": 1}, {"a": 1})
    failed = End("error", {}, "KeyError: 'category'")
    assert judge(failed, alone) == ["its run failed: KeyError: 'category' (thread error)"]
    stuck = End("interrupted", {"a": 1}, idle_resume=True)
    assert judge(stuck, alone) == [
        "the thread is left interrupted; resuming it ran no step (no node of that name here)"
    ]


def test_a_thread_the_other_version_cannot_read_is_said_so() -> None:
    alone = _alone({"a": 1}, {"a": 1})
    assert judge(End("HTTP 404"), alone) == [
        "the thread is not there (HTTP 404): this version does not see its state"
    ]
    assert str(End("no answer (timed out)")) == (
        "the thread cannot be read there (no answer (timed out))"
    )
    assert not End("HTTP 404").read
    assert End("interrupted").read


def test_without_a_database_nothing_can_cross(recipe: Path, tmp_path: Path) -> None:
    settings = load_settings(recipe, table={}, run_budget=300.0)
    for server, database, why in (
        ("langgraph-dev", None, "langgraph dev keeps them in its own process and directory"),
        ("langgraph-dev", "postgres", "langgraph dev keeps them in its own process"),
        ("command", None, "this deployment runs no database"),
    ):
        running = Running(tmp_path, server=server, database=database)
        with pytest.raises(CheckSkipped, match="needs a server whose threads live in a database"):
            scenario(LiveContext(running, settings), new_graphs="")  # type: ignore[arg-type]
        with pytest.raises(CheckSkipped, match=why):
            scenario(LiveContext(running, settings), new_graphs="")  # type: ignore[arg-type]


def _state(*, next_: list[str], interrupts: list[list[str]], step: int = 2) -> dict[str, Any]:
    tasks = [
        {"name": f"node{i}", "interrupts": [{"id": x, "value": "?"} for x in ids]}
        for i, ids in enumerate(interrupts)
    ]
    return {"next": next_, "tasks": tasks, "metadata": {"step": step}, "values": {}}


def test_where_a_thread_waits_and_how_it_goes_on() -> None:
    plan = Plan("desk", {}, "yes")
    assert _stop(_state(next_=[], interrupts=[]), 1) is None
    between = _stop(_state(next_=["notify"], interrupts=[[]]), 2)
    assert between == Stop(2, 2, ("notify",), None)
    assert str(between) == "between steps, at step 2 before 'notify'"
    assert _go_on(plan, _state(next_=["notify"], interrupts=[[]])) == {"input": None}
    waiting = _state(next_=["node0"], interrupts=[["i1"]], step=1)
    assert str(_stop(waiting, 1)) == "waiting at the interrupt() in 'node0' (step 1)"
    assert _go_on(plan, waiting) == {"command": {"resume": "yes"}}
    both = _state(next_=["node0", "node1"], interrupts=[["i1"], ["i2"]])
    assert _go_on(plan, both) == {"command": {"resume": {"i1": "yes", "i2": "yes"}}}


@pytest.fixture(scope="module")
def recipe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("threads") / "desk"
    build(root)
    return root


def test_an_input_from_the_state_schema(recipe: Path) -> None:
    found = comparison(Project(recipe))
    assert not isinstance(found, NoBaseline)
    desk, approvals = found.new.graphs["desk"], found.new.graphs["approvals"]
    # desk's DeskState is total=False: messages, and what its code reads with state["..."].
    made, _ = from_schema(desk.schemas["state"], frozenset(desk.key_reads))
    assert made == {**DEFAULT_INPUT, "category": "agentcheck", "approved": False}
    made, _ = from_schema(approvals.schemas["state"], frozenset(approvals.key_reads))
    assert made == {"request": "agentcheck", "plan": "agentcheck", "decision": "agentcheck"}


def test_a_field_agentcheck_cannot_fill_leaves_only_the_probe(tmp_path: Path) -> None:
    from tests.versions.conftest import Repo

    repo = Repo(tmp_path / "repo")
    files = {
        "langgraph.json": '{"graphs": {"g": "./g.py:graph"}}\n',
        "g.py": (
            "from dataclasses import dataclass\n"
            "from langgraph.graph import StateGraph, START, END\n\n\n"
            "class Customer:\n    pass\n\n\n"
            "@dataclass\nclass S:\n    customer: Customer\n\n\n"
            "def n(s: S) -> dict:\n    return {}\n\n\n"
            "b = StateGraph(S)\nb.add_node('n', n)\nb.add_edge(START, 'n')\nb.add_edge('n', END)\n"
            "graph = b.compile()\n"
        ),
    }
    repo.commit(files, tag="v1.0.0")
    repo.commit({"README.md": "next\n"})
    ctx = LiveContext(Running(tmp_path / "run"), load_settings(repo.path, table={}, run_budget=1.0))  # type: ignore[arg-type]
    scene = scenario(ctx, new_graphs="new")
    assert list(scene.plans) == ["agentcheck_probe"]
    assert scene.skipped["g"] == (
        "no input for 'g': its S field 'customer' (Customer) has no default agentcheck can make "
        "up; give one in [tool.agentcheck.live] inputs.g (only the probe graph runs meanwhile)"
    )


def test_the_input_table_wins_then_input_then_the_schema(recipe: Path, tmp_path: Path) -> None:
    base = load_settings(recipe, table={}, run_budget=300.0)
    ctx = LiveContext(Running(tmp_path), base)  # type: ignore[arg-type]
    rel = release(ctx)
    assert _input(ctx, rel, "approvals")[1] == "its Approval schema"
    given = dataclasses.replace(base, inputs={"approvals": {"request": "refund"}})
    ctx = LiveContext(Running(tmp_path), given)  # type: ignore[arg-type]
    assert _input(ctx, rel, "approvals") == (
        {"request": "refund"},
        "inputs.approvals in [tool.agentcheck.live]",
    )
    configured = dataclasses.replace(base, input={"request": "any"})
    ctx = LiveContext(Running(tmp_path), configured)  # type: ignore[arg-type]
    assert _input(ctx, rel, "desk") == ({"request": "any"}, "input in [tool.agentcheck.live]")
    scene = scenario(LiveContext(Running(tmp_path), base), new_graphs="")  # type: ignore[arg-type]
    assert list(scene.plans) == ["agentcheck_probe", "desk", "approvals"]
    assert scene.plans["desk"].resume == "yes"
    assert scene.plans["agentcheck_probe"].stops == 1
