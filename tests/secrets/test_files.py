"""Scanning a tree: what is skipped, what is reported once, and both cores giving one answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentcheck.secrets import _files, can_hold_secrets, scan_files
from tests.secrets.fakekeys import KEYS

MAX = 2 * 1024 * 1024


def write(root: Path, rel: str, data: str | bytes) -> str:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return rel


def test_lock_files_media_and_archives_cannot_hold_secrets() -> None:
    for rel in ("uv.lock", "poetry.lock", "web/package-lock.json", "go.sum", "logo.png", "a.whl"):
        assert not can_hold_secrets(rel), rel
    for rel in ("agent/graph.py", "README.md", ".env", "k8s/deploy.yaml", "Dockerfile"):
        assert can_hold_secrets(rel), rel


def test_binaries_lock_files_and_empty_files_are_skipped_silently(tmp_path: Path) -> None:
    key = KEYS["groq"].encode()
    paths = [
        write(tmp_path, "model.bin.data", b"\x00\x01" + key),
        write(tmp_path, "uv.lock", b'hash = "' + key + b'"\n'),
        write(tmp_path, "empty.py", b""),
        write(tmp_path, "agent.py", b'GROQ = "' + key + b'"\n'),
    ]
    scan = scan_files(tmp_path, paths, max_size=MAX)
    assert list(scan.hits) == ["agent.py"]
    assert scan.too_large == []
    assert scan.unreadable == []


def test_files_over_the_limit_are_listed_not_read(tmp_path: Path) -> None:
    bundle = "var a=1;" * (5 * 1024 * 1024 // 8) + f'k="{KEYS["openai_project"]}"'
    rel = write(tmp_path, "static/app.min.js", bundle)
    scan = scan_files(tmp_path, [rel], max_size=MAX)
    assert scan.hits == {}
    assert scan.too_large == [(rel, len(bundle))]
    bigger = scan_files(tmp_path, [rel], max_size=8 * 1024 * 1024)
    assert [h.kind for h in bigger.hits[rel]] == ["OpenAI API key"]


def test_invalid_utf8_and_utf16_files_are_read(tmp_path: Path) -> None:
    key = KEYS["tavily"]
    paths = [
        write(tmp_path, "latin1.txt", b"caf\xe9 \xff\nTAVILY_API_KEY=" + key.encode() + b"\n"),
        write(tmp_path, "utf16.env.sample", ("TAVILY_API_KEY=" + key + "\n").encode("utf-16")),
    ]
    scan = scan_files(tmp_path, paths, max_size=MAX)
    assert {rel: [(h.line, h.kind) for h in hits] for rel, hits in scan.hits.items()} == {
        "latin1.txt": [(2, "Tavily API key")],
        "utf16.env.sample": [(1, "Tavily API key")],
    }


def test_a_directory_a_fifo_and_a_vanished_file_neither_hang_nor_crash(tmp_path: Path) -> None:
    (tmp_path / ".env").mkdir()
    os.mkfifo(tmp_path / "pipe.env")
    scan = scan_files(tmp_path, [".env", "pipe.env", "gone.py"], max_size=MAX)
    assert scan.hits == {}
    assert scan.unreadable == [("gone.py", "No such file or directory")]


_BOTH_CORES = """
import json, sys
from pathlib import Path
from agentcheck.secrets import _files
root, paths = Path(sys.argv[1]), sys.argv[2:]
serial = _files.scan_files(root, paths, max_size=2**21, jobs=1)
_files.PARALLEL_MIN_BYTES = 0
parallel = _files.scan_files(root, paths, max_size=2**21, jobs=2)
# Started before other work (as the lint starts it), on the one core the caller leaves free.
pending = _files.start_scan(root, paths, max_size=2**21, jobs=2, beside=True)
forked = pending._running is not None
beside = pending.result()
print(json.dumps({
    "jobs": [serial.jobs, parallel.jobs, beside.jobs],
    "forked": forked,
    "same": serial.hits == parallel.hits == beside.hits,
    "files": sorted(parallel.hits),
}))
"""


def test_both_cores_find_exactly_what_one_core_finds(tmp_path: Path) -> None:
    paths = []
    for i in range(60):
        body = "".join(f'RUN_{j} = "{os.urandom(16).hex()}"\n' for j in range(50))
        if i % 7 == 0:
            body += f'LANGSMITH_API_KEY = "{KEYS["langsmith_personal"]}"\n'
        paths.append(write(tmp_path, f"pkg/m{i:02d}.py", body))
    # A fresh interpreter: this test process may run other tests' threads, which rule out fork.
    out = subprocess.run(
        [sys.executable, "-c", _BOTH_CORES, str(tmp_path), *paths],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["jobs"] == [1, 2, 1]
    assert result["forked"]
    assert result["same"]
    assert result["files"] == [f"pkg/m{i:02d}.py" for i in range(0, 60, 7)]


def test_a_process_with_other_threads_scans_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    rel = write(tmp_path, "a.py", f'K = "{KEYS["groq"]}"\n')
    monkeypatch.setattr(_files, "PARALLEL_MIN_BYTES", 0)
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        scan = scan_files(tmp_path, [rel, rel], max_size=MAX, jobs=2)
    finally:
        stop.set()
        worker.join()
    assert scan.jobs == 1
    assert list(scan.hits) == ["a.py"]
