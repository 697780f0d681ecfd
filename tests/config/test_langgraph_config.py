from __future__ import annotations

from agentcheck.langgraph_config import (
    all_targets,
    inside_root,
    served_closure,
    served_files,
    target_file,
    targets,
)
from tests.config.conftest import MakeProject

CONFIG = """\
{
  "dependencies": ["."],
  "graphs": {
    "agent": "./agent/graph.py:graph",
    "planner": {"path": "agent.planner:make_graph", "description": "Plans"},
    "js": "./web/graph.ts:graph",
    "broken": "./agent/graph.py"
  },
  "auth": {"path": "./agent/auth.py:auth"},
  "http": {"app": "agent.webapp:app"},
  "checkpointer": {"path": "./agent/savers.py:make_saver"},
  "store": {"path": "agent.savers.make_store", "index": {"embed": "./agent/emb.py:embed"}}
}
"""


def test_targets_with_kinds_positions_and_file_or_module(make_project: MakeProject) -> None:
    project = make_project({"langgraph.json": CONFIG})
    (cfg,) = project.langgraph_configs
    found = {(t.kind, t.name): t for t in targets(cfg)}
    agent = found["graph", "agent"]
    assert (agent.file, agent.module, agent.attr) == ("./agent/graph.py", None, "graph")
    assert (agent.line, agent.column, agent.json_path) == (4, 14, ("graphs", "agent"))
    planner = found["graph", "planner"]
    assert (planner.module, planner.attr) == ("agent.planner", "make_graph")
    assert planner.json_path == ("graphs", "planner", "path")
    assert planner.line == 5
    assert found["graph", "js"].is_js
    assert found["graph", "broken"].attr is None
    assert found["auth", "auth"].label == "auth.path"
    assert found["http.app", "http.app"].module == "agent.webapp"
    assert found["checkpointer", "checkpointer"].file == "./agent/savers.py"
    store = found["store", "store"]
    assert (store.module, store.attr) == ("agent.savers", "make_store")
    assert found["store.index.embed", "store.index.embed"].file == "./agent/emb.py"


def test_a_graph_spec_without_a_slash_is_a_module_for_langgraph_but_a_file_for_aegra(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "a/langgraph.json": '{"graphs": {"g": "graph.py:graph"}}',
            "b/aegra.json": '{"graphs": {"g": "graph.py:graph"}}',
        }
    )
    langgraph, aegra = (targets(c)[0] for c in project.langgraph_configs)
    assert (langgraph.file, langgraph.module) == (None, "graph.py")
    assert (aegra.file, aegra.module) == ("graph.py", None)


def test_target_file_and_served_files(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": CONFIG,
            "agent/__init__.py": "",
            "agent/graph.py": "from agent.tools import search\ngraph = 1\n",
            "agent/tools.py": "import httpx\n",
            "agent/planner.py": "def make_graph(): ...\n",
            "agent/auth.py": "auth = 1\n",
            "agent/webapp.py": "app = 1\n",
        }
    )
    by_name = {t.name: t for t in all_targets(project)}
    assert target_file(project, by_name["agent"]) == "agent/graph.py"
    assert target_file(project, by_name["planner"]) == "agent/planner.py"
    assert target_file(project, by_name["checkpointer"]) is None  # missing file
    assert served_files(project) == [
        "agent/graph.py",
        "agent/planner.py",
        "agent/auth.py",
        "agent/webapp.py",
    ]
    closure = served_closure(project)
    assert "agent/tools.py" in closure
    assert "agent/__init__.py" in closure


def test_configs_in_subdirectories_resolve_relative_to_themselves(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "services/agent/langgraph.json": '{"graphs": {"g": "./graph.py:graph"}}',
            "services/agent/graph.py": "graph = 1\n",
        }
    )
    assert served_files(project) == ["services/agent/graph.py"]


def test_inside_root() -> None:
    assert inside_root(".") == ""
    assert inside_root("a/../b") == "b"
    assert inside_root("../x") is None
    assert inside_root("..") is None
