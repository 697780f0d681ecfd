"""Which release AC851-AC853 start, checked out without touching the user's repository, and
why they say nothing when there is none."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from agentcheck.errors import LiveError
from agentcheck.live.checks import LiveContext
from agentcheck.live.checks._base import CheckSkipped
from agentcheck.live.checks._release import Release, release
from agentcheck.live.settings import load_settings
from tests.live.versions.recipe import COMPATIBLE, INCOMPATIBLE, PROJECT, build
from tests.versions.conftest import Repo


class Running:
    """What the release checkout needs of a started deployment: its directory, its progress,
    its spec (langhost on PostgreSQL unless told)."""

    def __init__(
        self, directory: Path | None, server: str = "langhost", database: str | None = "postgres"
    ) -> None:
        self.directory = directory
        self.spec = SimpleNamespace(server=server, database=database)
        self.said: list[str] = []

    def report(self, message: str) -> None:
        self.said.append(message)


def _context(root: Path, directory: Path | None, **settings: object) -> LiveContext:
    base = load_settings(root, table={}, run_budget=300.0)
    replaced = dataclasses.replace(base, results=None, **settings)  # type: ignore[arg-type]
    return LiveContext(Running(directory), replaced)  # type: ignore[arg-type]


def _snapshot(git_dir: Path) -> dict[str, float]:
    return {
        str(p.relative_to(git_dir)): p.stat().st_mtime
        for p in git_dir.rglob("*")
        if p.is_file() and "objects" not in p.parts
    }


@pytest.fixture
def recipe(tmp_path: Path) -> Path:
    root = tmp_path / "desk"
    build(root)
    return root


def test_the_newest_version_tag_is_checked_out_and_the_repository_left_alone(
    recipe: Path, tmp_path: Path
) -> None:
    before = _snapshot(recipe / ".git")
    ctx = _context(recipe, tmp_path / "run")
    (tmp_path / "run").mkdir()
    found = release(ctx)
    assert (found.label, found.chosen_by) == (COMPATIBLE, "tag")
    assert found.named.startswith(f"{COMPATIBLE} (the newest version tag, ")
    assert found.graphs == ("desk", "approvals")
    assert found.config == found.root / "langgraph.json"
    assert (found.root / "desk" / "state.py").read_text() == PROJECT["desk/state.py"]
    assert "priority" in (recipe / "desk" / "state.py").read_text()  # the working tree's
    assert release(ctx) is found  # once per context
    assert _snapshot(recipe / ".git") == before  # no worktree entry, index, ref or lock
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=recipe, capture_output=True, text=True, check=True
        ).stdout
        == ""
    )
    # Another context of the same deployment reuses the checkout.
    again = release(_context(recipe, tmp_path / "run"))
    assert again.root == found.root
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [found.root.name]


def test_since_names_another_release(recipe: Path, tmp_path: Path) -> None:
    found = release(_context(recipe, tmp_path, since=INCOMPATIBLE))
    assert (found.label, found.chosen_by) == (INCOMPATIBLE, "--since")
    assert "topic: str" in (found.root / "desk" / "state.py").read_text()


def test_a_project_below_the_repository_root(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "mono")
    repo.commit({f"services/desk/{k}": v for k, v in PROJECT.items()}, tag="v2.0.0")
    repo.commit({"services/desk/desk/extra.py": "x = 1\n"})
    found = release(_context(repo.path / "services" / "desk", tmp_path / "run"))
    assert found.root == tmp_path / "run" / found.root.parent.parent.name / "services" / "desk"
    assert not (found.root / "desk" / "extra.py").exists()
    assert found.graphs == ("desk", "approvals")


def _skipped(ctx: LiveContext) -> str:
    with pytest.raises(CheckSkipped) as raised:
        release(ctx)
    return str(raised.value)


def test_without_git_or_a_release_it_says_how_to_name_one(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    for rel, text in PROJECT.items():
        (plain / rel).parent.mkdir(parents=True, exist_ok=True)
        (plain / rel).write_text(text)
    said = _skipped(_context(plain, tmp_path))
    assert said.startswith("no release to start: not a git repository; tag the last release")
    assert "release-ref" in said
    assert "--since REF" in said
    repo = Repo(tmp_path / "untagged")
    repo.commit(PROJECT)
    repo.commit({"README.md": "x"})
    said = _skipped(_context(repo.path, tmp_path))
    assert said.startswith("no release to start: no release tag (v1.2.3 or 1.2.3)")


def test_the_release_itself_unchanged_has_nothing_beside_it(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit(PROJECT, tag="v1.0.0")
    said = _skipped(_context(repo.path, tmp_path))
    assert said.startswith("the working tree is v1.0.0 itself (nothing changed since it")
    (repo.path / "desk" / "new.py").write_text("x = 1\n")  # untracked, not ignored: a change
    assert release(_context(repo.path, tmp_path)).label == "v1.0.0"


def test_a_release_without_the_config_served_no_graphs(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit({"README.md": "before the agent\n"}, tag="v0.1.0")
    repo.commit(PROJECT)
    said = _skipped(_context(repo.path, tmp_path))
    assert said == "v0.1.0 has no langgraph.json: it served no graphs to upgrade from"


def test_a_stopped_deployment_has_nowhere_to_check_out(recipe: Path) -> None:
    with pytest.raises(LiveError, match="the deployment is not running"):
        release(_context(recipe, None))


def test_the_checkout_is_not_a_git_worktree(recipe: Path, tmp_path: Path) -> None:
    found: Release = release(_context(recipe, tmp_path))
    assert not (found.root / ".git").exists()
    listed = subprocess.run(
        ["git", "worktree", "list", "--porcelain"],
        cwd=recipe,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    ).stdout
    assert listed.count("worktree ") == 1
