"""Dockerfiles in the deployment model: stages, ENV, CMD/ENTRYPOINT, heredocs, directives."""

from __future__ import annotations

from agentcheck.deployment.model import Where
from tests.conftest import MakeDeployment


def test_final_stage_inherits_env_and_cmd_from_its_named_base(
    make_deployment: MakeDeployment,
) -> None:
    dep = make_deployment(
        {
            "Dockerfile": """
                FROM python:3.11-slim AS base
                ENV APP_HOME=/srv N_JOBS_PER_WORKER=4
                CMD ["uvicorn", "app.main:app"]

                FROM node:20 AS assets
                ENV NODE_ENV=production

                FROM base AS runtime
                ENV LOG_LEVEL info
            """
        }
    )
    info = dep.dockerfiles["Dockerfile"]
    assert info.base_image == "python:3.11-slim"
    assert set(info.env) == {"APP_HOME", "N_JOBS_PER_WORKER", "LOG_LEVEL"}
    assert info.env["N_JOBS_PER_WORKER"].value == "4"
    assert info.env["N_JOBS_PER_WORKER"].where == Where("Dockerfile", 2)
    assert info.env["LOG_LEVEL"].value == "info"
    assert info.cmd == ("uvicorn", "app.main:app")
    assert [image for image, _ in info.froms] == ["python:3.11-slim", "node:20", "base"]


def test_a_new_unrelated_stage_starts_from_scratch(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "Dockerfile": """
                FROM python:3.11 AS build
                ENV SECRET_BUILD_FLAG=1
                CMD ["python", "-m", "build"]
                FROM langchain/langgraph-api:3.11
                ENV LANGSERVE_GRAPHS='{"agent": "/deps/a/graph.py:graph"}'
            """
        }
    )
    info = dep.dockerfiles["Dockerfile"]
    assert info.base_image == "langchain/langgraph-api:3.11"
    assert set(info.env) == {"LANGSERVE_GRAPHS"}
    assert info.cmd is None
    assert dep.servers[0].kind == "agent-server"
    assert dep.servers[0].where == Where("Dockerfile", 4)


def test_heredoc_bodies_and_parser_directives_are_not_instructions(
    make_deployment: MakeDeployment,
) -> None:
    dep = make_deployment(
        {
            "Dockerfile": """
                # syntax=docker/dockerfile:1.7
                # escape=\\
                FROM python:3.11-slim
                RUN <<EOF
                CMD ["this", "is", "shell", "text"]
                ENV NOT_AN=env
                EOF
                COPY <<-"CONF" /etc/app.conf
                FROM evil:latest
                CONF
                ENTRYPOINT ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "svc.api:app"]
            """
        }
    )
    info = dep.dockerfiles["Dockerfile"]
    assert info.env == {}
    assert [image for image, _ in info.froms] == ["python:3.11-slim"]
    assert info.entrypoint == ("gunicorn", "-k", "uvicorn.workers.UvicornWorker", "svc.api:app")
    assert info.entrypoint_where == Where("Dockerfile", 11)
    assert dep.servers[0].kind == "custom"


def test_shell_form_cmd_and_entrypoint_reset(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "Dockerfile": """
                FROM python:3.11
                CMD python -m http.server
                ENTRYPOINT ["langgraph", "dev", "--host", "0.0.0.0"]
            """
        }
    )
    info = dep.dockerfiles["Dockerfile"]
    assert info.cmd is None  # ENTRYPOINT resets an inherited CMD
    assert info.argv == ("langgraph", "dev", "--host", "0.0.0.0")
    assert dep.servers[0].kind == "langgraph-dev"


def test_garbage_and_binary_dockerfiles_give_no_traceback(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "Dockerfile": "FROM\nENV\nENV =\nCMD [unclosed\nHEALTHCHECK NONE\n\\\n",
            "docker/Dockerfile.prod": "\x00\x01binary",
        }
    )
    info = dep.dockerfiles["Dockerfile"]
    assert info.base_image is None
    assert info.cmd == ("[unclosed",)
    assert "docker/Dockerfile.prod" not in dep.dockerfiles
