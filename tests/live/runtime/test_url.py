"""The url backend without a deployment, and DeploymentSpec validation."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest

from agentcheck.errors import LiveError, UsageError
from agentcheck.live.backends import UrlBackend
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.spec import DeploymentSpec

SPEC = DeploymentSpec(root=Path("."), config=Path("langgraph.json"), startup_timeout=0.5)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_deployment_fails_start() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    deployment = Deployment(SPEC, UrlBackend([url]))
    with pytest.raises(LiveError, match=rf"{url}/ok within 0.5 s \(last answer: no answer\)$"):
        deployment.start()
    deployment.stop()  # nothing to stop, and no error


def test_destructive_methods_are_refused_without_touching_anything() -> None:
    deployment = Deployment(SPEC, UrlBackend([f"http://127.0.0.1:{closed_port()}"]))
    assert deployment.capabilities == frozenset()
    assert not deployment.managed
    with pytest.raises(LiveError, match="kill refused: the url runtime cannot kill"):
        deployment.kill(0, signal.SIGKILL)
    with pytest.raises(LiveError, match="restart refused"):
        deployment.restart(0)
    with pytest.raises(IndexError):
        deployment.logs(3)


@pytest.mark.parametrize(
    ("urls", "message"),
    [([], "needs the deployment's URL"), (["127.0.0.1:2024"], "not an http")],
)
def test_url_backend_needs_urls(urls: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        UrlBackend(urls)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"replicas": 0}, "replicas must be at least 1"),
     ({"server": "command"}, "needs a command template")],
)  # fmt: skip
def test_spec_rejects_what_cannot_run(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DeploymentSpec(root=Path("."), config=Path("langgraph.json"), **kwargs)  # type: ignore[arg-type]
