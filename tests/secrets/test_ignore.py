"""``.gitignore`` as git reads it, ``.dockerignore`` as Docker reads it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from agentcheck.secrets import GitIgnores, docker_excludes, dockerignore_spec

GITIGNORE = """
.env
.env.*
!.env.example
/build/
secrets/
!secrets/keep.env
*.log
"""
NESTED = """
!.env
local.env
"""
PATHS = [
    ".env",
    "agent/.env",
    ".env.production",
    "agent/.env.example",
    ".env.example",
    "build/out.txt",
    "agent/build/out.txt",
    "secrets/keep.env",
    "secrets/x.env",
    "debug.log",
    "services/api/.env",
    "services/api/local.env",
    "services/api/graph.py",
]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".gitignore").write_text(GITIGNORE)
    (tmp_path / "services" / "api").mkdir(parents=True)
    (tmp_path / "services" / "api" / ".gitignore").write_text(NESTED)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def git_ignored(repo: Path, rel: str) -> bool:
    out = subprocess.run(
        ["git", "-c", "core.excludesFile=/dev/null", "check-ignore", "-q", "--no-index", rel],
        cwd=repo,
        check=False,
    )
    return out.returncode == 0


@pytest.mark.parametrize("rel", PATHS)
def test_gitignores_agree_with_git_check_ignore(repo: Path, rel: str) -> None:
    assert GitIgnores(repo).ignored(rel) == git_ignored(repo, rel)


def test_the_source_of_the_rules_is_named(repo: Path) -> None:
    ignores = GitIgnores(repo)
    assert ignores.source("services/api/.env") == ".gitignore, services/api/.gitignore"
    assert GitIgnores(repo / "services").source("x/.env") == "no .gitignore"


def test_dockerignore_patterns_are_anchored_at_the_context_root() -> None:
    spec = dockerignore_spec([".env", "*.pem"])
    assert docker_excludes(spec, ".env")
    assert not docker_excludes(spec, "agent/.env")  # git would ignore it
    assert docker_excludes(spec, "key.pem")
    assert not docker_excludes(spec, "certs/key.pem")
    assert docker_excludes(dockerignore_spec(["**/.env"]), "agent/deep/.env")


def test_dockerignore_cleans_slashes_and_lets_exceptions_reach_inside_excluded_dirs() -> None:
    spec = dockerignore_spec(["# comment", "/secrets/", "./build", "!secrets/keep.env", ""])
    assert docker_excludes(spec, "secrets/prod.env")
    assert not docker_excludes(spec, "secrets/keep.env")  # git could not re-include it
    assert docker_excludes(spec, "build/out.txt")
    assert not docker_excludes(spec, "comment")
    assert not docker_excludes(None, ".env")
