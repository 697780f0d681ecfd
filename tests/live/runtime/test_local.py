"""The local runtime against real servers: langgraph dev, nginx, Redis, PostgreSQL with Aegra."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from agentcheck.errors import LiveError, UsageError
from agentcheck.live.backends import LocalBackend, UrlBackend
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.orchestrator import _replicas as replicas_module
from agentcheck.live.services import cleanup, processes
from agentcheck.live.services.ports import listening_ports
from agentcheck.live.spec import DeploymentSpec
from tests.live.runtime.conftest import TINY, running, snapshot

pytestmark = pytest.mark.slow

GOOD_NGINX = """\
upstream agent {
    server agent:8000;
    keepalive 8;
}
server {
    listen 80;
    location / {
        proxy_pass http://agent;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_buffering off;
        proxy_read_timeout 600s;
    }
}
"""

PROBE = """\
from langgraph.graph import END, START, StateGraph
from typing import TypedDict


class S(TypedDict, total=False):
    reply: str


builder = StateGraph(S)
builder.add_node("probe", lambda state: {"reply": "probe"})
builder.add_edge(START, "probe")
builder.add_edge("probe", END)
graph = builder.compile()
"""


def client() -> httpx.Client:
    return httpx.Client(trust_env=False, timeout=30)


def run_wait(base: str, graph: str = "agent") -> dict[str, str]:
    with client() as c:
        answer = c.post(f"{base}/runs/wait", json={"assistant_id": graph, "input": {"text": "hi"}})
    answer.raise_for_status()
    result: dict[str, str] = answer.json()
    return result


def copy_tiny(dest: Path) -> Path:
    shutil.copytree(TINY, dest, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "_env_file").rename(dest / ".env")
    return dest


# -- one deployment for the module: 2 replicas behind nginx, plus an extra graph -------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_tiny(tmp_path_factory.mktemp("deployment") / "tiny")
    (root / "nginx.conf").write_text(GOOD_NGINX, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def before(project: Path) -> dict[str, bytes]:
    return snapshot(project)


@pytest.fixture(scope="module")
def deployment(
    project: Path, before: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    probe = tmp_path_factory.mktemp("probe") / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    spec = DeploymentSpec(
        root=project,
        config=project / "langgraph.json",
        replicas=2,
        proxy=project / "nginx.conf",
        extra_graphs={"agentcheck_probe": f"{probe}:graph"},
    )
    with Deployment(spec, LocalBackend()) as deployment:
        yield deployment


def test_replicas_answer_directly_and_through_the_proxy(deployment: Deployment) -> None:
    assert deployment.url == deployment.proxy_url
    assert len(set(deployment.urls)) == 2
    for base in [deployment.url, *deployment.urls]:
        # The graph imports the project's package, reads prompt.txt from the working directory
        # and gets TINY_GREETING from the .env named in langgraph.json.
        assert run_wait(base)["reply"] == "hello from .env | You are a tiny agent. | hi"
    assert run_wait(deployment.url, "agentcheck_probe")["reply"] == "probe"


def test_each_replica_listens_on_the_port_it_was_given(deployment: Deployment) -> None:
    ports = {int(url.rsplit(":", 1)[1]) for url in deployment.urls}
    held = set().union(*(listening_ports(pid) for pid in deployment.pids()))
    assert ports <= held


def test_the_project_is_left_untouched(
    deployment: Deployment, project: Path, before: dict[str, bytes]
) -> None:
    assert snapshot(project) == before
    assert not (project / ".langgraph_api").exists()
    assert isinstance(deployment.backend, LocalBackend)
    for workdir in deployment.backend.workdirs:
        assert (workdir / ".langgraph_api").is_dir()


def test_logs_are_per_replica_and_proxy(deployment: Deployment) -> None:
    first, second = (url.rsplit(":", 1)[1] for url in deployment.urls)
    assert f"--port {first} " in deployment.logs(0)
    assert f"--port {first} " not in deployment.logs(1)
    assert f"--port {second} " in deployment.logs(1)
    run_wait(deployment.url)
    assert '"POST /runs/wait HTTP/1.1" 200' in deployment.proxy_logs()
    with pytest.raises(IndexError):
        deployment.logs(2)


def test_url_runtime_reads_but_refuses_to_break(deployment: Deployment) -> None:
    spec = DeploymentSpec(root=deployment.spec.root, config=deployment.spec.config)
    backend = UrlBackend([deployment.url + "/", *deployment.urls])
    with Deployment(spec, backend) as existing:
        assert existing.url == deployment.url
        assert existing.alive(1)
        assert existing.logs(0) == ""
        with pytest.raises(LiveError, match="kill refused: the url runtime cannot kill"):
            existing.kill(1, signal.SIGKILL)
        with pytest.raises(LiveError, match="restart refused"):
            existing.restart(1)
    assert deployment.alive(1)


def test_kill_and_restart_on_the_same_port(deployment: Deployment) -> None:
    url = deployment.urls[1]
    deployment.kill(1, signal.SIGKILL)
    assert not deployment.alive(1)
    with client() as c, pytest.raises(httpx.ConnectError):
        c.get(url + "/ok")

    deployment.restart(1)
    assert deployment.urls[1] == url
    assert run_wait(url)["reply"].startswith("hello from .env")
    assert deployment.logs(1).count("--- agentcheck: ") == 2

    deployment.kill(0, signal.SIGTERM, wait=False)
    deadline = time.monotonic() + 60
    while deployment.alive(0) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not deployment.alive(0)
    deployment.restart(0)  # a stopped replica simply starts again
    assert run_wait(deployment.url)["reply"].startswith("hello from .env")


# -- start and stop, one runtime each -----------------------------------------------------------


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[object]]:
    """Every pid and temporary directory a runtime creates during the test."""
    seen: dict[str, list[object]] = {"pids": [], "dirs": []}
    start, mkdtemp = processes.Server.start, cleanup.Registry.mkdtemp

    def spying_start(self: processes.Server) -> None:
        start(self)
        seen["pids"].append(self.pid)

    def spying_mkdtemp(self: cleanup.Registry, prefix: str = "agentcheck-") -> Path:
        path = mkdtemp(self, prefix)
        seen["dirs"].append(path)
        return path

    monkeypatch.setattr(processes.Server, "start", spying_start)
    monkeypatch.setattr(cleanup.Registry, "mkdtemp", spying_mkdtemp)
    return seen


def assert_nothing_left(seen: dict[str, list[object]]) -> None:
    assert seen["dirs"], "the runtime made no directory: the spy saw nothing"
    assert running(p for p in seen["pids"] if isinstance(p, int)) == []
    assert not any(Path(str(d)).exists() for d in seen["dirs"])
    marker = cleanup.registry().marker
    if marker.exists():  # the module's deployment may still be recorded
        data = json.loads(marker.read_text(encoding="utf-8"))
        assert not {g[0] for g in data["groups"]} & set(seen["pids"])
        assert not set(data["dirs"]) & {str(d) for d in seen["dirs"]}


def test_stop_leaves_nothing_and_keeps_the_logs(
    tiny_project: Path, spy: dict[str, list[object]]
) -> None:
    spec = DeploymentSpec(
        root=tiny_project,
        config=tiny_project / "langgraph.json",
        redis=True,
        env={"TINY_EXTRA": 'port={port} redis={redis_url} json={"a": 1}'},
    )
    messages: list[str] = []
    runtime = Deployment(spec, LocalBackend(), progress=messages.append)
    with runtime:
        assert runtime.redis_url is not None
        port = int(runtime.redis_url.rsplit(":", 1)[1].split("/")[0])
        with socket.create_connection(("127.0.0.1", port)) as redis:
            redis.sendall(b"PING\r\n")
            assert redis.recv(16) == b"+PONG\r\n"
        assert len(runtime.pids()) == 2
        # env values are templated; braces that are no placeholder stay
        server_port = runtime.url.rsplit(":", 1)[1]
        assert run_wait(runtime.url)["reply"].endswith(
            f' | port={server_port} redis={runtime.redis_url} json={{"a": 1}}'
        )
    assert_nothing_left(spy)
    assert len(spy["pids"]) == 2
    assert "--- agentcheck: " in runtime.logs(0)
    assert any("healthy" in m for m in messages)
    runtime.stop()  # idempotent


def test_graph_that_fails_to_load_fails_start_with_its_log(
    tiny_project: Path, tmp_path: Path, spy: dict[str, list[object]]
) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom at import')\n", encoding="utf-8")
    spec = DeploymentSpec(
        root=tiny_project,
        config=tiny_project / "langgraph.json",
        extra_graphs={"broken": f"{broken}:graph"},
    )
    with pytest.raises(LiveError, match=r"(?s)replica 1/1 exited with status \d+ .*boom at import"):
        Deployment(spec, LocalBackend()).start()
    assert_nothing_left(spy)


def test_server_never_healthy_fails_within_the_timeout(
    tiny_project: Path, spy: dict[str, list[object]]
) -> None:
    spec = DeploymentSpec(
        root=tiny_project,
        config=tiny_project / "langgraph.json",
        server="command",
        command=f"{sys.executable} -m http.server {{port}} --bind {{host}}",
        health="/never-healthy",
        startup_timeout=3,
    )
    with pytest.raises(
        LiveError,
        match=r"(?s)did not become healthy .* within 3 s \(last answer: HTTP 404\).*"
        r'"GET /never-healthy HTTP/1.1" 404',
    ):
        Deployment(spec, LocalBackend()).start()
    assert_nothing_left(spy)


def test_a_taken_port_is_detected_and_replaced(
    tiny_project: Path, monkeypatch: pytest.MonkeyPatch, spy: dict[str, list[object]]
) -> None:
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    taken = squatter.getsockname()[1]
    ports: list[Callable[[], int]] = [lambda: taken, replicas_module.free_port]
    monkeypatch.setattr(
        replicas_module, "free_port", lambda: ports.pop(0)() if len(ports) > 1 else ports[0]()
    )
    messages: list[str] = []
    spec = DeploymentSpec(root=tiny_project, config=tiny_project / "langgraph.json")
    try:
        with Deployment(spec, LocalBackend(), progress=messages.append) as runtime:
            assert not runtime.url.endswith(f":{taken}")
            assert run_wait(runtime.url)["reply"].startswith("hello from .env")
    finally:
        squatter.close()
    assert sum(m.startswith("starting replica") for m in messages) == 2
    assert_nothing_left(spy)


@pytest.mark.parametrize(
    ("command", "error", "message"),
    [
        ("serve --port {port} --db {nope}", UsageError, r"unknown placeholder \{nope\}; known: "),
        ("agentcheck-no-such-server --port {port}", LiveError, "command not found"),
    ],
)
def test_bad_command_fails_before_anything_runs(
    tiny_project: Path,
    spy: dict[str, list[object]],
    command: str,
    error: type[Exception],
    message: str,
) -> None:
    spec = DeploymentSpec(
        root=tiny_project, config=tiny_project / "langgraph.json", server="command", command=command
    )
    with pytest.raises(error, match=message):
        Deployment(spec, LocalBackend()).start()
    assert spy["pids"] == []
    assert_nothing_left(spy)


@pytest.mark.skipif(
    shutil.which("aegra") is None and not Path(sys.executable).with_name("aegra").exists(),
    reason="needs aegra",
)
def test_aegra_replicas_share_a_throwaway_postgres(
    tiny_project: Path, spy: dict[str, list[object]]
) -> None:
    spec = DeploymentSpec(
        root=tiny_project,
        config=tiny_project / "langgraph.json",
        replicas=2,
        server="command",
        command="aegra serve --host {host} --port {port}",
        health="/health",
        database="postgres",
        env={"AEGRA_CONFIG": "{config}", "AUTH_TYPE": "noop"},
    )
    with Deployment(spec, LocalBackend()) as runtime, client() as c:
        assert runtime.database_url is not None
        assert runtime.database_url.startswith("postgresql://")
        thread = c.post(runtime.urls[0] + "/threads", json={}).json()["thread_id"]
        assert c.get(f"{runtime.urls[1]}/threads/{thread}").status_code == 200
        answer = c.post(
            f"{runtime.urls[1]}/threads/{thread}/runs/wait",
            json={"assistant_id": "agent", "input": {"text": "hi"}},
        )
        assert answer.json()["reply"] == "hello from .env | You are a tiny agent. | hi"
        # postgres (with its backends) and two aegra process trees (wrapper and uvicorn)
        assert len(spy["pids"]) == 3
    assert_nothing_left(spy)
