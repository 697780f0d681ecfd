"""Real servers for the check tests, started once per session and shared.

One ``langgraph dev`` replica serves the live fixture project (tests/fixtures/live/project, a
ChatOpenAI graph, pointed at the fake LLM) and the probe graph. Each nginx config of
tests/fixtures/live/nginx runs for real in front of that same replica (the orchestrator starts
it, over a backend that only shares the replica), so a check can be shown passing behind the
right config and failing behind a wrong one without a second agent server.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentcheck.live.backends import Backend, Launch, LocalBackend
from agentcheck.live.checks import LiveContext
from agentcheck.live.fake_llm import FakeLLM
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.probe import FILES, GRAPHS
from agentcheck.live.settings import LiveSettings, load_settings
from agentcheck.live.spec import DeploymentSpec

LIVE = Path(__file__).parents[2] / "fixtures" / "live"
PROJECT = LIVE / "project"
NGINX = LIVE / "nginx"

needs_nginx = pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="needs nginx"
)


class Shared(Backend):
    """The replicas of a deployment a session fixture started, seen again (through another
    nginx): starting one returns its URL, nothing can be broken, its logs are the original's."""

    name = "shared"

    def __init__(self, inner: Deployment) -> None:
        self.inner = inner

    def start(self, launch: Launch) -> str:
        return self.inner.urls[launch.index]

    def signal(self, index: int, sig: int) -> None:
        raise NotImplementedError

    def alive(self, index: int) -> bool:
        return self.inner.alive(index)

    def log(self, index: int) -> str:
        return self.inner.logs(index)

    def close(self) -> None:
        return None


@pytest.fixture(scope="session")
def fake_llm_server() -> Iterator[FakeLLM]:
    with FakeLLM() as llm:
        yield llm


def _spec(fake: FakeLLM, **kwargs: object) -> DeploymentSpec:
    return DeploymentSpec(
        root=PROJECT,
        config=PROJECT / "langgraph.json",
        env=fake.env,
        extra_graphs=GRAPHS,
        files=FILES,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def replica(fake_llm_server: FakeLLM) -> Iterator[Deployment]:
    """One langgraph dev serving the fixture project and the probe."""
    with Deployment(_spec(fake_llm_server), LocalBackend()) as deployment:
        yield deployment


@pytest.fixture(scope="session")
def aegra(fake_llm_server: FakeLLM) -> Iterator[Deployment]:
    """One Aegra (on a throwaway PostgreSQL) serving the same project and the probe."""
    if shutil.which("aegra") is None and not Path(sys.executable).with_name("aegra").exists():
        pytest.skip("needs aegra")
    spec = _spec(
        fake_llm_server,
        server="command",
        command="aegra serve --host {host} --port {port}",
        health="/health",
        database="postgres",
    )
    spec = dataclasses.replace(
        spec, env={**spec.env, "AEGRA_CONFIG": "{config}", "AUTH_TYPE": "noop"}
    )
    with Deployment(spec, LocalBackend()) as deployment:
        yield deployment


@pytest.fixture(scope="session")
def seen_through() -> Iterator[Callable[[str | None, Deployment], Deployment]]:
    """``seen_through("good.conf", replica)``: that deployment's replicas behind that nginx
    config, run by the orchestrator (cached; ``None``: directly, no proxy)."""
    started: dict[tuple[str | None, str], Deployment] = {}

    def get(conf: str | None, inner: Deployment) -> Deployment:
        key = (conf, inner.urls[0])
        if key not in started:
            spec = dataclasses.replace(
                inner.spec,
                proxy=NGINX / conf if conf is not None else None,
                database=None,
                redis=False,
                fake_llm=False,
            )
            deployment = Deployment(spec, Shared(inner))
            deployment.start()
            started[key] = deployment
        return started[key]

    yield get
    for deployment in started.values():
        deployment.stop()


def settings(proxy: Path | None = None, **kwargs: object) -> LiveSettings:
    base = load_settings(PROJECT, table={}, run_budget=300.0)
    # results=None: the fixture project lives in the repository, where nothing is written.
    return dataclasses.replace(base, proxy=proxy, results=None, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def behind(
    replica: Deployment,
    seen_through: Callable[[str | None, Deployment], Deployment],
    fake_llm_server: FakeLLM,
) -> Iterator[Callable[..., LiveContext]]:
    """``behind("short-timeout.conf")``: a check context for the replica behind that nginx
    (``behind(None)``: the replica directly; ``runtime=aegra``: another server)."""

    def make(conf: str | None, runtime: Deployment | None = None, **kwargs: object) -> LiveContext:
        deployment = seen_through(conf, runtime or replica)
        proxy = NGINX / conf if conf is not None else None
        return LiveContext(deployment, settings(proxy, **kwargs), fake_llm_server)

    yield make
    fake_llm_server.reset()
