"""Fixtures for the runtime tests: a copy of the tiny project, and leftover detection."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import psutil
import pytest

TINY = Path(__file__).parents[2] / "fixtures" / "live" / "tiny"


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A fresh copy of tests/fixtures/live/tiny (``_env_file`` becomes ``.env``)."""
    root = tmp_path / "tiny"
    shutil.copytree(TINY, root, ignore=shutil.ignore_patterns("__pycache__", ".langgraph_api"))
    (root / "_env_file").rename(root / ".env")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its content (to prove the runtime changed nothing)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def running(pids: Iterable[int]) -> list[int]:
    """Those of ``pids`` that still run (zombies count as gone)."""
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            continue
    return alive
