"""Which server serves the graphs: Agent Server, langgraph dev, Aegra or a custom app."""

from __future__ import annotations

import pytest

from agentcheck.deployment._classify import (
    command_server,
    image_name,
    image_tag,
    parse_duration,
)
from tests.conftest import MakeDeployment

LG = '{"dependencies": ["."], "graphs": {"agent": "./graph.py:graph"}}'


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("langgraph", "dev", "--host", "0.0.0.0"), ("langgraph-dev", None)),
        (("/usr/local/bin/langgraph", "up"), ("agent-server", None)),
        (("sh", "-c", "alembic upgrade head && aegra serve --port 8000"), ("aegra", None)),
        (("uvicorn", "--host", "0.0.0.0", "app.main:app"), ("custom", "app.main:app")),
        (("python", "-m", "uvicorn", "app:api", "--reload"), ("custom", "app:api")),
        (
            ("gunicorn", "-k", "uvicorn.workers.UvicornWorker", "-b", ":80", "svc:app"),
            ("custom", "svc:app"),
        ),
        (("uvicorn", "langgraph_api.server:app"), ("agent-server", "langgraph_api.server:app")),
        (("fastapi", "run", "main.py"), ("custom", "main.py")),
        (("python", "worker.py"), None),
        ((), None),
    ],
)
def test_command_server(argv: tuple[str, ...], expected: tuple[str, str | None] | None) -> None:
    assert command_server(argv) == expected


@pytest.mark.parametrize(
    ("image", "name", "tag"),
    [
        ("postgres:16", "postgres", "16"),
        ("docker.io/library/redis", "redis", None),
        ("localhost:5000/team/agent:1.2", "team/agent", "1.2"),
        ("ghcr.io/acme/agent@sha256:abc", "acme/agent", "sha256:abc"),
        ("langchain/langgraph-api:3.11-wolfi", "langchain/langgraph-api", "3.11-wolfi"),
    ],
)
def test_image_name_and_tag(image: str, name: str, tag: str | None) -> None:
    assert (image_name(image), image_tag(image)) == (name, tag)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(30, 30.0), ("1m30s", 90.0), ("2h", 7200.0), ("500ms", 0.5), ("90", 90.0), ("soon", None)],
)
def test_parse_duration(value: object, seconds: float | None) -> None:
    assert parse_duration(value) == seconds


def test_image_built_from_langgraph_json_is_agent_server(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "langgraph.json": LG,
            "graph.py": "graph = None\n",
            "k8s/deploy.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: agent}
                spec:
                  template:
                    spec:
                      containers:
                        - name: agent
                          image: registry.example.com/agent:1.0.0
                        - name: proxy
                          image: nginx:1.27
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: cache}
                spec:
                  template:
                    spec:
                      containers: [{name: redis, image: redis:7}]
            """,
        }
    )
    agent, cache = dep.workloads
    assert agent.role == "agent"
    assert agent.server is not None
    assert agent.server.kind == "agent-server"
    assert not agent.server.implied
    assert "langgraph build" in agent.server.reason
    assert cache.role == "cache"
    assert cache.server is None
    assert dep.agent_server is agent.server


def test_k8s_image_matches_the_compose_service_that_builds_it(
    make_deployment: MakeDeployment,
) -> None:
    dep = make_deployment(
        {
            "langgraph.json": LG,
            "graph.py": "graph = None\n",
            "docker/api.Dockerfile": 'FROM python:3.11\nCMD ["uvicorn", "graph:app"]\n',
            "docker/worker.Dockerfile": 'FROM python:3.11\nCMD ["python", "worker.py"]\n',
            "docker-compose.build.yml": "services:\n  api:\n    image: acme/agent-api:2\n"
            "    build: {context: ., dockerfile: docker/api.Dockerfile}\n",
            "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"
            "spec:\n  template:\n    spec:\n      containers:\n"
            "        - {name: api, image: 'acme/agent-api:3'}\n",
        }
    )
    k8s = next(w for w in dep.workloads if w.platform == "kubernetes")
    assert k8s.server is not None
    assert k8s.server.kind == "custom"
    assert k8s.main is not None
    assert k8s.main.dockerfile == "docker/api.Dockerfile"


def test_aegra_and_implied_servers(make_deployment: MakeDeployment) -> None:
    aegra = make_deployment({"aegra.json": LG, "graph.py": "graph = None\n"})
    assert [(s.kind, s.implied) for s in aegra.servers] == [("aegra", True)]
    assert not aegra.servers[0].loads_langgraph_json
    assert aegra.servers[0].persists_threads


def test_fastapi_app_without_deployment_files_is_an_implied_custom_server(
    make_deployment: MakeDeployment,
) -> None:
    dep = make_deployment(
        {
            "main.py": "from fastapi import FastAPI\napp: FastAPI = FastAPI()\n",
            "tests/test_main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        }
    )
    assert [(s.kind, s.implied, s.app_file) for s in dep.servers] == [("custom", True, "main.py")]


def test_nothing_to_serve(make_deployment: MakeDeployment) -> None:
    dep = make_deployment({"README.md": "hello\n"})
    assert dep.servers == []
    assert dep.graphs == []
    assert dep.workloads == []
    assert dep.replicas.count == 1
    assert dep.replicas.where is None
    assert dep.proxies == []


def test_proxies_come_from_the_proxy_model(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "k8s/ingress.yaml": """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: agent
                  annotations:
                    nginx.ingress.kubernetes.io/proxy-read-timeout: "30"
                spec:
                  defaultBackend: {service: {name: agent, port: {number: 80}}}
            """
        }
    )
    assert [p.where.path for p in dep.proxies] == ["k8s/ingress.yaml"]


def test_jobs_are_not_the_serving_agent(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "langgraph.json": LG,
            "graph.py": "graph = None\n",
            "Dockerfile": "FROM langchain/langgraph-api:3.11\n",
            "k8s/migrate.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\n"
            "spec:\n  template:\n    spec:\n"
            "      containers: [{name: m, image: 'acme/migrate:1.0'}]\n",
        }
    )
    (job,) = dep.workloads
    assert job.role == "other"
    assert job.server is None
    assert [s.kind for s in dep.servers] == ["agent-server"]


def test_procfile_web_process(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "Procfile": "release: python migrate.py\nweb: gunicorn -k uvicorn.workers.UvicornWorker api:app\n",
            "api.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        }
    )
    (server,) = dep.servers
    assert (server.kind, server.where.line, server.app_file, server.implied) == (
        "custom",
        2,
        "api.py",
        False,
    )
