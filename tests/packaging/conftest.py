"""Building agentcheck as users get it: a wheel from a clean copy of the tree, a fresh venv.

The wheel is built once per session from the files git would ship (tracked and untracked but
not ignored, so work in progress is tested too), never in the working tree itself: setuptools
leaves build/ and egg-info behind where it builds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "support-desk"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """``args`` run to completion with its output captured as text (never raises on exit)."""
    return subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **GIT_IDENTITY, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def shipped_files(repo: Path) -> list[str]:
    """What a clone plus uncommitted work holds: tracked and untracked, not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [rel for rel in out.split("\0") if rel and (repo / rel).is_file()]


def git_project(source: Path, dest: Path, extra: dict[str, str] | None = None) -> Path:
    """A copy of ``source`` plus ``extra`` files (``{path: text}``) as a fresh git repository
    with everything committed."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", ".langgraph_api"))
    for rel, text in (extra or {}).items():
        (dest / rel).write_text(text, encoding="utf-8")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "example"]):
        result = run(["git", *args], dest)
        assert result.returncode == 0, result.stderr
    return dest


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """agentcheck's wheel, built from a clean copy of the tree."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    for rel in shipped_files(REPO):
        target = src / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, target)
    out = base / "dist"
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)], base
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("*.whl")
    yield path
    shutil.rmtree(base, ignore_errors=True)


class Venv:
    """A fresh virtual environment (made by the interpreter running the tests)."""

    def __init__(self, path: Path) -> None:
        venv.create(path, with_pip=True)
        self.path = path
        self.bin = path / "bin"

    def pip_install(self, *requirements: str) -> subprocess.CompletedProcess[str]:
        return run(
            [str(self.bin / "python"), "-m", "pip", "install", "-q", *requirements], self.path
        )

    def has(self, module: str) -> bool:
        probe = (
            f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
        )
        return run([str(self.bin / "python"), "-c", probe], self.path).returncode == 0


@pytest.fixture
def fresh_venv(tmp_path: Path) -> Iterator[Venv]:
    env = Venv(tmp_path / "venv")
    yield env
    shutil.rmtree(env.path, ignore_errors=True)
