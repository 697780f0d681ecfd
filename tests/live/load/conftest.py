"""Real deployments for the load checks, started once per session and shared.

Each serves the live fixture project (a ChatOpenAI graph on the fake LLM, whose latency the
load settings set) and the probe. ``dev`` is langgraph dev as the live checks start it (10 jobs
per worker); ``dev_queued`` the same with one job per worker, so concurrent runs queue;
``dev2`` two langgraph dev replicas (each keeps its threads in memory: they share nothing);
``langhost2`` two langhost replicas on one PostgreSQL and Redis with few jobs each, so one
replica saturates and a second one doubles what they can run.
"""

from __future__ import annotations

import dataclasses
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcheck.live.backends import LocalBackend
from agentcheck.live.checks import LiveCheck, LiveContext, Outcome, run_check
from agentcheck.live.fake_llm import FakeLLM
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.probe import FILES, GRAPHS
from agentcheck.live.settings import load_settings
from agentcheck.live.spec import DeploymentSpec
from tests.live.recovery.conftest import LANGHOST, _missing

ROOT = Path(__file__).parents[3]
PROJECT = ROOT / "tests" / "fixtures" / "live" / "project"
LANGGRAPH = Path(sys.executable).with_name("langgraph")
#: Jobs per langhost replica: few, so that the load's users queue on one replica.
LANGHOST_JOBS = 2


@pytest.fixture(scope="session")
def load_llm() -> Iterator[FakeLLM]:
    with FakeLLM() as llm:
        yield llm


def _spec(fake: FakeLLM, **kwargs: Any) -> DeploymentSpec:
    return DeploymentSpec(
        root=PROJECT,
        config=PROJECT / "langgraph.json",
        env=fake.env,
        extra_graphs=GRAPHS,
        files=FILES,
        **kwargs,
    )


def _dev_command(jobs: int) -> str:
    return (
        f"{LANGGRAPH} dev --no-browser --no-reload --allow-blocking --host {{host}} "
        f"--port {{port}} --n-jobs-per-worker {jobs} --config {{config}}"
    )


@pytest.fixture(scope="session")
def dev(load_llm: FakeLLM) -> Iterator[Deployment]:
    """One langgraph dev, 10 jobs per worker (as the live checks start it)."""
    with Deployment(_spec(load_llm), LocalBackend()) as deployment:
        yield deployment


@pytest.fixture(scope="session")
def dev_queued(load_llm: FakeLLM) -> Iterator[Deployment]:
    """One langgraph dev with one job per worker: runs queue behind each other."""
    spec = _spec(load_llm, server="command", command=_dev_command(1))
    with Deployment(spec, LocalBackend()) as deployment:
        yield deployment


@pytest.fixture(scope="session")
def dev2(load_llm: FakeLLM) -> Iterator[Deployment]:
    """Two langgraph dev replicas: each keeps its threads to itself."""
    with Deployment(_spec(load_llm, replicas=2), LocalBackend()) as deployment:
        yield deployment


@pytest.fixture(scope="session")
def langhost2(load_llm: FakeLLM) -> Iterator[Deployment]:
    """Two langhost replicas on one PostgreSQL and Redis, LANGHOST_JOBS jobs each."""
    if not (LANGHOST / "bin" / "langhost").exists():
        _missing(f"langhost in {LANGHOST}")
    command = (
        f"{LANGHOST}/bin/langhost serve --config {{config}} --host {{host}} --port {{port}} "
        f"--no-browser --allow-blocking --n-jobs-per-worker {LANGHOST_JOBS}"
    )
    spec = _spec(
        load_llm, server="command", command=command, database="postgres", redis=True, replicas=2
    )
    with Deployment(spec, LocalBackend()) as deployment:
        yield deployment


@pytest.fixture
def load_check(load_llm: FakeLLM, tmp_path: Path) -> Iterator[Callable[..., Outcome]]:
    """``load_check(dev, AC831(), "users = 4 ...")``: run a load check on a deployment with
    that ``[tool.agentcheck.load]`` table (in a project of its own under ``tmp_path``)."""

    def run(deployment: Deployment, check: LiveCheck, table: str, **kwargs: Any) -> Outcome:
        body = textwrap.dedent(table)
        (tmp_path / "pyproject.toml").write_text(f"[tool.agentcheck.load]\n{body}\n")
        base = load_settings(PROJECT, table={}, run_budget=300.0)
        settings = dataclasses.replace(
            base, root=tmp_path, results=tmp_path / "results", load=True, **kwargs
        )
        ctx = LiveContext(deployment, settings, load_llm)
        try:
            return run_check(check, ctx, check.params(ctx.graphs, ctx.probe)[0])
        finally:
            ctx.close_clients()

    yield run
    load_llm.reset()
