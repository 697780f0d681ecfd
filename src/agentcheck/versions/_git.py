"""The last release, from git: which revision it is, and its files, read without a checkout.

The baseline is ``--since REF`` (``Config.release_ref`` once the command line has applied it),
else ``release-ref`` in ``[tool.agentcheck]``, else the highest version tag (``v1.2.3``,
``1.2.3``, ``v1.2``) among the tags HEAD descends from: a tag on another branch, or newer than
the checked-out commit, is not a release this code follows. Pre-releases (``v2.0.0rc1``) are
not releases.

:class:`RevisionProject` is a :class:`~agentcheck.project.Project` whose files come from a
commit's tree (``git ls-tree``, ``git cat-file --batch``), so everything that reads a project
(:mod:`agentcheck.pyindex`, the graph reader) reads the release the same way. Nothing is
checked out and nothing is imported.
"""

from __future__ import annotations

import re
import subprocess
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import IO

from agentcheck._filelist import SKIP_DIRS
from agentcheck.config import Config
from agentcheck.project import Project

__all__ = ["Baseline", "NoBaseline", "RevisionProject", "find_baseline", "git"]

#: A tag that names a release: ``v1.2.3``, ``1.2.3``, ``v1.2`` (no pre-release suffix).
VERSION_TAG = re.compile(r"^v?(?P<nums>\d+(?:\.\d+){1,2})$")
_TIMEOUT = 60


def git(cwd: Path, *args: str) -> str | None:
    """``git args`` in ``cwd``: its stdout, or None when git is missing or the command fails."""
    try:
        out = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.decode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Baseline:
    """The release to compare the working tree with."""

    #: What the user knows it by: the tag, or the ref given to ``--since``/``release-ref``.
    label: str
    #: The commit it resolves to.
    commit: str
    #: How it was chosen: ``"tag"``, ``"release-ref"`` or ``"--since"``.
    chosen_by: str


@dataclass(frozen=True)
class NoBaseline:
    """Why there is nothing to compare with; ``tell`` when the user should hear about it."""

    reason: str
    tell: bool


def _version_key(tag: str) -> tuple[int, ...] | None:
    match = VERSION_TAG.match(tag)
    if match is None:
        return None
    nums = tuple(int(n) for n in match["nums"].split("."))
    return nums + (0,) * (3 - len(nums))


def newest_version_tag(tags: Sequence[str]) -> str | None:
    """The highest release among ``tags`` (``v1.10.0`` above ``v1.9.2``); None without one."""
    keyed = [(key, tag) for tag in tags if (key := _version_key(tag)) is not None]
    return max(keyed)[1] if keyed else None


def _release_tags(root: Path) -> dict[str, str]:
    """Version tags HEAD descends from -> the commit each names (one ``for-each-ref``)."""
    listing = git(
        root,
        "for-each-ref",
        "--merged=HEAD",
        "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
        "refs/tags",
    )
    out = {}
    for line in (listing or "").splitlines():
        name, obj, peeled = [*line.split("\0"), "", ""][:3]
        if VERSION_TAG.match(name):
            out[name] = peeled or obj
    return out


def find_baseline(root: Path, git_root: Path | None, config: Config) -> Baseline | NoBaseline:
    """The release the project at ``root`` is compared with."""
    if git_root is None:
        return NoBaseline("not a git repository", tell=False)
    head = (git(root, "rev-parse", "--is-shallow-repository", "HEAD") or "").split()
    if len(head) != 2:
        return NoBaseline("the repository has no commit yet", tell=False)
    shallow = head[0] == "true"
    ref = config.release_ref
    if ref is not None:
        how = config.release_ref_origin
        commit = git(root, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}")
        if not commit:
            return NoBaseline(f"{how} {ref!r} is not a commit in this repository", tell=True)
        return Baseline(ref, commit.strip(), how)
    tags = _release_tags(root)
    tag = newest_version_tag(list(tags))
    if tag is not None:
        return Baseline(tag, tags[tag], "tag")
    if shallow:
        return NoBaseline(
            "a shallow clone without its tags (CI checkouts fetch one commit by default)",
            tell=True,
        )
    commits = (git(root, "rev-list", "--max-count=2", "HEAD") or "").split()
    if len(commits) < 2:
        return NoBaseline("one commit and no release tag yet", tell=False)
    return NoBaseline("no release tag (v1.2.3 or 1.2.3) in the history of HEAD", tell=True)


class _BlobReader:
    """One ``git cat-file --batch`` process answering ``<commit>:<path>`` with the blob."""

    def __init__(self, cwd: Path) -> None:
        self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._finalizer = weakref.finalize(self, _stop, self._proc)

    def read(self, spec: str) -> bytes | None:
        proc = self._proc
        if proc is None or "\n" in spec:
            return None
        stdin, stdout = proc.stdin, proc.stdout
        assert stdin is not None
        assert stdout is not None
        try:
            stdin.write(spec.encode("utf-8", "surrogateescape") + b"\n")
            stdin.flush()
            header = stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                return None
            data = _read_exactly(stdout, int(header[2]))
            stdout.read(1)  # the newline after the contents
        except (OSError, ValueError):
            self.close()
            return None
        return data

    def close(self) -> None:
        self._finalizer()
        self._proc = None


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            raise ValueError("git cat-file ended early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            stream.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class RevisionProject(Project):
    """The project at ``root`` as commit ``commit`` holds it (``root`` below ``git_root``).

    Call :meth:`close` when done: it ends the ``git cat-file`` process reading the blobs.
    """

    def __init__(self, root: Path, config: Config, git_root: Path, commit: str) -> None:
        super().__init__(root, config)
        self.commit = commit
        self._git_dir = git_root
        prefix = self.root.relative_to(git_root).as_posix()
        self._prefix = "" if prefix == "." else prefix + "/"
        self._blobs = _BlobReader(git_root)

    def close(self) -> None:
        super().close()
        self._blobs.close()

    @cached_property
    def git_root(self) -> Path | None:
        return None  # nothing of the revision is on disk: no ls-files, no tracked set

    @cached_property
    def files(self) -> tuple[str, ...]:
        listing = git(self._git_dir, "ls-tree", "-r", "-z", self.commit, "--", self._prefix or ".")
        exclude = self._spec(self.config.exclude)
        out = []
        for entry in (listing or "").split("\0"):
            meta, _, path = entry.partition("\t")
            mode = meta.split(" ", 1)[0]
            if mode not in ("100644", "100755") or not path.startswith(self._prefix):
                continue
            rel = path[len(self._prefix) :]
            if any(part in SKIP_DIRS for part in PurePosixPath(rel).parts[:-1]):
                continue
            if exclude is not None and exclude.match_file(rel):
                continue
            out.append(rel)
        return tuple(sorted(out))

    @cached_property
    def _dirs(self) -> frozenset[str]:
        return frozenset(
            "/".join(parts[:i])
            for parts in (rel.split("/") for rel in self.files)
            for i in range(1, len(parts))
        )

    def is_file(self, rel: str) -> bool:
        return rel in self._file_set

    def is_dir(self, rel: str) -> bool:
        return rel.rstrip("/") in self._dirs

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    def _bytes(self, rel: str) -> bytes | None:
        return self._blobs.read(f"{self.commit}:{self._prefix}{rel}")

    def _read(self, rel: str) -> str | None:
        data = self._bytes(rel)
        if data is None or len(data) > self.config.max_file_size:
            return None
        return self._decode(rel, data)

    def is_binary(self, rel: str) -> bool:
        data = self._bytes(rel)
        return data is not None and self._looks_binary(data)
