"""Compose files of every spec version, read into workloads with positions."""

from __future__ import annotations

import pytest

from agentcheck.deployment.model import Where
from tests.conftest import MakeDeployment, MakeProject

SPEC = """
services:
  agent:
    build:
      context: ./svc
      dockerfile: api.Dockerfile
    image: registry.example.com/agent:1.2.0
    command: uvicorn app.main:app --host 0.0.0.0 --port 8000
    deploy:
      replicas: 3
      resources:
        limits: {cpus: "1", memory: 1G}
    env_file:
      - .env.production
      - path: ./optional.env
        required: false
    environment:
      - DATABASE_URI=postgresql://agent:${PG_PASSWORD}@db:5432/agent
      - LOG_LEVEL=info
      - PASSED_THROUGH
    ports:
      - "8000:8000"
      - "127.0.0.1:9090:9090"
      - target: 7000
        published: 7000
        host_ip: "::1"
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health?x=1"]
    stop_grace_period: 1m30s
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: postgres
    healthcheck:
      disable: true
"""


def test_compose_spec_service_fields(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "docker-compose.yml": SPEC,
            ".env.production": "LOG_LEVEL=debug\nOPENAI_API_KEY=${OPENAI_API_KEY}\n",
            "svc/api.Dockerfile": "FROM python:3.11-slim\nENV N_JOBS_PER_WORKER=3\n",
        }
    )
    agent = dep.workload("agent")
    assert agent is not None
    assert agent.platform == "compose"
    assert agent.where == Where("docker-compose.yml", 2, 3)
    assert (agent.replicas, agent.replicas_where) == (3, Where("docker-compose.yml", 9, 17))
    assert agent.grace_period == 90.0
    c = agent.main
    assert c is not None
    assert c.dockerfile == "svc/api.Dockerfile"
    assert c.args == ("uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000")
    # environment wins over env_file, as in compose
    assert c.env["LOG_LEVEL"].value == "info"
    assert c.env["LOG_LEVEL"].where.path == "docker-compose.yml"
    assert c.env["OPENAI_API_KEY"].interpolated
    assert c.env["OPENAI_API_KEY"].where == Where(".env.production", 2)
    assert c.env["DATABASE_URI"].interpolated
    assert c.env["PASSED_THROUGH"].value is None
    assert [(r.ref, r.exists, r.required) for r in c.env_files] == [
        (".env.production", True, True),
        ("./optional.env", False, False),
    ]
    published = [(p.published, p.host_ip, p.on_all_interfaces) for p in c.ports]
    assert published == [(8000, None, True), (9090, "127.0.0.1", False), (7000, "::1", False)]
    assert c.probes["healthcheck"].http_path == "/health?x=1"
    assert c.resources == {"limits": {"cpus": "1", "memory": "1G"}, "requests": {}}
    # The server comes from the command; the env under it from the Dockerfile it builds.
    assert agent.role == "agent"
    assert agent.server is not None
    assert agent.server.kind == "custom"
    assert dep.env_of(agent)["N_JOBS_PER_WORKER"].value == "3"
    assert dep.replicas.count == 3
    db = dep.workload("db")
    assert db is not None
    assert db.role == "database"
    assert db.main is not None
    assert db.main.probes["healthcheck"].disabled
    assert [e.workload for e in dep.exposed] == ["agent"]


@pytest.mark.parametrize(
    "text",
    [
        # version 1: services at the top level
        "agent:\n  image: langchain/langgraph-api:3.11\n  ports: ['8123:8000']\n",
        # version 2 and 3 files
        "version: '2.4'\nservices:\n  agent:\n    image: langchain/langgraph-api:3.11\n"
        "    scale: 2\n",
        'version: "3.8"\nservices:\n  agent:\n    image: langchain/langgraph-api:3.11\n'
        "    deploy: {replicas: 2}\n",
    ],
    ids=["v1", "v2-scale", "v3-deploy"],
)
def test_every_compose_version_yields_the_agent_service(
    make_deployment: MakeDeployment, text: str
) -> None:
    dep = make_deployment({"docker-compose.yml": text})
    agent = dep.workload("agent")
    assert agent is not None
    assert agent.server is not None
    assert agent.server.kind == "agent-server"
    assert dep.replicas.count == (1 if "ports" in text else 2)


@pytest.mark.parametrize(
    "text",
    [
        "services: []\n",
        "services:\n  agent: 3\n",
        "services:\n  agent:\n    environment: 7\n    ports: {a: b}\n    env_file: [1, {}]\n"
        "    deploy: [1]\n    healthcheck: yes\n    command: {}\n    build: 12\n",
        "version: '3'\n",
        "- just\n- a list\n",
        "services:\n  agent:\n    ports: ['[::1]:80:80/udp', '9000-9002:9000-9002', 'x:y:z:w']\n",
    ],
)
def test_malformed_compose_gives_no_traceback(make_project: MakeProject, text: str) -> None:
    from agentcheck.deployment import deployment

    dep = deployment(make_project({"compose.yaml": text}))
    assert all(w.platform == "compose" for w in dep.workloads)


def test_dev_compose_file_is_not_production(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "docker-compose.dev.yml": "services:\n  agent:\n    image: x/agent:1\n"
            "    deploy: {replicas: 5}\n    command: langgraph dev\n",
            "langgraph.json": '{"graphs": {}}',
        }
    )
    agent = dep.workload("agent")
    assert agent is not None
    assert not agent.production
    assert dep.replicas.count == 1  # only production counts
    # No production server: langgraph.json implies Agent Server (`langgraph build`).
    kinds = [(s.kind, s.implied) for s in dep.servers]
    assert ("langgraph-dev", False) in kinds
    assert ("agent-server", True) in kinds
