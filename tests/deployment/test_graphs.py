"""Served graphs and their checkpointers, followed through assignments, factories and imports."""

from __future__ import annotations

import pytest

from agentcheck.deployment.model import Where
from tests.conftest import MakeDeployment

BUILDER = """
from langgraph.graph import StateGraph
builder = StateGraph(dict)
"""


def lg(graphs: str, extra: str = "") -> str:
    return '{"dependencies": ["."], "graphs": {' + graphs + "}" + extra + "}"


def test_checkpointer_imported_from_another_module(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "langgraph.json": lg('"agent": "./agent/graph.py:graph"'),
            "agent/__init__.py": "",
            "agent/store.py": """
                from langgraph.checkpoint.memory import MemorySaver as Memory
                saver = Memory()
                the_saver = saver
            """,
            "agent/graph.py": BUILDER
            + "from .store import the_saver\n"
            + "app = builder.compile(checkpointer=the_saver)\ngraph = app\n",
        }
    )
    (graph,) = dep.graphs
    assert graph.graph_id == "agent"
    assert (graph.target, graph.attr) == ("agent/graph.py", "graph")
    assert graph.compile is not None
    assert graph.compile.where == Where("agent/graph.py", 4, 7)
    cp = graph.checkpointer
    assert cp.kind == "memory"
    assert cp.where == Where("agent/graph.py", 4, 36)
    assert cp.origin == Where("agent/store.py", 2, 9)
    assert graph.server is not None
    assert graph.server.kind == "agent-server"
    assert graph.server.implied
    assert set(graph.files) == {"agent/graph.py", "agent/store.py"}


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (
            "cp = SqliteSaver.from_conn_string('x.db')\ngraph = builder.compile(checkpointer=cp)",
            "sqlite",
        ),
        (
            "def make():\n    return AsyncPostgresSaver.from_conn_string(URI)\n"
            "graph = builder.compile(checkpointer=make())",
            "postgres",
        ),
        (
            "async def make_graph():\n"
            "    async with AsyncRedisSaver.from_conn_string(URI) as saver:\n"
            "        yield builder.compile(checkpointer=saver)\n"
            "graph = make_graph",
            "redis",
        ),
        (
            "class Mine(BaseCheckpointSaver):\n    pass\ngraph = builder.compile(checkpointer=Mine())",
            "custom",
        ),
        (
            "class Mine(PostgresSaver):\n    pass\ngraph = builder.compile(checkpointer=Mine(c))",
            "postgres",
        ),
        ("graph = builder.compile(checkpointer=None)", "none"),
        ("graph = builder.compile()", "none"),
        ("graph = builder.compile(checkpointer=False)", "none"),
        ("graph = builder.compile(checkpointer=somewhere.saver)", "unknown"),
        ("graph = create_react_agent(model, tools=[], checkpointer=InMemorySaver())", "memory"),
        (
            "@entrypoint(checkpointer=MongoDBSaver(client))\ndef graph(inputs):\n    return inputs",
            "mongodb",
        ),
        ("graph = builder.compile(checkpointer=MemorySaver()).with_config(tags=['x'])", "memory"),
    ],
    ids=[
        "assigned",
        "factory",
        "async-with-factory",
        "custom-class",
        "saver-subclass",
        "explicit-none",
        "absent",
        "false",
        "unresolvable",
        "react-agent",
        "entrypoint",
        "with-config",
    ],
)
def test_checkpointer_kinds(make_deployment: MakeDeployment, code: str, kind: str) -> None:
    header = (
        "from langgraph.checkpoint.memory import InMemorySaver, MemorySaver\n"
        "from langgraph.checkpoint.sqlite import SqliteSaver\n"
        "from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver\n"
        "from langgraph.checkpoint.postgres import PostgresSaver\n"
        "from langgraph.checkpoint.redis.aio import AsyncRedisSaver\n"
        "from langgraph.checkpoint.mongodb import MongoDBSaver\n"
        "from langgraph.checkpoint.base import BaseCheckpointSaver\n"
        "from langgraph.func import entrypoint\n"
        "from langgraph.prebuilt import create_react_agent\n"
        "import somewhere\n"
    )
    dep = make_deployment(
        {
            "langgraph.json": lg('"agent": "./graph.py:graph"'),
            "graph.py": header + BUILDER + code + "\n",
        }
    )
    (graph,) = dep.graphs
    assert graph.compile is not None
    assert graph.checkpointer.kind == kind


def test_module_style_target_and_store(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "langgraph.json": lg(
                '"agent": {"path": "pkg.graphs:graph", "description": "x"}',
                ', "checkpointer": {"path": "./pkg/persist.py:make"}',
            ),
            "pkg/__init__.py": "",
            "pkg/graphs.py": BUILDER
            + "import pkg.persist as persist\n"
            + "graph = builder.compile(store=persist.STORE)\n",
            "pkg/persist.py": """
                from contextlib import asynccontextmanager
                from langgraph.store.postgres import AsyncPostgresStore
                from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

                STORE = AsyncPostgresStore.from_conn_string("postgresql://db")

                @asynccontextmanager
                async def make():
                    async with AsyncSqliteSaver.from_conn_string("x.db") as saver:
                        yield saver
            """,
        }
    )
    (graph,) = dep.graphs
    assert graph.target == "pkg/graphs.py"
    assert graph.store.kind == "postgres"
    assert graph.checkpointer.kind == "none"
    ((where, info),) = dep.config_savers
    assert where.path == "langgraph.json"
    assert info.kind == "sqlite"
    assert info.origin == Where("pkg/persist.py", 9, 16)
    uses = {(u.cls, u.method, u.in_with) for u in dep.savers}
    assert uses == {
        ("AsyncPostgresStore", "from_conn_string", False),
        ("AsyncSqliteSaver", "from_conn_string", True),
    }


def test_interrupts_and_static_interrupts(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "langgraph.json": lg('"hitl": "./hitl.py:graph", "plain": "./plain.py:graph"'),
            "nodes.py": """
                from langgraph.types import interrupt as ask

                def review(state):
                    return {"ok": ask("approve?")}
            """,
            "hitl.py": BUILDER + "from nodes import review\ngraph = builder.compile()\n",
            "plain.py": BUILDER
            + "import re\nPATTERN = re.compile('x')\n"
            + "def interrupt(x):\n    return x\ninterrupt(1)\n"
            + "graph = builder.compile(interrupt_before=[])\n",
        }
    )
    hitl, plain = dep.graphs
    assert hitl.uses_interrupt
    assert hitl.interrupts == (Where("nodes.py", 4, 19),)
    assert not plain.uses_interrupt  # a local function named interrupt is not langgraph's
    assert [s.where.line for s in dep.compiles if s.where.path == "plain.py"] == [8]


def test_custom_app_graphs_are_found_from_the_start_command(
    make_deployment: MakeDeployment,
) -> None:
    dep = make_deployment(
        {
            "Dockerfile": 'FROM python:3.11-slim\nCMD ["uvicorn", "service.api:app", "--port", "80"]\n',
            "service/__init__.py": "",
            "service/api.py": """
                from fastapi import FastAPI
                from service.agent import graph
                app = FastAPI()
            """,
            "service/agent.py": BUILDER
            + "from langgraph.checkpoint.memory import MemorySaver\n"
            + "graph = builder.compile(checkpointer=MemorySaver())\n",
            "scripts/other.py": BUILDER + "other = builder.compile()\n",
        }
    )
    (server,) = dep.servers
    assert (server.kind, server.app_file) == ("custom", "service/api.py")
    (graph,) = dep.graphs
    assert graph.graph_id is None
    assert graph.server is server
    assert graph.checkpointer.kind == "memory"
    assert dep.served_files == {"service/__init__.py", "service/api.py", "service/agent.py"}


def test_bad_python_is_silent(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "langgraph.json": lg('"a": "./a.py:graph", "b": "./missing.py:graph", "c": 7'),
            "a.py": "def broken(:\n",
            "loop.py": "from loop import x\nx = y\ny = x\ngraph = x\n",
        }
    )
    assert [g.graph_id for g in dep.graphs] == ["a", "b", "c"]
    assert all(g.compile is None for g in dep.graphs)
