"""Real servers for the check tests, started once per session and shared.

One ``langgraph dev`` replica serves the live fixture project (tests/fixtures/live/project, a
ChatOpenAI graph, pointed at the fake LLM) and the probe graph. Each nginx config of
tests/fixtures/live/nginx runs for real in front of that same replica, so a check can be shown
passing behind the right config and failing behind a wrong one without a second agent server.
"""

from __future__ import annotations

import dataclasses
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentcheck.live.checks import LiveContext
from agentcheck.live.fake_llm import FakeLLM
from agentcheck.live.probe import GRAPH_ID, GRAPH_SPEC
from agentcheck.live.runtimes import DeploymentSpec, Runtime, make_runtime
from agentcheck.live.services.nginx import Nginx
from agentcheck.live.services.ports import LOOPBACK
from agentcheck.live.settings import LiveSettings, load_settings

LIVE = Path(__file__).parents[2] / "fixtures" / "live"
PROJECT = LIVE / "project"
NGINX = LIVE / "nginx"

needs_nginx = pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(), reason="needs nginx"
)


class Behind(Runtime):
    """A started replica seen through one nginx (or directly): what a check gets to see.

    It starts and stops nothing itself: the replica and nginx are session fixtures shared by
    several of these, one per nginx config.
    """

    name = "local"
    destructive = False

    def __init__(self, replica: Runtime, nginx: Nginx | None) -> None:
        super().__init__(replica.spec)
        self.replica = replica
        self.nginx = nginx

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None

    @property
    def urls(self) -> list[str]:
        return self.replica.urls

    @property
    def proxy_url(self) -> str | None:
        return self.nginx.url if self.nginx is not None else None

    def kill(self, index: int, sig: int = signal.SIGTERM, *, wait: bool = True) -> None:
        raise NotImplementedError

    def restart(self, index: int) -> None:
        raise NotImplementedError

    def alive(self, index: int) -> bool:
        return self.replica.alive(index)

    def logs(self, index: int) -> str:
        return self.replica.logs(index)

    def proxy_logs(self) -> str:
        return self.nginx.log() if self.nginx is not None else ""


@pytest.fixture(scope="session")
def fake_llm_server() -> Iterator[FakeLLM]:
    with FakeLLM() as llm:
        yield llm


def _spec(fake: FakeLLM, **kwargs: object) -> DeploymentSpec:
    return DeploymentSpec(
        root=PROJECT,
        config=PROJECT / "langgraph.json",
        env=fake.env,
        extra_graphs={GRAPH_ID: GRAPH_SPEC},
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def replica(fake_llm_server: FakeLLM) -> Iterator[Runtime]:
    """One langgraph dev serving the fixture project and the probe."""
    with make_runtime("local", _spec(fake_llm_server)) as runtime:
        yield runtime


@pytest.fixture(scope="session")
def aegra(fake_llm_server: FakeLLM) -> Iterator[Runtime]:
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
    with make_runtime("local", spec) as runtime:
        yield runtime


@pytest.fixture(scope="session")
def nginx_for(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str, Runtime], Nginx]]:
    """``nginx_for("good.conf", runtime)``: that config running in front of it (cached)."""
    started: dict[tuple[str, str], Nginx] = {}

    def get(name: str, runtime: Runtime) -> Nginx:
        key = (name, runtime.urls[0])
        if key not in started:
            port = int(runtime.urls[0].rsplit(":", 1)[1])
            nginx = Nginx(NGINX / name, tmp_path_factory.mktemp(name), [(LOOPBACK, port)])
            nginx.start()
            started[key] = nginx
        return started[key]

    yield get
    for nginx in started.values():
        nginx.stop()


def settings(proxy: Path | None = None, **kwargs: object) -> LiveSettings:
    base = load_settings(PROJECT, table={}, run_budget=300.0)
    return dataclasses.replace(base, proxy=proxy, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def behind(
    replica: Runtime, nginx_for: Callable[[str, Runtime], Nginx], fake_llm_server: FakeLLM
) -> Iterator[Callable[..., LiveContext]]:
    """``behind("short-timeout.conf")``: a check context for the replica behind that nginx
    (``behind(None)``: the replica directly; ``runtime=aegra``: another server)."""
    contexts: list[LiveContext] = []

    def make(conf: str | None, runtime: Runtime | None = None, **kwargs: object) -> LiveContext:
        server = runtime or replica
        nginx = nginx_for(conf, server) if conf is not None else None
        proxy = NGINX / conf if conf is not None else None
        ctx = LiveContext(Behind(server, nginx), settings(proxy, **kwargs), fake_llm_server)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.fake_llm = None  # shared by the session: closing the context must not stop it
        ctx.close()
    fake_llm_server.reset()
