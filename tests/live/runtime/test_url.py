"""The url runtime without a deployment, make_runtime and DeploymentSpec validation."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest

from agentcheck.errors import LiveError, UsageError
from agentcheck.live.runtimes import DeploymentSpec, make_runtime
from agentcheck.live.runtimes.url import UrlRuntime

SPEC = DeploymentSpec(root=Path("."), config=Path("langgraph.json"), startup_timeout=0.5)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_deployment_fails_start() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    runtime = make_runtime("url", SPEC, [url])
    with pytest.raises(LiveError, match=rf"{url}/ok is not healthy \(no answer\) after 0.5 s"):
        runtime.start()
    runtime.stop()  # nothing to stop, and no error


def test_destructive_methods_are_refused_without_touching_anything() -> None:
    runtime = make_runtime("url", SPEC, [f"http://127.0.0.1:{closed_port()}"])
    assert not runtime.destructive
    with pytest.raises(LiveError, match="kill refused"):
        runtime.kill(0, signal.SIGKILL)
    with pytest.raises(LiveError, match="restart refused"):
        runtime.restart(0)
    with pytest.raises(IndexError):
        runtime.logs(3)


@pytest.mark.parametrize(
    ("urls", "message"),
    [([], "needs the deployment's URL"), (["127.0.0.1:2024"], "not an http")],
)
def test_url_runtime_needs_urls(urls: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        UrlRuntime(SPEC, urls)


def test_unknown_runtime_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown runtime 'docker'; choose one of: local, url"):
        make_runtime("docker", SPEC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"replicas": 0}, "replicas must be at least 1"),
     ({"server": "command"}, "needs a command template")],
)  # fmt: skip
def test_spec_rejects_what_cannot_run(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DeploymentSpec(root=Path("."), config=Path("langgraph.json"), **kwargs)  # type: ignore[arg-type]
