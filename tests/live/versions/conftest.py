"""One langhost deployment of the recipe project's working tree, shared by the slow tests.

The recipe (:mod:`.recipe`) builds a git repository with two releases; the deployment serves
its working tree (one replica of Agent Server on a throwaway PostgreSQL and Redis, plus the
probe graph). Each check starts the release it compares with beside it, on the same services,
and leaves the deployment as it found it, so the compatible and the incompatible pair share it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agentcheck.live.backends import LocalBackend
from agentcheck.live.checks import LiveCheck, LiveContext, Outcome, run_check
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.probe import FILES, GRAPHS
from agentcheck.live.settings import load_settings
from agentcheck.live.spec import DeploymentSpec
from tests.live.versions.recipe import build

LANGHOST = Path(__file__).parents[3] / ".venv-langhost"


@pytest.fixture(scope="session")
def recipe_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("versions") / "desk"
    build(root)
    return root


@pytest.fixture(scope="session")
def langhost() -> Path:
    """The virtualenv holding langhost (skipped without it, failed in CI)."""
    if not (LANGHOST / "bin" / "langhost").exists():
        message = f"needs langhost in {LANGHOST} (./scripts/bootstrap installs it)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return LANGHOST


@pytest.fixture(scope="session")
def working_tree(recipe_repo: Path, langhost: Path) -> Iterator[Deployment]:
    """The working tree on one langhost replica (PostgreSQL + Redis)."""
    spec = DeploymentSpec(
        root=recipe_repo,
        config=recipe_repo / "langgraph.json",
        server="langhost",
        database="postgres",
        redis=True,
        extra_graphs=GRAPHS,
        files=FILES,
        startup_timeout=120.0,
    )
    with Deployment(spec, LocalBackend(langhost=str(langhost))) as deployment:
        yield deployment


@pytest.fixture
def check_on() -> Callable[..., list[Outcome]]:
    """``check_on(deployment, AC851(), since="v0.9.0")``: the check's outcome on every graph."""

    def run(deployment: Deployment, check: LiveCheck, **kwargs: object) -> list[Outcome]:
        base = load_settings(deployment.spec.root, table={}, run_budget=300.0)
        settings = dataclasses.replace(base, results=None, **kwargs)  # type: ignore[arg-type]
        ctx = LiveContext(deployment, settings)
        try:
            return [run_check(check, ctx, graph) for graph in check.params(ctx.graphs, ctx.probe)]
        finally:
            ctx.close_clients()

    return run
