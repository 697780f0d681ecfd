"""The lint cache: each built-in rule's findings, kept with the files they depend on.

``agentcheck lint`` keeps, in ``.agentcheck_cache/`` at the project root (like
``.ruff_cache``), each built-in rule's raw findings with every path the rule read through the
project (see :mod:`agentcheck._reads`), each with its size and modification time in
nanoseconds, and the AC100 findings and syntax notes recorded meanwhile. The next run replays a
rule whose paths all have the same signature and runs the others. Every entry also depends on
one global key: agentcheck's version and the signature of its installed sources, the Python
that runs it, the project root, the resolved configuration, the rules installed, and the file
listing (any file added, removed, ignored or tracked invalidates every entry).

What is never cached: AC100 itself (settled each run from the problems the rules recorded,
replayed or not), AC900 and AC901, and third-party rules. The AC6xx rules depend on the
release they compare with: git is asked again each run which commit that is (a virtual
dependency, :data:`agentcheck._reads.VIRTUAL`); the release's files are then fixed by it.
A file modified less than two seconds before the run starts is never trusted (an edit in the
same tick of the clock would keep its signature). An edit that keeps a file's size and
restores its modification time is not seen: the same limit as ruff's and mypy's caches.

Reads that do not go through the project are recorded by their callers: compose's ``.env``
lookup (:mod:`agentcheck.deployment._compose`), the walk for ignored ``.env`` files (each
directory's listing), ``pyvenv.cfg`` tests and the ``.gitignore`` files the secrets rules read
(:mod:`agentcheck.lint.rules.secrets._common`), and every file the secrets scan reads on its
workers. The file listing (git's or the walk's) is part of the global key.

The secrets scan keeps its hits per file (:mod:`agentcheck.secrets._hits_cache`), and AC201
and AC206 keep the small results they take from the deployment model as JSON memo entries
(:meth:`~agentcheck.project.Project.kept_memo`): they re-run on any edit, the model need not.

The cache is JSON only: loading it never executes anything. Any file that does not have the
expected shape is a miss, a cache directory that git tracks is never read, and a cache that
cannot be written is no cache (never an error, never a finding).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import agentcheck
from agentcheck._findings import Finding, Severity
from agentcheck._reads import Frame, Reads, Sig
from agentcheck.files import read_own
from agentcheck.lint.suppressions import MARKER
from agentcheck.pysyntax import SyntaxNote
from agentcheck.secrets._hits_cache import HitsCache

if TYPE_CHECKING:
    from agentcheck.lint.rule import Rule
    from agentcheck.project import Project

__all__ = ["CACHE_DIR", "LintCache", "cache_disabled", "open_cache"]

CACHE_DIR = ".agentcheck_cache"
_FORMAT = 1
#: The largest cache file read (the 2,924-file repository's is 0.8 MB): a larger one is a miss.
MAX_CACHE_FILE = 64 * 1_048_576
#: Files modified this close to the start of a run are not trusted (a later edit in the same
#: tick of the file system's clock would keep their signature).
_RACY_NS = 2_000_000_000
_SEVERITIES = {s.value: s for s in Severity}
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# agentcheck's lint cache\n"


def cache_disabled() -> bool:
    """Whether ``AGENTCHECK_NO_CACHE`` turns the cache off."""
    return os.environ.get("AGENTCHECK_NO_CACHE", "").strip() not in ("", "0")


@cache
def _sources_signature() -> str:
    """agentcheck's version and every installed source file's size and mtime: an editable
    install changes without a version bump."""
    package = Path(agentcheck.__file__).resolve().parent
    digest = hashlib.sha256(agentcheck.__version__.encode())
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(full)
            except OSError:
                continue
            digest.update(f"{full}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _global_key(project: Project, installed: Sequence[type[Rule]]) -> str:
    digest = hashlib.sha256()
    for part in (
        str(_FORMAT),
        _sources_signature(),
        sys.version,
        sys.platform,
        str(project.root),
        str(project.git_root),
        repr(project.config),
        "\0".join(f"{r.code}:{r.__module__}.{r.__qualname__}" for r in installed),
        "\0".join(project.files),
        "\0".join(sorted(project.tracked)),
    ):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\1")
    return digest.hexdigest()


def cacheable(rule: type[Rule]) -> bool:
    """Built-in rules, except the runner's own (AC100, AC900, AC901)."""
    return rule.__module__.startswith("agentcheck.lint.rules.") and rule.code not in (
        "AC100",
        "AC900",
        "AC901",
    )


def open_cache(
    project: Project, installed: Sequence[type[Rule]], directory: Path | None = None
) -> LintCache | None:
    """The project's cache (``directory``, default ``.agentcheck_cache`` at the root), or
    None when git tracks that directory (a repository could commit one)."""
    where = directory if directory is not None else project.root / CACHE_DIR
    where = Path(os.path.abspath(where))
    try:
        inside = where.relative_to(project.root).as_posix()
    except ValueError:
        inside = None
    if inside is not None and any(
        rel == inside or rel.startswith(inside + "/") for rel in project.tracked
    ):
        return None
    if inside is not None and _through_link(project.root, inside):
        return None  # a link the repository holds would have the cache written elsewhere
    _ = project.files  # the listing, and its own AC100 findings, before any tracking
    return LintCache(project, where, _global_key(project, installed))


def _through_link(root: Path, inside: str) -> bool:
    """Whether the cache directory ``inside`` the root, or a directory on the way to it, is a
    symbolic link."""
    path = root
    for part in inside.split("/"):
        path = path / part
        if path.is_symlink():
            return True
    return False


class Entry:
    """One rule's cached result."""

    __slots__ = ("dirs", "events", "findings", "paths", "texts", "value")

    def __init__(
        self,
        findings: list[Finding],
        paths: list[str],
        dirs: list[str],
        texts: list[str],
        events: list[list[Any]],
        value: Any = None,
    ) -> None:
        self.findings, self.paths, self.dirs = findings, paths, dirs
        self.texts, self.events, self.value = texts, events, value

    @classmethod
    def of(cls, findings: list[Finding], frame: Frame, value: Any = None) -> Entry:
        return cls(
            list(findings),
            sorted(frame.paths),
            sorted(frame.dirs),
            sorted(frame.texts),
            [list(e) for e in frame.events],
            value,
        )


class LintCache:
    """The entries of one project root under one global key."""

    def __init__(self, project: Project, directory: Path, key: str) -> None:
        self.project = project
        self.directory = directory
        self.key = key
        self.started = time.time_ns()
        self.reads: Reads = project.track_reads()
        digest = hashlib.sha256(str(project.root).encode("utf-8", "surrogateescape"))
        self.file = directory / f"lint-{digest.hexdigest()[:16]}.json"
        scan_key = "\0".join(
            (str(_FORMAT), _sources_signature(), sys.version, str(project.config.max_file_size))
        )
        self.hits = HitsCache(
            directory / f"secrets-{digest.hexdigest()[:16]}.json",
            hashlib.sha256(scan_key.encode()).hexdigest(),
            self.reads.sig,
        )
        project.hits_cache = self.hits
        self.reads.store = self
        #: Entries valid now, from the file; and the ones this run computed.
        self.valid: dict[str, Entry] = {}
        self.fresh: dict[str, Entry] = {}
        self.dropped: set[str] = set()
        #: Paths the replayed entries read as text (for AC900's suppression comments).
        self.texts: dict[str, None] = {}
        #: Texts that hold a suppression comment's marker (the only ones AC900 must re-read).
        self.marked: set[str] = set()
        #: Whether every entry of the file was valid (then a run that adds none writes nothing).
        self.whole = False
        self._load()

    # ------------------------------------------------------------------ reading

    def _load(self) -> None:
        try:
            raw = read_own(self.file, MAX_CACHE_FILE)
            if len(raw) > MAX_CACHE_FILE:
                raise ValueError("too large")
            data = json.loads(raw)
            self.valid = self._entries(data)
        except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError):
            self.valid, self.marked = {}, set()

    def _entries(self, data: Any) -> dict[str, Entry]:
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return {}
        if data.get("key") != self.key:
            return {}
        deps, dirs, raw = data["paths"], data["dirs"], data["entries"]
        if not (isinstance(deps, list) and isinstance(dirs, list) and isinstance(raw, dict)):
            return {}
        paths = [_str(p) for p, _ in deps]
        changed = {i for i, (p, sig) in enumerate(deps) if self.reads.sig(_str(p)) != sig}
        dir_names = [_str(d) for d, _ in dirs]
        changed_dirs = {i for i, (d, sig) in enumerate(dirs) if self.reads.dir_sig(_str(d)) != sig}
        self.marked = {paths[i] for i in _ints(data["marked"])}
        out = {}
        self.whole = True
        for code, entry in raw.items():
            path_ids, dir_ids = _ints(entry["paths"]), _ints(entry["dirs"])
            if changed.intersection(path_ids) or changed_dirs.intersection(dir_ids):
                self.whole = False
                continue
            out[_str(code)] = Entry(
                [_finding(f) for f in _list(entry["findings"])],
                [paths[i] for i in path_ids],
                [dir_names[i] for i in dir_ids],
                [paths[i] for i in _ints(entry["texts"])],
                [_event(e) for e in _list(entry["events"])],
                entry.get("value"),
            )
        return out

    def lookup(self, code: str) -> Entry | None:
        """The valid entry of rule ``code`` (or of a pseudo-rule such as ``AC100:inputs``)."""
        return self.valid.get(code)

    def replay(self, entry: Entry) -> list[Finding]:
        """Apply what the entry's rule recorded (AC100 findings, syntax notes) to the project,
        as its run did, and return its findings."""
        project = self.project
        for event in entry.events:
            if event[0] == "p":
                _, rel, message, line, column, severity, fix = event
                project.problem(rel, message, line, column, severity=_SEVERITIES[severity], fix=fix)
            elif event[0] == "r":
                project.retract_problem(*event[1:])
            else:
                _, rel, error, needs, features, line = event
                err = (error[0], error[1], error[2]) if error is not None else None
                project.python_notes[rel] = SyntaxNote(err, needs, tuple(features), line)
        self.texts.update(dict.fromkeys(t for t in entry.texts if t in self.marked))
        return list(entry.findings)

    # ------------------------------------------------------------------ writing

    def store(self, code: str, findings: list[Finding], frame: Frame) -> None:
        """Keep a rule's result (not when it read something no signature covers)."""
        if frame.uncacheable:
            self.dropped.add(code)
            return
        self.fresh[code] = Entry.of(findings, frame)

    # -------------------------------------------------- kept memo entries (MemoStore)

    def restore(self, key: str, decode: Callable[[Any], Any]) -> tuple[Any] | None:
        entry = self.valid.get(f"memo:{key}")
        if entry is None:
            return None
        try:
            value = decode(entry.value)
        except (ValueError, TypeError, KeyError, IndexError):
            return None
        self.replay(entry)
        frame = Frame()
        frame.paths.update(entry.paths)
        frame.dirs.update(entry.dirs)
        frame.texts.update(entry.texts)
        frame.events.extend(entry.events)
        self.reads.records[key] = frame
        return (value,)

    def keep(self, key: str, value: Any) -> None:
        frame = self.reads.records.get(key)
        if frame is not None and not frame.uncacheable:
            self.fresh[f"memo:{key}"] = Entry.of([], frame, value)

    def save(self) -> None:
        """Write the entries (atomically); any failure leaves no cache, silently."""
        if self.whole and not self.fresh and not self.dropped and not self.hits.changed:
            return  # the file holds exactly this
        entries = {
            code: e for code, e in self.valid.items() if code not in self.dropped
        } | self.fresh
        limit = self.started - _RACY_NS
        path_ids: dict[str, int] = {}
        dir_ids: dict[str, int] = {}
        out: dict[str, Any] = {}
        for code, entry in sorted(entries.items()):
            out[code] = {
                "findings": [_finding_json(f) for f in entry.findings],
                "paths": [path_ids.setdefault(p, len(path_ids)) for p in entry.paths],
                "dirs": [dir_ids.setdefault(d, len(dir_ids)) for d in entry.dirs],
                "texts": [path_ids.setdefault(p, len(path_ids)) for p in entry.texts],
                "events": entry.events,
            }
            if entry.value is not None:
                out[code]["value"] = entry.value
        read = self.project.texts_read
        marked = [
            i
            for p, i in path_ids.items()
            if (MARKER in (read[p] or "") if p in read else p in self.marked)
        ]
        data = {
            "format": _FORMAT,
            "key": self.key,
            "paths": [[p, _trusted(self.reads.sig(p), limit)] for p in path_ids],
            "dirs": [[d, _trusted(self.reads.dir_sig(d), limit)] for d in dir_ids],
            "entries": out,
            "marked": marked,
        }
        with contextlib.suppress(OSError, ValueError):
            self._write(self.file, json.dumps(data, separators=(",", ":")))
            if self.hits.changed:
                self._write(self.hits.file, self.hits.data(lambda sig: _trusted(sig, limit)))

    def _write(self, file: Path, text: str) -> None:
        directory = self.directory
        directory.mkdir(parents=True, exist_ok=True)
        _create(directory / ".gitignore", "*\n")
        _create(directory / "CACHEDIR.TAG", _TAG)
        fd, tmp = tempfile.mkstemp(prefix=".lint-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _create(path: Path, text: str) -> None:
    """Write ``path`` unless something (a file, a link, even a dangling one) is there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _trusted(sig: Sig, limit: int) -> Sig:
    """``sig``, or a signature nothing matches when the path was modified too recently."""
    mtime = None
    if sig[0] == "file":
        mtime = sig[2]
    elif sig[0] == "list":
        mtime = sig[1]
    elif sig[0] == "link" and len(sig) > 4:
        mtime = sig[4]
    return ["racy"] if isinstance(mtime, int) and mtime >= limit else sig


# ---------------------------------------------------------------------- shapes


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not an integer")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


def _ints(value: Any) -> list[int]:
    out = _list(value)
    if not all(type(i) is int for i in out) or (out and min(out) < 0):
        raise ValueError("not a list of indexes")
    return out


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _finding_json(f: Finding) -> list[Any]:
    return [f.code, f.name, f.severity.value, f.path, f.line, f.column, f.message, f.fix, f.anchor]


def _finding(raw: Any) -> Finding:
    code, name, severity, path, line, column, message, fix, anchor = _list(raw)
    return Finding(
        code=_str(code),
        name=_str(name),
        severity=_SEVERITIES[_str(severity)],
        path=_str(path),
        line=_int(line),
        column=_int(column),
        message=_str(message),
        fix=_str(fix),
        anchor=_str(anchor),
    )


def _event(raw: Any) -> list[Any]:
    event = _list(raw)
    kind = event[0]
    if kind == "p":
        _, rel, message, line, column, severity, fix = event
        _SEVERITIES[_str(severity)]
        return ["p", _str(rel), _str(message), _int(line), _int(column), severity, _opt_str(fix)]
    if kind == "r":
        _, rel, message, line, column = event
        return ["r", _str(rel), _str(message), _int(line), _int(column)]
    if kind == "n":
        _, rel, error, needs, features, line = event
        if error is not None:
            err = _list(error)
            if len(err) != 3:
                raise ValueError("bad error")
            error = [_str(err[0]), _int(err[1]), _int(err[2])]
        feats = [_str(x) for x in _list(features)]
        return ["n", _str(rel), error, _opt_str(needs), feats, _int(line)]
    raise ValueError("unknown event")
