"""Which release the working tree is compared with, and reading it from git objects."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psutil
import pytest

from agentcheck.config import Config, since
from agentcheck.errors import ConfigError, UsageError
from agentcheck.project import Project
from agentcheck.versions import Baseline, NoBaseline, baseline, check_since, comparison
from agentcheck.versions._git import RevisionProject, newest_version_tag
from tests.versions.conftest import ENV, PROJECT, Repo


def _project(repo: Repo, ref: str | None = None) -> Project:
    return Project(repo.path, since(Config(), ref))


@pytest.mark.parametrize(
    ("tags", "newest"),
    [
        (["v1.2.0", "v1.10.0", "v1.9.3"], "v1.10.0"),
        (["1.2.3", "v1.2"], "1.2.3"),
        (["v2.0.0rc1", "v1.0.0", "release-2024", "chart-3.0.0", "langgraph==0.2"], "v1.0.0"),
        (["nightly", "v2.0.0-beta.1"], None),
    ],
)
def test_the_newest_release_tag_is_the_highest_version(tags: list[str], newest: str | None) -> None:
    assert newest_version_tag(tags) == newest


def test_the_baseline_is_the_newest_release_head_descends_from(repo: Repo) -> None:
    repo.commit(PROJECT, tag="v1.0.0")
    v11 = repo.commit({"README.md": "v1.1\n"}, tag="v1.1.0")
    repo.git("checkout", "-q", "-b", "hotfix", "v1.0.0")
    repo.commit({"fix.txt": "x"}, tag="v1.0.1")
    repo.git("checkout", "-q", "main")
    repo.commit({"README.md": "next\n"})
    repo.git("tag", "v9.9.9", "hotfix")  # on a branch HEAD does not descend from
    found = baseline(_project(repo))
    assert found == Baseline("v1.1.0", v11, "tag")


def test_release_ref_and_since_name_the_baseline(repo: Repo) -> None:
    first = repo.commit(PROJECT)
    repo.commit({"README.md": "x"}, tag="v1.0.0")
    configured = Project(repo.path, Config(release_ref="HEAD~1"))
    assert baseline(configured) == Baseline("HEAD~1", first, "release-ref")
    assert baseline(_project(repo, first[:10])) == Baseline(first[:10], first, "--since")


@pytest.mark.parametrize("ref", ["", "  ", "-x", "--output=/tmp/x"])
def test_since_must_look_like_a_revision(ref: str) -> None:
    with pytest.raises(ConfigError, match="expected a git revision"):
        since(Config(), ref)


def test_a_since_that_is_no_commit_is_a_usage_error(repo: Repo, tmp_path: Path) -> None:
    repo.commit(PROJECT)
    repo.commit({"README.md": "x"})
    with pytest.raises(UsageError, match="--since 'v7' is not a commit in this repository"):
        check_since(_project(repo, "v7"))
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(UsageError, match="--since 'v1': not a git repository"):
        check_since(Project(plain, since(Config(), "v1")))
    check_since(_project(repo, "HEAD~1"))  # a commit: no error


@pytest.mark.parametrize(
    ("setup", "tell"),
    [
        ("no-git", False),
        ("no-commit", False),
        ("one-commit", False),
        ("history", True),
        ("shallow", True),
    ],
)
def test_without_a_release_only_a_history_is_told(
    setup: str, tell: bool, tmp_path: Path, repo: Repo
) -> None:
    root = repo.path
    if setup == "no-git":
        root = tmp_path / "plain"
        root.mkdir()
    elif setup == "one-commit":
        repo.commit(PROJECT)
    elif setup in ("history", "shallow"):
        repo.commit(PROJECT)
        repo.commit({"README.md": "x"})
    if setup == "shallow":
        clone = tmp_path / "clone"
        subprocess.run(
            ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)],
            check=True,
            env={**os.environ, **ENV},
        )
        root = clone
    found = baseline(Project(root))
    assert isinstance(found, NoBaseline)
    assert found.tell is tell
    if setup == "shallow":
        assert "shallow clone" in found.reason


def test_the_release_is_read_from_git_not_from_the_working_tree(repo: Repo) -> None:
    commit = repo.commit(PROJECT, tag="v1.0.0")
    repo.write({"agent/state.py": "class State:\n    pass\n", "agent/new.py": "x = 1\n"})
    (repo.path / "agent" / "graph.py").unlink()
    (repo.path / "binary.dat").write_bytes(b"\0\1\2")
    repo.git("add", "binary.dat")
    old = RevisionProject(repo.path, Config(), repo.path, commit)
    try:
        assert "agent/graph.py" in old.files
        assert "agent/new.py" not in old.files
        assert "binary.dat" not in old.files
        assert old.text("agent/state.py") == PROJECT["agent/state.py"]
        assert old.text("agent/new.py") is None
        assert old.python("agent/graph.py") is not None
    finally:
        old.close()


def test_a_project_below_the_repository_root_reads_its_own_subtree(repo: Repo) -> None:
    repo.commit({f"services/desk/{k}": v for k, v in PROJECT.items()} | {"other/x.py": ""},
                tag="v1.0.0")  # fmt: skip
    repo.commit(
        {"services/desk/agent/state.py": PROJECT["agent/state.py"].replace("question", "query")}
    )
    found = comparison(Project(repo.path / "services" / "desk"))
    assert not isinstance(found, NoBaseline)
    assert found.old.configs == ("langgraph.json",)
    old_state = found.old.graphs["support"].schemas["state"]
    new_state = found.new.graphs["support"].schemas["state"]
    assert old_state.where.path == "agent/state.py"
    assert set(old_state.fields) == {"question", "notes"}
    assert set(new_state.fields) == {"query", "notes"}


def test_reading_the_release_leaves_no_git_process_behind(repo: Repo) -> None:
    repo.commit(PROJECT, tag="v1.0.0")
    repo.commit({"README.md": "x"})
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    found = comparison(Project(repo.path))
    assert not isinstance(found, NoBaseline)
    assert set(found.old.graphs) == {"support"}
    after = {p.pid for p in psutil.Process().children(recursive=True)}
    assert after <= before
