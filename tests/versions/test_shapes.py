"""Reading what a waiting thread depends on: schemas, nodes, edges, waiting points."""

from __future__ import annotations

import ast

import pytest

from agentcheck.deployment import deployment
from agentcheck.versions import GraphShape
from agentcheck.versions._schemas import type_members
from agentcheck.versions._shapes import shapes_by_id
from tests.conftest import MakeProject

CONFIG = '{"dependencies": ["."], "graphs": {"g": "./graph.py:graph"}}'


def shape(make_project: MakeProject, graph: str, **files: str) -> GraphShape:
    project = make_project({"langgraph.json": CONFIG, "graph.py": graph, **files})
    return shapes_by_id(project, deployment(project).graphs)["g"]


@pytest.mark.parametrize(
    ("annotation", "members"),
    [
        ("Optional[str]", {"str", "None"}),
        ("str | None", {"str", "None"}),
        ("typing.Union[int, 'Foo']", {"int", "Foo"}),
        ("List[Dict[str, int]]", {"list[dict[str, int]]"}),
        ("NotRequired[Annotated[list[str], add]]", {"list[str]"}),
        ("None", {"None"}),
    ],
)
def test_annotations_are_compared_by_their_normalized_union_members(
    annotation: str, members: set[str]
) -> None:
    assert type_members(ast.parse(annotation, mode="eval").body) == members


def test_a_factory_builder_with_constants_sequences_and_conditional_edges(
    make_project: MakeProject,
) -> None:
    graph = shape(
        make_project,
        """
        from typing import Literal
        from langgraph.graph import END, START, MessagesState, StateGraph
        from langgraph.types import interrupt
        from nodes import ask

        REVIEW = "review"

        class State(MessagesState):
            draft: str

        def write(state): ...
        def route(state) -> Literal["review", "__end__"]: ...
        def review(state):
            return {"draft": ask(state)}

        def make_graph():
            builder = StateGraph(State, config_schema=dict)
            builder.add_sequence([write, ("polish", write)])
            builder.add_node(REVIEW, review)
            builder.add_edge(START, "write")
            builder.add_conditional_edges("polish", route, {"yes": REVIEW, "no": END})
            builder.add_edge(REVIEW, END)
            return builder.compile(interrupt_after=["write"])

        graph = make_graph
        """,
        **{
            "nodes.py": "from langgraph.types import interrupt\n\ndef ask(state):\n    return interrupt('ok?')\n"
        },
    )
    assert graph.nodes is not None
    assert set(graph.nodes) == {"write", "polish", "review"}
    assert graph.nodes["review"].waits == "interrupt() at nodes.py:4"
    assert graph.nodes["write"].waits is None
    assert graph.edges == {
        "__start__": {"write"},
        "write": {"polish"},
        "polish": {"review", "__end__"},
        "review": {"__end__"},
    }
    assert graph.interrupt_after == {"write"}
    assert set(graph.schemas["state"].fields) == {"messages", "draft"}
    assert graph.schemas["state"].fields["messages"].reducer == "add_messages"
    assert list(graph.waiting_points()) == [
        ("write", "polish", "interrupt_after 'write'"),
        ("review", "review", "interrupt() at nodes.py:4"),
    ]


def test_a_fluent_builder_and_nodes_named_by_their_function(make_project: MakeProject) -> None:
    graph = shape(
        make_project,
        """
        from typing import TypedDict
        from langgraph.graph import START, StateGraph

        class S(TypedDict):
            x: int

        def first(state): ...
        def second(state): ...

        graph = StateGraph(S).add_node(first).add_node(second).add_edge(START, "first").add_edge("first", "second").compile(interrupt_before="*")
        """,
    )
    assert graph.nodes is not None
    assert set(graph.nodes) == {"first", "second"}
    assert [p for _, p, _ in graph.waiting_points()] == ["first", "second"]


@pytest.mark.parametrize(
    "builder",
    [
        # nodes added by a helper the builder is passed to
        "builder = StateGraph(S)\nadd_nodes(builder)\ngraph = builder.compile()",
        # a node name computed at run time
        "builder = StateGraph(S)\nfor name in NAMES:\n    builder.add_node(name, step)\ngraph = builder.compile()",
    ],
)
def test_a_builder_that_cannot_be_read_whole_has_unknown_nodes(
    make_project: MakeProject, builder: str
) -> None:
    head = (
        "from typing import TypedDict\nfrom langgraph.graph import StateGraph\n\n"
        "class S(TypedDict):\n    x: int\n\nNAMES = ['a']\n\ndef step(state): ...\n"
        "def add_nodes(b):\n    b.add_node('a', step)\n\n"
    )
    graph = shape(make_project, head + builder + "\n")
    assert graph.nodes is None
    assert list(graph.waiting_points()) == []


def test_pydantic_and_dataclass_schemas_know_their_defaults(make_project: MakeProject) -> None:
    graph = shape(
        make_project,
        """
        from dataclasses import dataclass, field
        from pydantic import BaseModel, Field
        from langgraph.graph import StateGraph

        class State(BaseModel):
            a: int
            b: int = 0
            c: list[int] = Field(default_factory=list)
            d: str = Field(...)
            _private: int = 0

        @dataclass
        class Ctx:
            user: str
            tries: int = 3
            tags: list[str] = field(default_factory=list)

        graph = StateGraph(State, context_schema=Ctx).compile()
        """,
    )
    state, ctx = graph.schemas["state"], graph.schemas["context"]
    assert (state.kind, ctx.kind) == ("pydantic", "dataclass")
    assert {n: f.has_default for n, f in state.fields.items()} == {
        "a": False, "b": True, "c": True, "d": False,
    }  # fmt: skip
    assert {n: f.has_default for n, f in ctx.fields.items()} == {
        "user": False, "tries": True, "tags": True,
    }  # fmt: skip


def test_a_schema_with_an_unknown_base_is_incomplete(make_project: MakeProject) -> None:
    graph = shape(
        make_project,
        """
        from typing import TypedDict
        from somelib import BaseState
        from langgraph.graph import StateGraph

        class State(BaseState):
            x: int

        graph = StateGraph(State).compile()
        """,
    )
    assert graph.schemas["state"].complete is False
    assert set(graph.schemas["state"].fields) == {"x"}
