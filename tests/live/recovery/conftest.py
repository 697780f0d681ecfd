"""Real deployments for the recovery and replica checks, started once per session and shared.

Each server kind the checks are proven on runs the live fixture project (a ChatOpenAI graph on
the fake LLM) and the probe graph: ``langhost`` (Agent Server on PostgreSQL + Redis, two
replicas, its heartbeat lowered so a crashed run is reclaimed in seconds instead of minutes),
``langgraph dev`` (one and two replicas, in memory) and Aegra (two replicas on PostgreSQL).
Checks that break a deployment restore it, so tests can share one.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentcheck.live.backends import LocalBackend
from agentcheck.live.checks import LiveCheck, LiveContext, Outcome, run_check
from agentcheck.live.fake_llm import FakeLLM
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.probe import FILES, GRAPHS
from agentcheck.live.settings import LiveSettings, load_settings
from agentcheck.live.spec import DeploymentSpec

ROOT = Path(__file__).parents[3]
PROJECT = ROOT / "tests" / "fixtures" / "live" / "project"
LANGHOST = ROOT / ".venv-langhost"
#: Agent Server's heartbeat for the tests: a killed replica's runs are reclaimed after 2-4x
#: this (the default, 120 s, would make each crash test take minutes).
HEARTBEAT = "5"


def _missing(what: str) -> None:
    message = f"needs {what} (./scripts/bootstrap installs it)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def recovery_llm() -> Iterator[FakeLLM]:
    with FakeLLM() as llm:
        yield llm


def _spec(fake: FakeLLM, **kwargs: object) -> DeploymentSpec:
    env = {**fake.env, **kwargs.pop("env", {})}  # type: ignore[dict-item]
    return DeploymentSpec(
        root=PROJECT,
        config=PROJECT / "langgraph.json",
        env=env,
        extra_graphs=GRAPHS,
        files=FILES,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def langhost(recovery_llm: FakeLLM) -> Iterator[Deployment]:
    """Two langhost replicas on one throwaway PostgreSQL and Redis, heartbeat 5 s."""
    if not (LANGHOST / "bin" / "langhost").exists():
        _missing(f"langhost in {LANGHOST}")
    spec = _spec(
        recovery_llm,
        server="langhost",
        database="postgres",
        redis=True,
        replicas=2,
        env={"LG_BG_JOB_HEARTBEAT": HEARTBEAT},
    )
    with Deployment(spec, LocalBackend(langhost=str(LANGHOST))) as deployment:
        yield deployment


@pytest.fixture(scope="session")
def dev1(recovery_llm: FakeLLM) -> Iterator[Deployment]:
    """One langgraph dev (in memory)."""
    with Deployment(_spec(recovery_llm), LocalBackend()) as deployment:
        yield deployment


@pytest.fixture(scope="session")
def dev2(recovery_llm: FakeLLM) -> Iterator[Deployment]:
    """Two langgraph dev replicas (in memory each: they share nothing)."""
    with Deployment(_spec(recovery_llm, replicas=2), LocalBackend()) as deployment:
        yield deployment


@pytest.fixture(scope="session")
def aegra2(recovery_llm: FakeLLM) -> Iterator[Deployment]:
    """Two Aegra 0.6 replicas on one throwaway PostgreSQL."""
    if shutil.which("aegra") is None and not Path(sys.executable).with_name("aegra").exists():
        _missing("aegra")
    spec = _spec(
        recovery_llm,
        server="command",
        command="aegra serve --host {host} --port {port}",
        health="/health",
        database="postgres",
        replicas=2,
        env={"AEGRA_CONFIG": "{config}", "AUTH_TYPE": "noop"},
    )
    with Deployment(spec, LocalBackend()) as deployment:
        yield deployment


def settings(**kwargs: object) -> LiveSettings:
    base = load_settings(PROJECT, table={}, run_budget=300.0)
    # results=None: the checks that fail here on purpose keep no logs in the fixture project.
    return dataclasses.replace(base, **{"results": None, **kwargs})  # type: ignore[arg-type]


#: Contexts kept across tests by ``check_on(..., shared=True)``, as a pytest session keeps one.
_SHARED: dict[tuple[int, str], LiveContext] = {}


@pytest.fixture
def check_on(recovery_llm: FakeLLM) -> Iterator[Callable[..., Outcome]]:
    """``check_on(langhost, AC812(), recovery_timeout=60)``: run one check on a deployment.

    Each call has a context of its own, unless ``shared=True``: then every such call on the
    same deployment with the same settings shares one, as the checks of one pytest session do
    (AC812 and AC824 read one SIGKILL there)."""

    def run(
        deployment: Deployment, check: LiveCheck, *, shared: bool = False, **kwargs: object
    ) -> Outcome:
        key = (id(deployment), repr(sorted(kwargs.items())))
        ctx = _SHARED.get(key) if shared else None
        if ctx is None or ctx.deployment is not deployment:
            ctx = LiveContext(deployment, settings(**kwargs), recovery_llm)
            if shared:
                _SHARED[key] = ctx
        graph = check.params(ctx.graphs, ctx.probe)[0]
        try:
            return run_check(check, ctx, graph)
        finally:
            ctx.close_clients()

    yield run
    recovery_llm.reset()
