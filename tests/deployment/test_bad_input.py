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


#: One hostile value in each of these places used to crash every rule that reads the model.
_BAD_VALUES = [
    "!!int abc",
    "!!bool x",
    "!!float y",
    "!!timestamp 2024-13-01",
    "!!binary abc",
    "9" * 5000,
    "9" * 400,
    "1.0e+400",
    "1e400",
    "'" + "9" * 5000 + "'",
    "'1e99999s'",
]
_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: agent}
spec:
  replicas: 3
  template:
    spec:
      terminationGracePeriodSeconds: VALUE
      containers:
      - name: agent
        image: langchain/langgraph-api:0.2
        env: [{name: N_JOBS_PER_WORKER, value: VALUE}]
        ports: [{containerPort: VALUE}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: agent
  annotations: {nginx.ingress.kubernetes.io/proxy-read-timeout: VALUE}
spec: {rules: [{http: {paths: [{path: /, backend: {service: {name: agent}}}]}}]}
"""


@pytest.mark.parametrize("value", _BAD_VALUES, ids=lambda v: v[:20])
def test_one_bad_value_loses_nothing_else(tmp_path: Path, value: str) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deploy.yaml").write_text(_MANIFEST.replace("VALUE", value))
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  agent:\n    image: langchain/langgraph-api:0.2\n"
        f"    stop_grace_period: {value}\n    deploy: {{replicas: {value}}}\n"
    )
    project = Project(tmp_path)
    dep = deployment(project)
    k8s = next(w for w in dep.workloads if w.platform == "kubernetes")
    assert k8s.replicas == 3  # the rest of the manifest was read
    assert k8s.grace_period is None
    result = lint(project, enabled_rules(project))
    assert [f for f in result.findings if f.code == "AC901"] == []
    tagged = value.startswith(("!!", "9" * 30, "1.0e"))
    value_problems = [
        (f.path, f.line)
        for f in result.findings
        if f.code == "AC100" and "read as text" in f.message
    ]
    if tagged:
        assert ("k8s/deploy.yaml", 8) in value_problems
        assert ("docker-compose.yml", 4) in value_problems
    for f in result.findings:
        assert value.strip("'")[:30] not in f.message


def test_a_reader_that_raises_loses_only_its_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agentcheck.deployment._build as build_module
    from agentcheck.deployment._guard import READER_FAILED

    def boom(project: Project) -> None:
        raise ValueError("sk-proj-" + "x" * 48)  # an exception's text never reaches output

    monkeypatch.setattr(build_module, "read_k8s", boom)
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deploy.yaml").write_text(_MANIFEST.replace("VALUE", "30"))
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  agent:\n    image: langchain/langgraph-api:0.2\n"
    )
    project = Project(tmp_path)
    dep = deployment(project)
    assert [w.platform for w in dep.workloads] == ["compose"]
    (problem,) = [p for p in project.problems if READER_FAILED in p.message]
    assert problem.path == "k8s/deploy.yaml"
    assert problem.severity.value == "warning"
    assert "ValueError" in problem.message
    assert "sk-proj" not in problem.message


_ELIF_CHAIN = (
    "import os\nfrom langgraph.graph import StateGraph\n\n\ndef route(x):\n    if x == 0:\n"
    "        return 0\n"
    + "".join(f"    elif x == {i}:\n        import json\n        return {i}\n" for i in range(990))
    + "\n\ngraph = StateGraph(dict).compile()\n"
)


@pytest.mark.parametrize(
    "files",
    [
        {"nginx.conf": "http { server { location / { proxy_pass http://[::1; } } }\n"},
        {"nginx.conf": "http { server { location / { proxy_pass http://[::1]:99999x; } } }\n"},
        {"agent.py": _ELIF_CHAIN},
    ],
    ids=["ipv6-unclosed", "ipv6-bad-port", "elif-990"],
)
def test_odd_but_valid_input_crashes_no_rule(tmp_path: Path, files: dict[str, str]) -> None:
    (tmp_path / "langgraph.json").write_text('{"graphs": {"agent": "./agent.py:graph"}}')
    (tmp_path / "agent.py").write_text("graph = 1\n")
    for rel, text in files.items():
        (tmp_path / rel).write_text(text)
    project = Project(tmp_path)
    result = lint(project, enabled_rules(project))
    assert [f.message for f in result.findings if f.code in ("AC901", "AC100")] == []
