"""What the model decides once for every rule: which files describe production, which workload
is the agent, how compose overlays merge, and how rules report when production is unsure."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Severity
from agentcheck.lint.runner import enabled_rules, lint
from tests.conftest import GRAPH, MakeDeployment, MakeProject

LG = '{"graphs": {"agent": "./agent.py:graph"}, "dependencies": ["."]}'
AGENT_SERVER = "FROM langchain/langgraph-api:3.11\nADD . /deps/agent\n"
SERVICE = """
services:
  agent:
    build: .
    ports: ["127.0.0.1:8123:8000"]
"""


def verdicts(dep_files: dict[str, object]) -> dict[str, bool]:
    return {rel: known.verdict.production for rel, known in dep_files.items()}  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- production


@pytest.mark.parametrize(
    ("rel", "production", "reason"),
    [
        ("docker-compose.minimal.yml", False, "`minimal`"),
        ("docker-compose.override.yml", False, "`override`"),
        ("deploy/local/compose.yaml", False, "`local`"),
        ("tests/e2e/docker-compose.yml", False, "`tests`"),
        ("docker-compose.prod.yml", True, "`prod`"),
        ("k8s/compose.yaml", True, "k8s/"),
    ],
)
def test_the_path_says_what_a_file_is_for(
    make_deployment: MakeDeployment, rel: str, production: bool, reason: str
) -> None:
    dep = make_deployment({rel: SERVICE, "Dockerfile": AGENT_SERVER, "langgraph.json": LG})
    verdict = dep.files[rel].verdict
    assert (verdict.production, verdict.sure) == (production, True)
    assert reason in verdict.reason


def test_a_header_comment_and_a_reload_say_development(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "a/docker-compose.yml": "# Local development stack (hot reload)\n" + SERVICE,
            "b/docker-compose.yml": SERVICE + '    command: ["uvicorn", "app:app", "--reload"]\n',
            "c/docker-compose.yml": "# Production: one host behind Caddy\n" + SERVICE,
            "d/docker-compose.yml": "# Not for production: demo data only\n" + SERVICE,
        }
    )
    got = {rel: (k.verdict.production, k.verdict.where) for rel, k in dep.files.items()}
    assert got["a/docker-compose.yml"][0] is False
    assert got["b/docker-compose.yml"][0] is False
    assert got["b/docker-compose.yml"][1] is not None
    assert got["b/docker-compose.yml"][1].line == 5  # the line with --reload
    assert got["c/docker-compose.yml"][0] is True
    assert got["d/docker-compose.yml"][0] is False


def test_what_ci_deploys_is_production_and_a_readme_can_say_local(
    make_deployment: MakeDeployment,
) -> None:
    dep = make_deployment(
        {
            ".github/workflows/deploy.yml": "jobs:\n  deploy:\n    steps:\n"
            "      - run: docker compose -f stack.yml up -d\n",
            "stack.yml": "x: 1\n",  # not a compose file by name: not read as one
            "docker-compose.yml": SERVICE,
            "docker-compose.web.yml": SERVICE,
            "README.md": "Run `docker compose -f docker-compose.web.yml up` for local development.\n",
            "scripts/deploy.sh": "docker compose -f docker-compose.yml up -d\n",
        }
    )
    deployed = dep.files["docker-compose.yml"].verdict
    assert (deployed.production, deployed.sure) == (True, True)
    assert deployed.where is not None
    assert deployed.where.path == "scripts/deploy.sh"
    web = dep.files["docker-compose.web.yml"].verdict
    assert web.production is False
    assert "README.md:1" in web.reason


def test_nothing_said_is_production_unsure(make_deployment: MakeDeployment) -> None:
    dep = make_deployment({"docker-compose.yml": SERVICE})
    verdict = dep.files["docker-compose.yml"].verdict
    assert (verdict.production, verdict.sure) == (True, False)


def test_the_user_globs_win(make_project: MakeProject) -> None:
    files = {
        "docker-compose.minimal.yml": SERVICE,
        "k8s/dev/compose.yaml": SERVICE,
        "docker-compose.yml": SERVICE,
    }
    extend = make_project(
        {**files, "pyproject.toml": '[tool.agentcheck]\nextend-production = ["*minimal*"]\n'}
    )
    assert verdicts(deployment(extend).files) == {
        "docker-compose.minimal.yml": True,
        "k8s/dev/compose.yaml": False,
        "docker-compose.yml": True,
    }


def test_production_replaces_every_other_signal(make_project: MakeProject) -> None:
    project = make_project(
        {
            "docker-compose.minimal.yml": SERVICE,
            "docker-compose.yml": SERVICE,
            "pyproject.toml": '[tool.agentcheck]\nproduction = ["*minimal*"]\n',
        }
    )
    assert verdicts(deployment(project).files) == {
        "docker-compose.minimal.yml": True,
        "docker-compose.yml": False,
    }


# --------------------------------------------------------------------------- roles


def test_third_party_images_are_never_the_agent(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "langgraph.json": LG,
            "agent.py": GRAPH,
            "Dockerfile": AGENT_SERVER,
            "docker-compose.yml": """
                services:
                  agent: {build: .}
                  prometheus: {image: prom/prometheus:v2.53.0}
                  grafana: {image: grafana/grafana:11.1.0}
                  keycloak: {image: quay.io/keycloak/keycloak:25.0.1}
                  fga: {image: openfga/openfga:v1.5.5}
                  qdrant: {image: qdrant/qdrant:v1.10.0}
                  sso: {image: ghcr.io/acme/keycloak-optimized:26.4.2}
                  vendor: {image: ghcr.io/someone/else:1.0}
            """,
        }
    )
    roles = {w.name: (w.role, w.role_reason) for w in dep.workloads}
    assert roles["agent"][0] == "agent"
    assert {name for name, (role, _) in roles.items() if role == "agent"} == {"agent"}
    assert roles["prometheus"] == (
        "observability",
        "image prom/prometheus:v2.53.0 is a monitoring service",
    )
    assert roles["qdrant"][0] == "database"
    assert roles["sso"][0] == "service"
    assert "not built from this repository" in roles["vendor"][1]


def test_agent_server_images_built_elsewhere(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "docker-compose.yml": """
                services:
                  api: {image: "ghcr.io/acme/langgraph-api-support:1.2"}
            """
        }
    )
    (api,) = dep.workloads
    assert api.role == "agent"
    assert api.server is not None
    assert api.server.kind == "agent-server"


def test_python_m_server_serving_graphs_is_the_agent(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "agent.py": GRAPH,
            "app/__init__.py": "",
            "app/server.py": "import uvicorn\nfrom fastapi import FastAPI\nfrom agent import graph\n"
            "app = FastAPI()\nuvicorn.run(app)\n",
            "web/__init__.py": "",
            "web/server.py": "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\n"
            "uvicorn.run(app)\n",
            "Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "-m", "app.server"]\n',
            "web.Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "-m", "web.server"]\n',
            "docker-compose.yml": """
                services:
                  agent: {build: .}
                  web: {build: {context: ., dockerfile: web.Dockerfile}}
            """,
        }
    )
    roles = {w.name: w.role for w in dep.workloads}
    assert roles == {"agent": "agent", "web": "other"}
    agent = dep.workload("agent")
    assert agent is not None
    assert agent.server is not None
    assert (agent.server.kind, agent.server.app_file) == ("custom", "app/server.py")
    assert dep.dockerfiles["web.Dockerfile"].builds_agent is False
    assert dep.dockerfiles["Dockerfile"].builds_agent is True


def test_a_last_stage_for_tests_is_not_what_deploys(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "langgraph.json": LG,
            "agent.py": GRAPH,
            "Dockerfile": "FROM langchain/langgraph-api:3.11 AS runtime\n"
            'FROM runtime AS test\nCMD ["pytest", "-q"]\n',
        }
    )
    (server,) = dep.servers
    assert (server.kind, server.where.line) == ("agent-server", 1)


# --------------------------------------------------------------------------- compose stacks


def test_an_overlay_that_adds_env_is_the_base_service(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "langgraph.json": LG,
            "agent.py": GRAPH,
            "Dockerfile": AGENT_SERVER,
            "compose.yaml": """
                services:
                  agent:
                    build: .
                    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8000/ok"]}
                    environment: {LOG_LEVEL: INFO}
            """,
            "docker/compose.mongo.yaml": """
                # docker compose -f compose.yaml -f docker/compose.mongo.yaml up
                services:
                  agent:
                    environment: {STORE: mongo}
                  mongo: {image: "mongo:7"}
            """,
        }
    )
    agents = [w for w in dep.workloads if w.name == "agent"]
    assert len(agents) == 2  # deployed alone, and with the overlay
    merged = next(w for w in agents if w.overlays)
    assert merged.overlays == ("docker/compose.mongo.yaml",)
    assert merged.role == "agent"
    assert merged.where.path == "compose.yaml"
    assert merged.main is not None
    assert set(merged.main.env) == {"LOG_LEVEL", "STORE"}
    assert merged.main.env["STORE"].where.path == "docker/compose.mongo.yaml"
    assert "healthcheck" in merged.main.probes
    assert {w.name for w in dep.workloads} == {"agent", "mongo"}


def test_override_extends_and_profiles(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "docker-compose.yml": """
                services:
                  agent: {image: "acme/agent:1", stop_grace_period: 5m}
                  worker: {extends: {service: agent}, command: ["python", "-m", "worker"]}
                  debug: {image: "acme/debug:1", profiles: [debug]}
            """,
            "docker-compose.override.yml": """
                services:
                  agent: {environment: {DEBUG: "1"}}
            """,
        }
    )
    by = {(w.name, w.overlays): w for w in dep.workloads}
    override = by[("agent", ("docker-compose.override.yml",))]
    assert override.production is False  # the override is for development
    assert by[("agent", ())].production is True
    worker = by[("worker", ())]
    assert worker.grace_period == 300.0
    assert worker.main is not None
    assert worker.main.image == "acme/agent:1"
    assert by[("debug", ())].production is False
    assert "profiles" in by[("debug", ())].verdict.reason


def test_interpolated_ports_as_compose_fills_them(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            ".env.example": "DB_PORT=5432\n",
            "docker-compose.yml": """
                services:
                  db:
                    image: postgres:16
                    ports: ["${DB_PORT}:${DB_PORT}", "${HOST:-127.0.0.1}:8000:8000"]
            """,
        }
    )
    (db,) = dep.workloads
    assert db.main is not None
    assert [(p.container, p.host_ip, p.on_all_interfaces) for p in db.main.ports] == [
        (5432, None, True),
        (8000, "127.0.0.1", False),
    ]


# --------------------------------------------------------------------------- unsure, explain


def test_findings_in_unsure_files_are_one_step_lower(make_project: MakeProject) -> None:
    files = {"langgraph.json": LG, "agent.py": GRAPH, "Dockerfile": AGENT_SERVER}
    unsure = make_project({**files, "docker-compose.yml": SERVICE})
    (finding,) = lint(unsure, enabled_rules(unsure, select=["AC407"])).findings
    assert finding.severity is Severity.INFO
    assert 'production = ["docker-compose.yml"]' in finding.message


def test_sure_production_keeps_its_severity(make_project: MakeProject) -> None:
    files = {"langgraph.json": LG, "agent.py": GRAPH, "Dockerfile": AGENT_SERVER}
    sure = make_project({**files, "docker-compose.prod.yml": SERVICE})
    (finding,) = lint(sure, enabled_rules(sure, select=["AC407"])).findings
    assert finding.severity is Severity.WARNING
    assert "counts" not in finding.message


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentcheck", "lint", str(root), "--explain-production", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_explain_production_lists_files_and_workloads(tmp_path: Path) -> None:
    for rel, text in {
        "docker-compose.yml": "# Production on one host\n" + SERVICE,
        "docker-compose.dev.yml": SERVICE,
        "Dockerfile": AGENT_SERVER,
        "langgraph.json": LG,
        "agent.py": GRAPH,
    }.items():
        (tmp_path / rel).write_text(textwrap.dedent(text))
    out = _cli(tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(
        line.split()[:2] == ["production", "docker-compose.yml"] and "header" in line
        for line in lines
    )
    assert any(
        line.split()[:3] == ["not", "production", "docker-compose.dev.yml"] for line in lines
    )
    assert any("compose service agent" in line and "agent" in line.split() for line in lines)
    data = json.loads(_cli(tmp_path, "--format", "json").stdout)["production"]
    files = {row["name"]: row for row in data if row["what"] == "file"}
    assert files["docker-compose.dev.yml"]["production"] is False
    assert files["docker-compose.dev.yml"]["reason"] == "its path says `dev`"
    workloads = [row for row in data if row["what"] == "workload"]
    assert {row["kind"] for row in workloads} == {"agent"}
    assert all(row["role_reason"] for row in workloads)
    assert _cli(tmp_path, "--format", "sarif").returncode == 2


@pytest.mark.parametrize(
    "compose",
    [
        "services:\n  a: {image: x, profiles: 5}\n  b: {image: y, profiles: [null, {}]}\n",
        "services:\n  a: {extends: {service: 3, file: [1]}}\n  b: {extends: 7}\n",
        "include: [1, {path: [2, null]}, '../../../etc/passwd']\nservices:\n  a: {image: x}\n",
        "services:\n  a:\n    image: x\n    ports: ['${P:-', '${:}:${', {target: 'x-y'}, 99999999999999999999]\n",
        "# docker compose -f -f -f\nservices:\n  a: {environment: [1, null, '=x']}\n",
    ],
)
def test_odd_compose_values_never_stop_the_model(make_project: MakeProject, compose: str) -> None:
    project = make_project(
        {
            "docker-compose.yml": compose,
            "docker-compose.prod.yml": "services:\n  a: {environment: {X: 1}}\n",
            "langgraph.json": LG,
            "agent.py": GRAPH,
        }
    )
    dep = deployment(project)
    assert dep.files["docker-compose.yml"].kind == "compose"
    result = lint(project, enabled_rules(project))
    assert [f for f in result.findings if f.code == "AC901"] == []
    assert not [f for f in project.problems if "reader stopped" in f.message]
