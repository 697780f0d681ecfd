from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from agentcheck.project import Project

MakeProject = Callable[..., Project]

LANGGRAPH_JSON = '{"dependencies": ["."], "graphs": {"agent": "./agent/graph.py:graph"}}\n'
AEGRA_PYPROJECT = '[project]\nname = "a"\nversion = "1"\ndependencies = ["aegra-api>=0.6"]\n'


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """A project from ``{relative path: text}`` (text dedented); ``server="aegra"`` adds the
    files that make it an Aegra project, ``server="langgraph"`` a langgraph.json."""

    def make(files: dict[str, str | bytes], server: str | None = None) -> Project:
        all_files: dict[str, str | bytes] = {}
        if server is not None:
            all_files["langgraph.json"] = LANGGRAPH_JSON
            all_files["agent/graph.py"] = "graph = None\n"
        if server == "aegra":
            all_files["pyproject.toml"] = AEGRA_PYPROJECT
        all_files.update(files)
        for rel, content in all_files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content))
        return Project(tmp_path)

    return make
