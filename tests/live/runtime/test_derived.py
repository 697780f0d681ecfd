"""The derived config and replica directories: absolute paths, extra graphs, user files intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentcheck.errors import LiveError
from agentcheck.live.derived import derive_config, env_file_values, prepare_workdir
from tests.live.runtime.conftest import snapshot


def write_config(root: Path, data: dict[str, object]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "langgraph.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_every_relative_path_becomes_absolute(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    config = write_config(
        root,
        {
            "dependencies": [".", "./libs/shared", "langchain-openai", "/opt/abs"],
            "graphs": {
                "file": "./src/agent/graph.py:graph",
                "plain": "src/other.py:make_graph",
                "module": "agent.graph:graph",
                "dict": {"path": "./src/d.py:g", "description": "kept"},
            },
            "env": ".env",
            "auth": {"path": "./auth.py:auth"},
            "http": {"app": "./webapp.py:app", "cors": {"allow_origins": ["*"]}},
            "checkpointer": {"path": "./cp.py:make"},
            "store": {"index": {"embed": "./embed.py:embed", "dims": 3}},
        },
    )
    derived = derive_config(config, {})
    r = str(root.resolve())
    assert derived["dependencies"] == [r, f"{r}/libs/shared", "langchain-openai", "/opt/abs"]
    assert derived["graphs"] == {
        "file": f"{r}/src/agent/graph.py:graph",
        "plain": f"{r}/src/other.py:make_graph",
        "module": "agent.graph:graph",
        "dict": {"path": f"{r}/src/d.py:g", "description": "kept"},
    }
    assert "env" not in derived  # its values go to the environment, under agentcheck's own
    assert derived["auth"] == {"path": f"{r}/auth.py:auth"}
    assert derived["http"] == {"app": f"{r}/webapp.py:app", "cors": {"allow_origins": ["*"]}}
    assert derived["checkpointer"] == {"path": f"{r}/cp.py:make"}
    assert derived["store"]["index"] == {"embed": f"{r}/embed.py:embed", "dims": 3}


def test_paths_are_taken_from_the_config_directory(tmp_path: Path) -> None:
    config = write_config(tmp_path / "deploy", {"graphs": {"g": "../src/g.py:graph"}})
    derived = derive_config(config, {})
    assert derived["graphs"]["g"] == f"{tmp_path.resolve()}/src/g.py:graph"


def test_env_mapping_and_hosted_embeddings_are_left_alone(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        {
            "graphs": {"g": "./g.py:graph"},
            "env": {"A": "./not-a-path-to-rewrite"},
            "store": {"index": {"embed": "openai:text-embedding-3-small", "dims": 1536}},
        },
    )
    derived = derive_config(config, {})
    assert env_file_values(config) == {"A": "./not-a-path-to-rewrite"}
    assert derived["store"]["index"]["embed"] == "openai:text-embedding-3-small"


def test_env_file_values_are_read_as_the_server_reads_them(tmp_path: Path) -> None:
    config = write_config(tmp_path / "deploy", {"graphs": {}, "env": "../.env"})
    (tmp_path / ".env").write_text(
        'OPENAI_BASE_URL=https://api.openai.com/v1\nQUOTED="a b"\nEMPTY\n', encoding="utf-8"
    )
    assert env_file_values(config) == {
        "OPENAI_BASE_URL": "https://api.openai.com/v1",
        "QUOTED": "a b",
    }
    assert env_file_values(write_config(tmp_path / "none", {"env": "missing.env"})) == {}


def test_extra_graphs_are_added(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"graphs": {"agent": "./g.py:graph"}})
    derived = derive_config(config, {"agentcheck_probe": "/x/probe.py:graph"})
    assert derived["graphs"]["agentcheck_probe"] == "/x/probe.py:graph"
    assert set(derived["graphs"]) == {"agent", "agentcheck_probe"}


def test_extra_graphs_name_files_made_available(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"graphs": {"agent": "./g.py:graph"}})
    files = tmp_path / "run" / "files"
    derived = derive_config(config, {"probe": "probe/graph.py:graph"}, files=files)
    assert derived["graphs"]["probe"] == f"{files}/probe/graph.py:graph"


def test_extra_graph_id_clash_is_an_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"graphs": {"agentcheck_probe": "./g.py:graph"}})
    with pytest.raises(LiveError, match="'agentcheck_probe' is already used"):
        derive_config(config, {"agentcheck_probe": "/x/probe.py:graph"})


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json", "cannot read"), ("[1, 2]", "expected a JSON object"),
     ('{"graphs": ["a"]}', "'graphs' must be an object")],
)  # fmt: skip
def test_unreadable_config_is_a_live_error(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "langgraph.json"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(LiveError, match=message):
        derive_config(config, {})


def test_workdir_mirrors_the_project_but_owns_config_and_state(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    config = write_config(root, {"graphs": {"g": "./g.py:graph"}})
    (root / "g.py").write_text("graph = None\n", encoding="utf-8")
    (root / "prompts").mkdir()
    (root / "prompts" / "p.txt").write_text("hi", encoding="utf-8")
    (root / ".langgraph_api").mkdir()
    (root / ".langgraph_api" / "store.pckl").write_bytes(b"old state")
    before = snapshot(root)

    workdir = tmp_path / "replica-0"
    derived = derive_config(config, {"probe": "/p.py:graph"})
    path = prepare_workdir(workdir, root, config.name, derived)

    assert path == workdir / "langgraph.json"
    assert not path.is_symlink()
    assert json.loads(path.read_text(encoding="utf-8")) == derived
    assert (workdir / "prompts" / "p.txt").read_text(encoding="utf-8") == "hi"
    assert (workdir / "g.py").resolve() == (root / "g.py").resolve()
    assert not (workdir / ".langgraph_api").exists()
    assert snapshot(root) == before
