"""AC401-AC407 behaviour the fixture projects do not pin down: which server is behind the
proxy, thresholds from configuration, parsing of commands and code, and bad input."""

from __future__ import annotations

import pytest

from agentcheck.deployment._gunicorn import gunicorn_argv
from agentcheck.lint.finding import Severity
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.project import Project
from tests.network.conftest import MakeProject


def findings(project: Project, code: str) -> list[tuple[str, int, Severity]]:
    result = lint(project, enabled_rules(project, select=[code]))
    assert not [f for f in result.findings if f.code == "AC901"], result.findings
    return [(f.path, f.line, f.severity) for f in result.findings if f.code == code]


def location(*directives: str, upstream: str = "127.0.0.1:8000") -> str:
    body = "\n".join(f"        {d}" for d in directives)
    return (
        f"server {{\n    location / {{\n        proxy_pass http://{upstream};\n{body}\n    }}\n}}\n"
    )


# --------------------------------------------------------------------------- AC401


@pytest.mark.parametrize(
    ("server", "expected"),
    [("langgraph", []), ("aegra", [("nginx.conf", 4, Severity.WARNING)])],
)
def test_ac401_heartbeats_reset_idle_timeouts(
    make_project: MakeProject, server: str, expected: list[tuple[str, int, Severity]]
) -> None:
    project = make_project({"nginx.conf": location("proxy_read_timeout 120s;")}, server=server)
    assert findings(project, "AC401") == expected


SSE_STARLETTE_APP = """\
    from fastapi import FastAPI
    from sse_starlette.sse import EventSourceResponse

    app = FastAPI()
"""


@pytest.mark.parametrize(
    ("server", "directive", "severity", "says"),
    [
        # Measured behind nginx (langgraph dev, langhost): langgraph-api writes a byte every
        # 5 s to streams (heartbeats) and to blocking runs/wait and join requests (newlines);
        # 6 s and 10 s cut nothing, 3 s and 5 s cut everything.
        ("langgraph", "proxy_read_timeout 10s", Severity.INFO, "nothing is cut by it"),
        ("langgraph", "proxy_read_timeout 59s", Severity.INFO, "nothing is cut by it"),
        ("langgraph", "proxy_read_timeout 6s", Severity.INFO, "nothing is cut by it"),
        ("langgraph", "proxy_read_timeout 5s", Severity.ERROR, "cuts every stream, join and"),
        ("langgraph", "proxy_read_timeout 3s", Severity.ERROR, "cuts every stream, join and"),
        # Aegra writes nothing while a step is silent: at 10 s every request was cut.
        ("aegra", "proxy_read_timeout 59s", Severity.ERROR, "`runs/wait` gets a 504"),
        # Nothing known about the server: any silent step is cut.
        (None, "proxy_read_timeout 59s", Severity.ERROR, "before the run does"),
        # proxy_send_timeout limits only sending the request: 3 s cut nothing on either server.
        ("langgraph", "proxy_send_timeout 20s", Severity.INFO, "only sending the request"),
        ("aegra", "proxy_send_timeout 20s", Severity.INFO, "only sending the request"),
    ],
)
def test_ac401_explicit_timeout_below_the_floor_follows_what_breaks(
    make_project: MakeProject, server: str | None, directive: str, severity: Severity, says: str
) -> None:
    # Read timeouts long enough for any run beside a short send timeout.
    read = [] if directive.startswith("proxy_read") else ["proxy_read_timeout 600s;"]
    project = make_project({"nginx.conf": location(f"{directive};", *read)}, server=server)
    result = lint(project, enabled_rules(project, select=["AC401"]))
    assert [(f.path, f.line, f.severity) for f in result.findings] == [("nginx.conf", 4, severity)]
    message = result.findings[0].message
    assert says in message, message
    assert message.startswith(f"{directive.split()[0]} is {directive.split()[1][:-1]} s on ")


def test_ac401_names_what_was_measured_behind_langgraph_api(make_project: MakeProject) -> None:
    project = make_project({"nginx.conf": location("proxy_read_timeout 10s;")}, "langgraph")
    (finding,) = lint(project, enabled_rules(project, select=["AC401"])).findings
    assert finding.severity is Severity.INFO
    assert "below the seed's 60 s floor" in finding.message
    assert "every 5 s to streams and joins (SSE heartbeats)" in finding.message
    assert "blocking `runs/wait` and `join` requests (newlines)" in finding.message
    assert "langgraph-api 0.16.7 and 0.11.1 behind nginx" in finding.message
    assert "proxy_read_timeout 300s;" in (finding.fix or "")


def test_ac401_a_custom_server_with_pings_keeps_streams_not_other_answers(
    make_project: MakeProject,
) -> None:
    files = {
        "docker-compose.yml": """\
            services:
              api:
                build: .
                command: ["uvicorn", "app.main:app", "--host", "0.0.0.0"]
        """,
        "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\n",
        "app/__init__.py": "",
        "app/main.py": SSE_STARLETTE_APP,
        "nginx.conf": location("proxy_read_timeout 30s;", upstream="api:8000"),
    }
    project = make_project(files)
    result = lint(project, enabled_rules(project, select=["AC401"]))
    assert [(f.path, f.severity) for f in result.findings] == [("nginx.conf", Severity.WARNING)]
    assert "streams survive it" in result.findings[0].message
    short = make_project({**files, "nginx.conf": location("proxy_read_timeout 10s;")})
    result = lint(short, enabled_rules(short, select=["AC401"]))
    assert [(f.path, f.severity) for f in result.findings] == [("nginx.conf", Severity.ERROR)]
    assert "SSE ping only every 15 s" in result.findings[0].message


def test_ac401_a_limit_on_the_whole_response_below_the_floor_is_an_error(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "k8s/bc.yaml": """\
                apiVersion: cloud.google.com/v1
                kind: BackendConfig
                metadata:
                  name: agent
                spec:
                  timeoutSec: 30
            """
        },
        server="langgraph",
    )
    (finding,) = lint(project, enabled_rules(project, select=["AC401"])).findings
    assert (finding.path, finding.line, finding.severity) == ("k8s/bc.yaml", 6, Severity.ERROR)
    assert "heartbeats or not" in finding.message


def test_ac401_total_limits_are_not_reset_by_heartbeats(make_project: MakeProject) -> None:
    project = make_project(
        {
            "k8s/bc.yaml": """\
                apiVersion: cloud.google.com/v1
                kind: BackendConfig
                metadata:
                  name: agent
                spec:
                  timeoutSec: 120
            """
        },
        server="langgraph",
    )
    assert findings(project, "AC401") == [("k8s/bc.yaml", 6, Severity.WARNING)]


def test_ac401_is_silent_on_defaults_when_no_server_is_known(make_project: MakeProject) -> None:
    project = make_project({"nginx.conf": location("proxy_buffering off;")})
    assert findings(project, "AC401") == []


def test_ac401_reads_the_run_budget(make_project: MakeProject) -> None:
    files = {
        "nginx.conf": location("proxy_read_timeout 240s;"),
        "pyproject.toml": '[project]\nname = "a"\nversion = "1"\ndependencies = ["aegra-api"]\n'
        "[tool.agentcheck]\nrun-budget = {budget}\n",
    }
    short = make_project(
        {**files, "pyproject.toml": files["pyproject.toml"].format(budget=200)}, "aegra"
    )
    assert findings(short, "AC401") == []
    long = make_project(
        {**files, "pyproject.toml": files["pyproject.toml"].format(budget=600)}, "aegra"
    )
    assert findings(long, "AC401") == [("nginx.conf", 4, Severity.WARNING)]


def test_ac401_skips_proxies_that_only_reach_other_services(make_project: MakeProject) -> None:
    project = make_project(
        {
            "docker-compose.yml": """\
                services:
                  agent:
                    image: registry.example.com/agent:1.0.0
                  web:
                    image: node:20.15-alpine
                    command: ["npm", "start"]
            """,
            "nginx/site.conf": """\
                server {
                    location / { proxy_pass http://web:3000; proxy_read_timeout 10s; }
                    location /api/ { proxy_pass http://agent:8000; proxy_read_timeout 10s; }
                }
            """,
        },
        server="langgraph",
    )
    # 10 s behind langgraph-api: below the floor, but nothing measured breaks.
    assert findings(project, "AC401") == [("nginx/site.conf", 3, Severity.INFO)]


def test_ac401_reports_a_shared_setting_once(make_project: MakeProject) -> None:
    conf = """\
        server {
            proxy_read_timeout 30s;
            location /a/ { proxy_pass http://127.0.0.1:8000; }
            location /b/ { proxy_pass http://127.0.0.1:8000; }
        }
    """
    project = make_project({"nginx.conf": conf}, server="aegra")
    assert findings(project, "AC401") == [("nginx.conf", 2, Severity.ERROR)]


# --------------------------------------------------------------------------- AC402-AC404


def test_ac402_default_buffering_needs_a_known_server(make_project: MakeProject) -> None:
    assert findings(make_project({"nginx.conf": location()}), "AC402") == []
    assert findings(make_project({"nginx.conf": location()}, server="langgraph"), "AC402") == []
    aegra = make_project({"nginx.conf": location()}, server="aegra")
    assert findings(aegra, "AC402") == [("nginx.conf", 2, Severity.ERROR)]


def test_ac402_explicit_buffering_off_is_fine_behind_aegra(make_project: MakeProject) -> None:
    project = make_project({"nginx.conf": location("proxy_buffering off;")}, server="aegra")
    assert findings(project, "AC402") == []


def test_ac402_custom_server_with_sse_starlette_sends_the_header(make_project: MakeProject) -> None:
    app = """\
        from fastapi import FastAPI
        from sse_starlette.sse import EventSourceResponse

        app = FastAPI()
    """
    files = {
        "nginx.conf": location(),
        "app/main.py": app,
        "Dockerfile": ('FROM python:3.11.9-slim\nCMD ["uvicorn", "app.main:app"]\n'),
    }
    assert findings(make_project(files), "AC402") == []


def test_ac402_custom_server_without_the_header_is_reported(make_project: MakeProject) -> None:
    app = """\
        from fastapi import FastAPI
        from fastapi.responses import StreamingResponse

        app = FastAPI()
    """
    files = {
        "nginx.conf": location(),
        "app/main.py": app,
        "Dockerfile": ('FROM python:3.11.9-slim\nCMD ["uvicorn", "app.main:app"]\n'),
    }
    assert findings(make_project(files), "AC402") == [("nginx.conf", 2, Severity.ERROR)]


def test_ac403_gzip_off_in_the_location_wins(make_project: MakeProject) -> None:
    conf = """\
        http {
            gzip on;
            gzip_types text/event-stream;
            server { location / { proxy_pass http://127.0.0.1:8000; gzip off; } }
        }
    """
    assert findings(make_project({"nginx.conf": conf}, server="langgraph"), "AC403") == []


def test_ac404_default_is_not_reported_for_recent_nginx_images(make_project: MakeProject) -> None:
    files = {
        "nginx/agent.conf": location(),
        "docker-compose.yml": "services:\n  proxy:\n    image: nginx:{tag}\n",
    }
    old = make_project(
        {**files, "docker-compose.yml": files["docker-compose.yml"].format(tag="1.27-alpine")}
    )
    assert findings(old, "AC404") == [("nginx/agent.conf", 2, Severity.INFO)]
    new = make_project(
        {**files, "docker-compose.yml": files["docker-compose.yml"].format(tag="1.30.1")}
    )
    assert findings(new, "AC404") == []


# --------------------------------------------------------------------------- AC405


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("gunicorn", "app:app", "-t", "30"), ("app:app", "-t", "30")),
        (("python", "-m", "gunicorn", "app:app"), ("app:app",)),
        (
            ("/bin/sh", "-c", "alembic upgrade head && exec gunicorn app:app -t60"),
            ("app:app", "-t60"),
        ),
        (("/venv/bin/gunicorn", "app:app", "&&", "echo"), ("app:app",)),
        (("uvicorn", "app:app"), None),
    ],
)
def test_gunicorn_argv(argv: tuple[str, ...], expected: tuple[str, ...] | None) -> None:
    assert gunicorn_argv(argv) == expected


@pytest.mark.parametrize(
    ("cmd", "reported"),
    [
        ('["gunicorn", "app.wsgi:app", "--timeout=90"]', True),
        ('["gunicorn", "app.wsgi:app", "-t90"]', True),
        ('["gunicorn", "app.wsgi:app", "--timeout", "0"]', False),  # 0: no timeout
        ('["gunicorn", "app.wsgi:app", "--timeout", "600"]', False),
        ('["gunicorn", "app.wsgi:app", "--threads", "8"]', False),  # gthread workers
        ('["gunicorn", "app.wsgi:app", "-k", "gevent"]', False),
    ],
)
def test_ac405_timeouts_of_sync_workers(
    make_project: MakeProject, cmd: str, reported: bool
) -> None:
    project = make_project(
        {"Dockerfile": f"FROM python:3.11.9-slim\nCMD {cmd}\n", "app/wsgi.py": "app = object()\n"}
    )
    expected = [("Dockerfile", 2, Severity.WARNING)] if reported else []
    assert findings(project, "AC405") == expected


def test_ac405_gunicorn_cmd_args_from_the_environment(make_project: MakeProject) -> None:
    dockerfile = (
        "FROM python:3.11.9-slim\n"
        'ENV GUNICORN_CMD_ARGS="--timeout 45"\n'
        'CMD ["gunicorn", "app.wsgi:app"]\n'
    )
    project = make_project({"Dockerfile": dockerfile, "app/wsgi.py": "app = object()\n"})
    assert findings(project, "AC405") == [("Dockerfile", 3, Severity.WARNING)]


# --------------------------------------------------------------------------- AC406


def test_ac406_ignores_http_calls_to_other_services(make_project: MakeProject) -> None:
    code = """\
        import httpx
        import requests

        BASE = "https://api.openai.com/v1"

        def tool():
            requests.get("https://weather.example.com", timeout=3)
            httpx.post(f"{BASE}/chat/completions", json={}, timeout=httpx.Timeout(10.0, connect=2.0))
            httpx.post(f"{BASE}/chat/completions", json={}, timeout=None)
    """
    project = make_project({"agent/graph.py": code}, server="langgraph")
    assert findings(project, "AC406") == [("agent/graph.py", 8, Severity.WARNING)]


def test_ac406_aiohttp_session_to_a_local_model(make_project: MakeProject) -> None:
    code = """\
        import aiohttp

        def session():
            return aiohttp.ClientSession(
                base_url="http://ollama:11434", timeout=aiohttp.ClientTimeout(total=30)
            )
    """
    project = make_project({"agent/graph.py": code}, server="langgraph")
    assert findings(project, "AC406") == [("agent/graph.py", 5, Severity.WARNING)]


def test_ac406_follows_constants_and_environment_defaults(make_project: MakeProject) -> None:
    code = """\
        import os
        from langchain_anthropic import ChatAnthropic

        TIMEOUT = int(os.environ.get("LLM_TIMEOUT", "20"))
        LONG = 90
        model = ChatAnthropic(model="claude", default_request_timeout=TIMEOUT)
        other = ChatAnthropic(model="claude", timeout=LONG)
        unknown = ChatAnthropic(model="claude", timeout=float(os.environ["T"]))
    """
    project = make_project({"agent/graph.py": code}, server="langgraph")
    assert findings(project, "AC406") == [("agent/graph.py", 6, Severity.WARNING)]


# --------------------------------------------------------------------------- AC407


def test_ac407_cloud_run_services_are_not_kubernetes_pods(make_project: MakeProject) -> None:
    service = """\
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: agent
        spec:
          template:
            spec:
              containers:
                - image: langchain/langgraph-api:3.11
    """
    project = make_project({"deploy/service.yaml": service}, server="langgraph")
    assert findings(project, "AC407") == []


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "files",
    [
        {"nginx.conf": "server { location / { proxy_pass http://a:1; include /nope/*.conf; }\n"},
        {"nginx.conf": b"\xff\xfeserver { proxy_pass"},
        {"nginx.conf": "server {" * 5000},
        {"Procfile": "web: gunicorn 'unterminated\n"},
        {"gunicorn.conf.py": "timeout = (\n"},
        {"gunicorn.conf.py": "timeout = 'soon'\nthreads = 'many'\n"},
        {"Dockerfile": 'FROM python:3.11.9-slim\nCMD ["sh", "-c"]\n'},
        {
            "agent/graph.py": "ChatOpenAI(timeout=int())\nrequests.post(timeout=(1,))\nhttpx.Timeout()\n"
        },
        {
            "docker-compose.yml": "services:\n  agent:\n    stop_grace_period: soon\n    command: 3\n"
        },
    ],
)
def test_bad_input_gives_findings_or_silence(
    make_project: MakeProject, files: dict[str, str | bytes]
) -> None:
    project = make_project(files, server="langgraph")
    result = lint(project, enabled_rules(project, select=["AC4", "AC100"]))
    assert not [f for f in result.findings if f.code == "AC901"], result.findings
