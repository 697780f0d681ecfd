from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from agentcheck.deployment import Deployment, deployment
from agentcheck.project import Project

pytest_plugins = ["pytester"]

# No lint cache anywhere in the suite (nor in the CLI subprocesses it starts): it must never
# write into tests/fixtures/ or examples/, and nothing may depend on a leftover cache. The
# cache's own tests (tests/core/test_lint_cache.py) turn it back on in their temporary trees.
os.environ["AGENTCHECK_NO_CACHE"] = "1"

MakeProject = Callable[[dict[str, str]], Project]
MakeDeployment = Callable[[dict[str, str]], Deployment]

#: The smallest valid graph module: one node between START and END, compiled as ``graph``.
GRAPH = """\
from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    question: str


def answer(state: State) -> State:
    return state


builder = StateGraph(State)
builder.add_node("answer", answer)
builder.add_edge(START, "answer")
builder.add_edge("answer", END)
graph = builder.compile()
"""


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """A project (not a git repository) from ``{relative path: text}``; text is dedented.

    The config and network tests override it with their own flavour.
    """

    def make(files: dict[str, str]) -> Project:
        for rel, text in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return Project(tmp_path)

    return make


@pytest.fixture
def make_deployment(make_project: MakeProject) -> MakeDeployment:
    def make(files: dict[str, str]) -> Deployment:
        return deployment(make_project(files))

    return make
