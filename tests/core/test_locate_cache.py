"""``locate`` with a cache of resolved directories says exactly what it says without one."""

from __future__ import annotations

import os
from pathlib import Path

from agentcheck.files import locate, read_regular


def _tree(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    (root / "a" / "b").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("canary")
    (root / "a" / "b" / "f.py").write_text("x = 1\n")
    (root / "a" / "g.txt").write_text("g\n")
    os.symlink("b", root / "a" / "inside-dir")  # a directory link that stays inside
    os.symlink(outside, root / "a" / "out-dir")  # a directory link out of the root
    os.symlink("../../outside/secret.txt", root / "a" / "out-file")
    os.symlink("b/f.py", root / "a" / "in-file")
    os.symlink("missing", root / "a" / "dangling")
    os.symlink("loop2", root / "a" / "loop1")
    os.symlink("loop1", root / "a" / "loop2")
    os.mkfifo(root / "a" / "fifo")
    (root / "top.txt").write_text("t\n")
    os.symlink("a", root / "a-link")  # a top-level directory link that stays inside
    os.symlink(outside, root / "out-top")
    rels = [
        "top.txt",
        "a-link/g.txt",
        "a-link/b/f.py",
        "out-top/secret.txt",
        "a/b/.",
        "a/b/f.py/.",
        "a/inside-dir/..",
        "a/fifo/x",
        "a/b/f.py",
        "a/g.txt",
        "a/inside-dir/f.py",
        "a/out-dir/secret.txt",
        "a/out-file",
        "a/in-file",
        "a/dangling",
        "a/loop1",
        "a/loop1/x",
        "a/fifo",
        "a/b",
        "a/missing/f.py",
        "a/b/../g.txt",
        "a/b/..",
        "a/./g.txt",
        "a//g.txt",
        "a/out-dir/../g.txt",
        "../outside/secret.txt",
        "a/b/f.py/x",
    ]
    return root.resolve(), rels


def test_the_cache_changes_no_answer(tmp_path: Path) -> None:
    root, rels = _tree(tmp_path)
    dirs: dict[str, str] = {}
    for _ in range(2):  # the second pass answers from the filled cache
        for rel in rels:
            assert locate(root, rel, dirs) == locate(root, rel), rel
    assert dirs  # it was used


def test_a_cached_read_never_leaves_the_root(tmp_path: Path) -> None:
    root, _ = _tree(tmp_path)
    dirs: dict[str, str] = {}
    assert read_regular(root, "a/inside-dir/f.py", 100, dirs) == b"x = 1\n"
    for rel in ("a/out-dir/secret.txt", "a/out-file"):
        for _ in range(2):
            try:
                data = read_regular(root, rel, 100, dirs)
            except OSError:
                continue
            raise AssertionError(f"{rel} read {data!r}")
