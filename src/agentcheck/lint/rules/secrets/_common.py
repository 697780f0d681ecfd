"""What the secrets rules share, computed once per project (``Project.memo``).

- :func:`scanned_hits`: the credential scan of the files that count as committed (AC201, AC206).
- :func:`dotenv_files`: the ``.env`` files on disk, ignored ones included (AC202-AC204).
- :func:`git_ignores`: the repository's ``.gitignore`` files, rooted where git's work tree is.
- :func:`k8s_ignores`: codes a Kubernetes object suppresses with ``agentcheck.io/ignore``.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.deployment._envfiles import dotenv_kind
from agentcheck.deployment._k8s_util import ignore_codes as k8s_ignores
from agentcheck.files import dir_of, locate, name_of
from agentcheck.lint.rule import Rule
from agentcheck.secrets import GitIgnores, Hit, PendingScan, start_scan
from agentcheck.secrets._files import FileScan
from agentcheck.secrets._hits_cache import HitsCache

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = [
    "ScanningRule",
    "dotenv_files",
    "dotenv_kind",
    "git_ignores",
    "git_rel",
    "k8s_ignores",
    "scanned_hits",
    "scanned_paths",
    "start_scanning",
]


def git_ignores(project: Project) -> tuple[GitIgnores, str]:
    """The ``.gitignore`` matcher of the work tree, and the project root's path inside it."""

    def build() -> tuple[GitIgnores, str]:
        top = project.git_root or project.root
        try:
            prefix = project.root.relative_to(top).as_posix()
        except ValueError:
            top, prefix = project.root, "."
        prefix = "" if prefix == "." else prefix

        def read(rel: str) -> None:  # a .gitignore, relative to the work tree
            if not prefix:
                project.track(rel)
            elif rel.startswith(prefix + "/"):
                project.track(rel[len(prefix) + 1 :])
            else:
                project.track(str(top / rel))  # above the project root

        return GitIgnores(top, on_read=read), prefix

    return project.memo("secrets:gitignores", build)


def git_rel(project: Project, rel: str) -> str:
    """``rel`` (relative to the project root) relative to the work tree's root."""
    _, prefix = git_ignores(project)
    return f"{prefix}/{rel}" if prefix else rel


def _in_virtualenv(project: Project, rel: str, cache: dict[str, bool]) -> bool:
    parts = rel.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        d = "/".join(parts[:depth])
        if d not in cache:
            project.track(f"{d}/pyvenv.cfg")
            # One stat first: where the system finds nothing (nearly every directory), the
            # resolution component by component (twice, for a missing file) finds nothing too.
            try:
                os.stat(os.path.join(project.root, d, "pyvenv.cfg"))
            except (OSError, ValueError):
                cache[d] = False
            else:
                cache[d] = locate(project.root, f"{d}/pyvenv.cfg").is_file
        if cache[d]:
            return True
    return False


#: Data files: records, tables and logs that no rule parses.
_DATA_SUFFIXES = frozenset(
    {".jsonl", ".ndjson", ".csv", ".tsv", ".log", ".txt", ".xml", ".html", ".htm", ".sql", ".dat"}
)


def scanned_paths(project: Project) -> list[str]:
    """The files whose credentials count as leaked: the working tree as git would commit it.

    In a git work tree, the tracked files (what is committed has leaked to every clone) and the
    untracked files that nothing ignores (``git add -A`` and a pre-commit run commit them
    next). Outside git, every file that is not ignored. Either way an untracked local ``.env``
    is left to AC203, which reports it when nothing ignores it (it exists to hold the
    developer's keys). Virtualenvs are skipped even when nothing ignores them (a ``.env``
    directory is often one).
    """

    def build() -> list[str]:
        tracked = project.tracked
        paths = [
            rel for rel in project.files if rel in tracked or dotenv_kind(name_of(rel)) != "env"
        ]
        cache: dict[str, bool] = {}
        return [rel for rel in paths if not _in_virtualenv(project, rel, cache)]

    return project.memo("secrets:paths", build)


def start_scanning(project: Project) -> PendingScan:
    """The scan behind :func:`scanned_hits`, started once: on a large tree its workers scan
    while this process builds the deployment model (the runner starts it before any rule
    runs, and abandons it if no rule asked for its result)."""

    def build() -> PendingScan:
        paths = scanned_paths(project)
        for rel in paths:
            project.track(rel)  # read below, on worker processes
        cache = project.hits_cache
        known = cache.lookup(paths) if cache is not None else {}
        pending = start_scan(
            project.root,
            [rel for rel in paths if rel not in known] if known else paths,
            max_size=project.config.max_file_size,
            beside=True,
        )
        project.on_close(pending.close)
        return pending

    return project.memo("secrets:pending", build)


class ScanningRule(Rule):
    """A rule that reads :func:`scanned_hits`: it starts the scan before any rule runs."""

    @classmethod
    def prefetch(cls, project: Project) -> None:
        start_scanning(project)


def scanned_hits(project: Project) -> dict[str, list[Hit]]:
    """Credentials found in :func:`scanned_paths`, per file. Files over ``max-file-size`` are
    reported once, as the AC100 info finding every rule shares, unless they are data
    (``results.jsonl``, ``export.csv``): no rule reads those, so skipping one is no finding."""

    def build() -> dict[str, list[Hit]]:
        scan = start_scanning(project).result()
        cache = project.hits_cache
        if cache is not None:
            return _with_cached(project, cache, scan)
        for rel, _size in scan.too_large:
            if PurePosixPath(rel).suffix.lower() not in _DATA_SUFFIXES:
                project.text(rel)  # records the one "skipped: over max-file-size" finding
        for rel, reason in scan.unreadable:
            project.problem(rel, f"cannot be read: {reason}")
        return scan.hits

    return project.memo("secrets:hits", build)


def _with_cached(project: Project, cache: HitsCache, scan: FileScan) -> dict[str, list[Hit]]:
    """:func:`scanned_hits` with the per-file cache: the files scanned now are kept in it,
    and the hits of the files it knew are added (in the order of :func:`scanned_paths`)."""
    skipped = {rel for rel, _ in scan.too_large} | {rel for rel, _ in scan.unreadable}
    hits = {}
    for rel in scanned_paths(project):
        if rel in cache.known:
            found = cache.known[rel][1]
        else:
            found = scan.hits.get(rel, [])
            if rel not in skipped:
                cache.store(rel, found)
        if found:
            hits[rel] = found
    for rel, _size in scan.too_large:
        if PurePosixPath(rel).suffix.lower() not in _DATA_SUFFIXES:
            project.text(rel)
    for rel, reason in scan.unreadable:
        project.problem(rel, f"cannot be read: {reason}")
    return hits


def dotenv_files(project: Project) -> list[str]:
    """``.env`` and ``.env.*`` files (examples included) that exist as regular files in any
    directory agentcheck reads, whether ignored or not, relative to the project root."""

    def build() -> list[str]:
        dirs = {""} | {dir_of(rel) for rel in project.files if "/" in rel}
        found = []
        for d in sorted(dirs):
            base = project.root / d if d else project.root
            project.track_dir(d)
            try:
                entries = list(os.scandir(base))
            except OSError:
                continue
            for entry in entries:
                if dotenv_kind(entry.name) is None:
                    continue
                rel = f"{d}/{entry.name}" if d else entry.name
                if not project.is_file(rel):
                    continue  # a .env directory (a virtualenv), a FIFO, a link out of the root
                found.append(rel)
        return sorted(found)

    return project.memo("secrets:dotenv", build)
