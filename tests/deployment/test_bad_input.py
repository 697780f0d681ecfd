"""Hostile input: the model and the AC3xx rules report or stay silent, never raise."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcheck.deployment import deployment
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.project import Project

HOSTILE: dict[str, dict[str, str | bytes]] = {
    "invalid-utf8-yaml": {
        "k8s/deploy.yaml": b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n"
    },
    "binary-compose": {"docker-compose.yml": b"\x00\x01\x02services"},
    "alias-bomb": {
        "compose.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
    },
    "deep-yaml": {"k8s/deep.yaml": "apiVersion: v1\nkind: Pod\nspec: " + "[" * 5000 + "]" * 5000},
    "import-cycle": {
        "langgraph.json": '{"graphs": {"a": "./a.py:graph", "b": "b:graph"}}',
        "a.py": "from b import graph\n",
        "b.py": "from a import graph\ncheckpointer = checkpointer\n",
    },
    "self-reference": {
        "langgraph.json": '{"graphs": {"a": "./a.py:graph"}}',
        "a.py": "from langgraph.graph import StateGraph\n"
        "cp = cp\n"
        "def make(cp=cp):\n    return make(cp)\n"
        "graph = StateGraph(dict).compile(checkpointer=make(), store=lambda: None)\n",
    },
    "weird-targets": {
        "langgraph.json": '{"graphs": {"a": "::", "b": "", "c": "../../etc/passwd:x", '
        '"d": {"path": 3}, "e": ["x"], "f": "./a.py:"}, "checkpointer": {"path": 5}, '
        '"store": {"path": "./nope.py:x"}, "auth": "x", "http": []}',
        "a.py": "graph = 1\n",
    },
    "non-object-langgraph-json": {"langgraph.json": "[1, 2, 3]"},
    "python-with-nul": {
        "main.py": b"from fastapi import FastAPI\x00\napp = FastAPI()\n",
        "Procfile": "web uvicorn main:app\nweb: uvicorn\nweb: 'unclosed\n",
    },
    "dockerfile-only-directives": {"Dockerfile": "# syntax=docker/dockerfile:1\n# escape=`\n"},
    "env-file-garbage": {
        "docker-compose.yml": "services:\n  a:\n    image: langchain/langgraph-api:3\n"
        "    env_file: prod.env\n",
        "prod.env": "=\n\x00\nexport\nA='unterminated\n\"\n",
    },
}


@pytest.mark.parametrize("case", sorted(HOSTILE), ids=str)
def test_hostile_input_never_raises(tmp_path: Path, case: str) -> None:
    for rel, content in HOSTILE[case].items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    project = Project(tmp_path)
    dep = deployment(project)
    assert isinstance(dep.servers, list)
    result = lint(project, enabled_rules(project, select=["AC3", "AC100"]))
    crashed = [f for f in result.findings if f.code == "AC901"]
    assert crashed == []


def test_unparsable_input_is_reported_not_hidden(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deploy.yaml").write_text("kind: Deployment\napiVersion: v1\nspec: [\n")
    project = Project(tmp_path)
    deployment(project)
    result = lint(project, enabled_rules(project, select=["AC100"]))
    assert [(f.code, f.path) for f in result.findings] == [("AC100", "k8s/deploy.yaml")]
