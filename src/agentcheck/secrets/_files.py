"""Which files can hold a secret, and scanning many of them on every core.

Lock files, binaries and media cannot hold a leaked credential worth reporting (lock-file
hashes are the classic false alarm), so they are skipped by name before anything is read. Files
over the size limit are skipped and reported once by the caller. A large tree is split across
worker processes (both cores on these machines); a small one is scanned in-process, where the
fork would cost more than it saves.
"""

from __future__ import annotations

import codecs
import functools
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agentcheck import _workers
from agentcheck.files import NotReadable, name_of, read_regular, suffix_of
from agentcheck.secrets._names import words
from agentcheck.secrets._scan import Hit, scan_text

__all__ = ["FileScan", "PendingScan", "can_hold_secrets", "scan_files", "start_scan"]

LOCK_FILES = words(
    """poetry.lock uv.lock pipfile.lock pdm.lock package-lock.json npm-shrinkwrap.json yarn.lock
    pnpm-lock.yaml bun.lockb bun.lock cargo.lock composer.lock gemfile.lock go.sum mix.lock
    pubspec.lock podfile.lock flake.lock conda-lock.yml packages.lock.json gradle.lockfile
    deno.lock"""
)
_SKIP_SUFFIXES = words(
    """.lock .svg .map .pdf .png .jpg .jpeg .gif .ico .bmp .tif .tiff .webp .avif .psd .woff
    .woff2 .ttf .eot .otf .zip .gz .tgz .bz2 .xz .7z .tar .zst .whl .egg .jar .war .class .so
    .dylib .dll .exe .bin .pyc .pyo .pyd .o .a .mo .db .sqlite .sqlite3 .parquet .arrow .feather
    .npy .npz .pkl .pickle .pt .pth .ckpt .onnx .safetensors .h5 .hdf5 .mp3 .mp4 .m4a .wav .ogg
    .flac .webm .mov .avi .mkv"""
)
_BINARY_SNIFF = 8192
#: Below this many bytes in total, worker processes cost more than they save.
PARALLEL_MIN_BYTES = 1_500_000


@dataclass
class FileScan:
    """What a scan of many files found: hits per file, and files it could not scan."""

    hits: dict[str, list[Hit]] = field(default_factory=dict)
    #: ``(path, size)`` of files over the size limit.
    too_large: list[tuple[str, int]] = field(default_factory=list)
    #: ``(path, reason)`` of files that could not be read.
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: How many worker processes scanned (1: in-process).
    jobs: int = 1


def can_hold_secrets(path: str) -> bool:
    """False for lock files, media, archives and compiled artefacts (judged by name)."""
    name = name_of(path)
    if name in ("", ".", ".."):  # not a normalized path: let pathlib say what it names
        name = PurePosixPath(path).name
    name = name.lower()
    if name in LOCK_FILES:
        return False
    return suffix_of(name) not in _SKIP_SUFFIXES


def _decode(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if b"\0" in data[:_BINARY_SNIFF]:
        return None
    return data.decode("utf-8-sig", errors="replace")


def _scan_one(
    root: str, rel: str, max_size: int, dirs: dict[str, str]
) -> tuple[list[Hit], str | None]:
    try:
        data = read_regular(Path(root), rel, max_size, dirs)
    except NotReadable:
        return [], None  # a link out of the root or a special file: the project reports it
    except OSError as exc:
        return [], exc.strerror or type(exc).__name__
    text = _decode(data[:max_size])
    if text is None:
        return [], None
    return scan_text(text, rel), None


def _scan_chunk(
    root: str, rels: list[str], max_size: int
) -> list[tuple[str, list[Hit], str | None]]:
    out = []
    dirs: dict[str, str] = {}  # resolved directories, for this chunk's reads
    for rel in rels:
        hits, error = _scan_one(root, rel, max_size, dirs)
        if hits or error:
            out.append((rel, hits, error))
    return out


def scan_files(
    root: Path, paths: Sequence[str], *, max_size: int, jobs: int | None = None
) -> FileScan:
    """Scan ``paths`` (relative to ``root``) for credentials.

    Files that cannot hold secrets (:func:`can_hold_secrets`), binaries and files that vanish
    are skipped; files over ``max_size`` bytes are listed in :attr:`FileScan.too_large`. The
    work is spread over ``jobs`` processes (default: the usable cores, or ``AGENTCHECK_JOBS``)
    when the tree is large enough and this process may fork safely; any failure to start
    workers falls back to scanning in-process.
    """
    return start_scan(root, paths, max_size=max_size, jobs=jobs).result()


class PendingScan:
    """A scan started by :func:`start_scan`: :meth:`result` finishes it (waiting for its
    workers, or scanning in-process), :meth:`close` abandons it."""

    def __init__(
        self,
        root: Path,
        sized: list[tuple[int, str]],
        max_size: int,
        found: FileScan,
        running: _workers.Forked[tuple[str, list[Hit], str | None]] | None,
        jobs: int,
    ) -> None:
        self._root, self._sized, self._max_size = root, sized, max_size
        self._found, self._running, self._jobs = found, running, jobs
        self._result: FileScan | None = None

    def result(self) -> FileScan:
        if self._result is not None:
            return self._result
        result = self._found
        done = self._running.result() if self._running is not None else None
        if done is None:
            done = _scan_chunk(str(self._root), [rel for _, rel in self._sized], self._max_size)
        else:
            result.jobs = self._jobs
        for rel, hits, error in done:
            _collect(result, rel, hits, error)
        self._result = result
        return result

    def close(self) -> None:
        if self._running is not None:
            self._running.close()


def start_scan(
    root: Path,
    paths: Sequence[str],
    *,
    max_size: int,
    jobs: int | None = None,
    beside: bool = False,
) -> PendingScan:
    """:func:`scan_files`, started: on a large tree the workers scan while the caller goes
    on with other work (the lint builds its deployment model meanwhile); a small tree is
    scanned in-process when :meth:`PendingScan.result` is called. With ``beside``, the
    caller keeps one of the ``jobs`` cores busy meanwhile: one worker fewer (at least one)."""
    found = FileScan()
    sized: list[tuple[int, str]] = []
    for rel in paths:
        if not can_hold_secrets(rel):
            continue
        try:
            # The same path as root / rel without building a Path: this runs before the
            # scan starts, on every file.
            st = os.stat(os.path.join(root, rel))
        except OSError as exc:
            found.unreadable.append((rel, exc.strerror or type(exc).__name__))
            continue
        if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
            continue
        if st.st_size > max_size:
            found.too_large.append((rel, st.st_size))
            continue
        sized.append((st.st_size, rel))

    cores = _workers.jobs(jobs)
    n = min(max(1, cores - 1) if beside else cores, max(1, len(sized)))
    total = sum(size for size, _ in sized)
    running = None
    if cores > 1 and (n > 1 or beside) and total >= PARALLEL_MIN_BYTES and _workers.may_fork():
        chunks = _workers.deal(sized, n)
        work = functools.partial(_scan_chunk, str(root), max_size=max_size)
        running = _workers.start_forked(work, chunks, n)
    return PendingScan(root, sized, max_size, found, running, n)


def _collect(result: FileScan, rel: str, hits: list[Hit], error: str | None) -> None:
    if error:
        result.unreadable.append((rel, error))
    if hits:
        result.hits[rel] = hits
