"""Small git repositories with releases, built commit by commit."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}

#: A project with one graph whose ``review`` node waits for a human.
STATE = """\
import operator
from typing import Annotated, TypedDict


class State(TypedDict):
    question: str
    notes: Annotated[list[str], operator.add]
"""
GRAPH = """\
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

from agent.state import State


def review(state):
    return {"notes": [interrupt("ok?")]}


builder = StateGraph(State)
builder.add_node("review", review)
builder.add_edge(START, "review")
builder.add_edge("review", END)
graph = builder.compile()
"""
PROJECT = {
    "langgraph.json": '{"dependencies": ["."], "graphs": {"support": "./agent/graph.py:graph"}}\n',
    "agent/__init__.py": "",
    "agent/state.py": STATE,
    "agent/graph.py": GRAPH,
}


class Repo:
    """A git work tree at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        out = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**os.environ, **ENV},
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout

    def write(self, files: dict[str, str]) -> None:
        for rel, text in files.items():
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text), encoding="utf-8")

    def commit(self, files: dict[str, str] | None = None, *, tag: str | None = None) -> str:
        self.write(files or {})
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", "change")
        if tag:
            self.git("tag", tag)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")
