"""The parsed project: every file agentcheck reads, found once and parsed once, lazily.

A :class:`Project` is built on a repository root. It lists the files below it (git's view when
the root is in a git work tree, else a walk that honours ``.gitignore``), reads each at most
once, and hands rules parsed documents with positions. Anything that does not parse becomes an
AC100 finding at its location (:attr:`Project.problems`); nothing here raises on bad input.
Lint never imports the user's code.
"""

from __future__ import annotations

import codecs
import os
import stat
import tomllib
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

import pathspec

from agentcheck import _filelist
from agentcheck._filelist import SKIP_DIRS
from agentcheck._findings import Finding, Severity
from agentcheck._known_files import CONFIG_NAMES, KnownFiles, LanggraphConfig
from agentcheck._pysources import PythonSources
from agentcheck._reads import VIRTUAL, Reads, Sig
from agentcheck.config import Config, load_config
from agentcheck.files import Entry, locate, read_located, read_regular
from agentcheck.parsing import Located, ParseError, has_template_braces, parse_json, parse_yaml
from agentcheck.pysyntax import SyntaxNote

if TYPE_CHECKING:
    from agentcheck.secrets._hits_cache import HitsCache

__all__ = ["LanggraphConfig", "Project"]

T = TypeVar("T")

_BINARY_SNIFF = 8192


class Project(KnownFiles, PythonSources):
    """A repository to lint, rooted at ``root``."""

    def __init__(self, root: Path | str, config: Config | None = None) -> None:
        self.root = Path(root).resolve()
        self.config = config if config is not None else load_config(self.root)
        self._texts: dict[str, str | None] = {}
        #: Why a file could not be read (an AC100 finding for each read that reports).
        self._unread: dict[str, tuple[str, Severity]] = {}
        self._memo: dict[str, Any] = {}
        #: Directories resolved so far, for :func:`agentcheck.files.locate`.
        self._real_dirs: dict[str, str] = {}
        self._problems: dict[tuple[str, int, int, str], Finding] = {}
        #: Python files the running interpreter's grammar did not read as written (see
        #: :mod:`agentcheck.pysyntax`): their AC100 depends on the Python the project targets.
        self.python_notes: dict[str, SyntaxNote] = {}
        #: What :meth:`close` stops: work started on other processes and not yet collected.
        self._closers: list[Callable[[], None]] = []
        #: What each computation read, while the lint cache is on (:meth:`track_reads`).
        self.reads: Reads | None = None
        #: The signature of each listed regular file, from the listing's ``lstat``.
        self._listed: dict[str, Sig] = {}
        #: The secrets scan's per-file cache, while the lint cache is on.
        self.hits_cache: HitsCache | None = None

    def track_reads(self) -> Reads:
        """Record from now on what each computation reads (see :mod:`agentcheck._reads`)."""
        if self.reads is None:
            self.reads = Reads(str(self.root), self._listed.get, self._virtual_sig)
        return self.reads

    def _virtual_sig(self, key: str) -> Sig:
        compute = VIRTUAL.get(key)
        return compute(self) if compute is not None else ["absent"]

    def track_virtual(self, key: str, sig: Sig) -> None:
        """Record that the running computation depends on ``key`` of
        :data:`agentcheck._reads.VIRTUAL`, whose signature is ``sig`` now."""
        if self.reads is not None:
            self.reads.touch_virtual(key, sig)

    def track(self, rel: str) -> None:
        """Record that the running computation depends on path ``rel`` (relative to the
        root, or absolute), read without the project (a direct ``stat``, a link test)."""
        if self.reads is not None:
            self.reads.touch(rel)

    def track_dir(self, rel: str) -> None:
        """Record that the running computation listed directory ``rel`` itself."""
        if self.reads is not None:
            self.reads.touch_dir(rel)

    def on_close(self, closer: Callable[[], None]) -> None:
        """Have :meth:`close` call ``closer`` (which stops background work it started)."""
        self._closers.append(closer)

    def close(self) -> None:
        """Stop background work nobody collected (workers started early by a rule's
        :meth:`~agentcheck.lint.rule.Rule.prefetch`). The lint runner calls it at the end."""
        closers, self._closers = self._closers, []
        for closer in closers:
            closer()

    # ----------------------------------------------------------------- files

    @cached_property
    def git_root(self) -> Path | None:
        """The enclosing git work tree, or None (git missing or not a repository)."""
        return _filelist.git_root(self.root)

    @cached_property
    def tracked(self) -> frozenset[str]:
        """Files git tracks below the root (relative paths); empty outside a git work tree."""
        return self._git_listing[0]

    @cached_property
    def _git_listing(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """``(tracked, tracked and untracked-but-not-ignored)`` below the root; empty outside
        a git work tree or when git fails (see :func:`agentcheck._filelist.git_listing`)."""
        if self.git_root is None:
            return frozenset(), ()
        return _filelist.git_listing(self.root)

    @cached_property
    def files(self) -> tuple[str, ...]:
        """Every file agentcheck may read, relative POSIX paths, sorted.

        In a git work tree: tracked plus untracked-but-not-ignored files. Elsewhere: a walk that
        honours ``.gitignore`` files. Both skip :data:`SKIP_DIRS`, the configured ``exclude``
        globs, symlinks that leave the root, and anything that is not a regular file.
        """
        if self.git_root is not None:
            candidates: Iterator[str] = iter(sorted(set(self._git_listing[1])))
        else:
            candidates = self._walk()
        exclude = self._spec(self.config.exclude)
        out: list[str] = []
        odd: list[str] = []
        for rel in candidates:
            parts = rel.split("/")
            if any(part in SKIP_DIRS for part in parts[:-1]):
                continue
            if exclude is not None and exclude.match_file(rel):
                continue
            try:
                # The same path as self.root / rel without building a Path (2,900 files).
                st = os.lstat(os.path.join(self.root, rel))
            except (OSError, ValueError):
                continue
            mode = st.st_mode
            if stat.S_ISREG(mode):
                self._listed[rel] = ["file", st.st_size, st.st_mtime_ns]
            elif stat.S_ISLNK(mode):
                if not self.locate(rel).is_file:  # out of the root, dangling, to a directory
                    odd.append(rel)
                    continue
            elif not stat.S_ISREG(mode):
                odd.append(rel)  # FIFOs, sockets, devices: never opened
                continue
            out.append(rel)
        self._unreadable_configs(odd)
        return tuple(sorted(out))

    def _unreadable_configs(self, odd: list[str]) -> None:
        """A ``langgraph.json`` or ``pyproject.toml`` that is not a regular file (a directory,
        a FIFO, a dangling link, a link loop) is a finding, never a silent pass."""
        names = (*CONFIG_NAMES, "pyproject.toml")
        for rel in dict.fromkeys([*names, *odd]):
            name = PurePosixPath(rel).name
            if name not in names:
                continue
            entry = self.locate(rel)
            if entry.kind in ("file", "outside"):
                continue
            if entry.kind == "missing" and not os.path.islink(self.root / rel):
                continue
            what = {
                "directory": "is a directory, not a file",
                "special": "is not a regular file (a FIFO, device or socket)",
                "loop": "is a symbolic link loop",
                "missing": "is a symbolic link to a file that does not exist",
            }.get(entry.kind, f"cannot be read: {entry.reason}")
            severity = Severity.WARNING if name == "pyproject.toml" else Severity.ERROR
            self.problem(rel, f"{what}: it is not read", severity=severity)

    def _walk(self) -> Iterator[str]:
        return _filelist.walk(self.root, self.config.max_file_size, self.locate)

    @staticmethod
    def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec[Any] | None:
        return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None

    def glob(self, predicate: Callable[[str], bool]) -> list[str]:
        """Files whose relative path satisfies ``predicate``."""
        return [rel for rel in self.files if predicate(rel)]

    def is_production(self, rel: str) -> bool:
        """Whether ``rel`` describes production (``production`` / ``not-production`` globs)."""
        key = ("production", rel)
        cached = self._memo.get(str(key))
        if cached is not None:
            return bool(cached)
        prod = self.memo("spec:production", lambda: self._spec(self.config.production))
        notprod = self.memo("spec:not-production", lambda: self._spec(self.config.not_production))
        result = bool(prod and prod.match_file(rel)) and not bool(
            notprod and notprod.match_file(rel)
        )
        self._memo[str(key)] = result
        return result

    # ----------------------------------------------------------------- reading

    def memo(self, key: str, factory: Callable[[], T]) -> T:
        """Compute ``factory()`` once per project under ``key`` (for derived models)."""
        reads = self.reads
        if key in self._memo:
            if reads is not None and reads.stack:
                reads.use(key)
        elif reads is None:
            self._memo[key] = factory()
        else:
            self._memo[key] = reads.attach(key, factory)
        value: T = self._memo[key]
        return value

    def kept_memo(
        self,
        key: str,
        factory: Callable[[], T],
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> T:
        """:meth:`memo`, kept in the lint cache between runs while what it read is unchanged:
        for a small result of a costly model (``encode`` makes it JSON, ``decode`` reads that
        back and raises ``ValueError``/``TypeError``/``KeyError`` on any other shape)."""
        reads = self.reads
        if reads is None or reads.store is None or key in self._memo:
            return self.memo(key, factory)
        found = reads.store.restore(key, decode)
        if found is None:
            value = self.memo(key, factory)
            reads.store.keep(key, encode(value))
            return value
        self._memo[key] = found[0]
        if reads.stack:
            reads.use(key)
        restored: T = found[0]
        return restored

    def _has_memo(self, key: str) -> bool:
        """Whether memo entry ``key`` exists (a use of it, when it does)."""
        if key not in self._memo:
            return False
        if self.reads is not None and self.reads.stack:
            self.reads.use(key)
        return True

    def text(self, rel: str, *, report: bool = True) -> str | None:
        """The file's text, or None when it is missing, binary, too large or unreadable.

        Decoding follows pip and Python: a UTF-8 or UTF-16 BOM is honoured; undecodable bytes
        are replaced (and reported as AC100 when a parser needs the text). A file over
        ``max-file-size`` is skipped with one info finding.
        """
        if self.reads is not None:
            self.reads.touch_text(rel)
        if rel in self._texts:
            text = self._texts[rel]
        else:
            text = self._texts[rel] = self._read(rel)
        if report and rel in self._unread:
            # Every reporting read records why the file was not read, whichever read came
            # first (and so does each rule's own record, for the lint cache).
            message, severity = self._unread[rel]
            self.problem(rel, message, severity=severity)
        return text

    @property
    def texts_read(self) -> dict[str, str | None]:
        """Every file read so far (for suppression comments)."""
        return self._texts

    def locate(self, rel: str) -> Entry:
        """What ``rel`` is (see :func:`agentcheck.files.locate`): never followed out of the root.

        A symbolic link that leaves the root is reported once, as an AC100 info finding that
        names the link and where it points (never what is there).
        """
        if self.reads is not None:
            self.reads.touch(rel)
        key = f"locate:{rel}"
        entry: Entry | None = self._memo.get(key)
        if entry is None:
            entry = locate(self.root, rel, self._real_dirs)
            self._memo[key] = entry
        if entry.kind == "outside" and entry.link is not None:
            if entry.link != rel and self.reads is not None:
                self.reads.touch(entry.link)
            self.problem(
                entry.link,
                f"is a symbolic link to {entry.target}, outside the project: "
                "agentcheck does not follow it",
                severity=Severity.INFO,
                fix="Commit the file itself, or list the link in [tool.agentcheck] exclude.",
            )
        return entry

    def is_file(self, rel: str) -> bool:
        """Whether ``rel`` is a regular file inside the root (links followed only inside)."""
        return self.locate(rel).is_file

    def is_dir(self, rel: str) -> bool:
        """Whether ``rel`` is a directory inside the root (links followed only inside)."""
        return self.locate(rel).is_dir

    def _read(self, rel: str) -> str | None:
        """The file's text; when it cannot be read, why (in :attr:`_unread`) and None."""
        entry = self.locate(rel)
        if entry.kind in ("missing", "outside"):
            return None
        if entry.kind != "file" or entry.full is None:
            what = {
                "directory": "is a directory, not a file",
                "special": "is not a regular file (a FIFO, device or socket): not read",
                "loop": "is a symbolic link loop",
            }.get(entry.kind, f"cannot be read: {entry.reason}")
            self._unread[rel] = (what, Severity.WARNING)
            return None
        limit = self.config.max_file_size
        try:
            data = read_located(entry, limit)
        except OSError as exc:
            why = f"cannot be read: {exc.strerror or type(exc).__name__}"
            self._unread[rel] = (why, Severity.ERROR)
            return None
        if len(data) > limit:
            try:
                size = os.stat(entry.full).st_size
            except OSError:
                size = len(data)
            self._unread[rel] = (
                f"skipped: {max(size, len(data)) / 1_048_576:.1f} MiB is over max-file-size "
                f"({limit / 1_048_576:.1f} MiB)",
                Severity.INFO,
            )
            return None
        return self._decode(rel, data)

    def _decode(self, rel: str, data: bytes) -> str | None:
        """A file's bytes as text (None when binary), decoded as :meth:`text` says."""
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16", errors="replace")
        if self._looks_binary(data):
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self._memo[f"decode-error:{rel}"] = exc.start
            return data.decode("utf-8-sig", errors="replace")

    @staticmethod
    def _looks_binary(data: bytes) -> bool:
        return b"\0" in data[:_BINARY_SNIFF]

    def is_binary(self, rel: str) -> bool:
        """Whether the file looks binary (a NUL byte near its start)."""
        if self.reads is not None:
            self.reads.touch(rel)
        try:
            return self._looks_binary(read_regular(self.root, rel, _BINARY_SNIFF))
        except OSError:
            return False

    def _parse_text(self, rel: str, kind: str) -> str | None:
        text = self.text(rel)
        if text is None:
            if self.is_file(rel) and self.is_binary(rel):
                self.problem(rel, f"is a binary file, not {kind}")
            return None
        bad = self._memo.get(f"decode-error:{rel}")
        if bad is not None:
            self.problem(rel, f"is not valid UTF-8 (byte offset {bad}); cannot parse {kind}")
            return None
        return text

    def json(self, rel: str) -> Located | None:
        """The parsed JSON document, or None (reported as AC100)."""
        return self.memo(f"json:{rel}", lambda: self._json(rel))

    def _json(self, rel: str) -> Located | None:
        text = self._parse_text(rel, "JSON")
        if text is None:
            return None
        if not text.strip():
            self.problem(rel, "is empty; expected a JSON object")
            return None
        try:
            doc = parse_json(text)
        except ParseError as exc:
            self.problem(rel, f"invalid JSON: {exc.message}", exc.line, exc.column)
            return None
        self._value_problems(rel, [doc])
        return doc

    def yaml(self, rel: str) -> list[Located]:
        """The YAML documents of the file; [] when it does not parse (reported as AC100).

        Templated YAML (Helm chart templates, files with ``{{ }}`` that do not parse as they
        stand) is not reported: :meth:`is_templated` tells rules which files those are.
        """
        return self.memo(f"yaml:{rel}", lambda: self._yaml(rel))

    def is_templated(self, rel: str) -> bool:
        """Helm chart templates, and ``{{ }}``-templated YAML that does not parse as it stands:
        both are YAML only once rendered. A file that parses is read, whatever its values or
        comments hold (Argo CD, Kyverno and Prometheus rules write ``{{ }}`` inside strings)."""
        parts = PurePosixPath(rel).parts
        if "templates" in parts[:-1]:
            idx = parts.index("templates")
            if self.is_file("/".join((*parts[:idx], "Chart.yaml"))):
                return True
        text = self.text(rel, report=False)
        if text is None or "{{" not in text or "}}" not in text:
            return False
        return has_template_braces(text) or isinstance(self._parsed_yaml(rel, text), ParseError)

    def _parsed_yaml(self, rel: str, text: str) -> list[Located] | ParseError:
        def parse() -> list[Located] | ParseError:
            try:
                return parse_yaml(text)
            except ParseError as exc:
                return exc

        return self.memo(f"yaml-parsed:{rel}", parse)

    def _yaml(self, rel: str) -> list[Located]:
        if self.is_templated(rel):
            return []
        text = self._parse_text(rel, "YAML")
        if text is None:
            return []
        docs = self._parsed_yaml(rel, text)
        if isinstance(docs, ParseError):
            self.problem(rel, f"invalid YAML: {docs.message}", docs.line, docs.column)
            return []
        self._value_problems(rel, docs)
        return docs

    def _value_problems(self, rel: str, docs: list[Located]) -> None:
        """Values a parser kept as text because they are not what they say (AC100 warnings)."""
        for doc in docs:
            for message, line, column in doc.problems:
                self.problem(rel, message, line, column, severity=Severity.WARNING)

    def toml(self, rel: str) -> dict[str, Any] | None:
        """The parsed TOML table, or None (reported as AC100)."""
        return self.memo(f"toml:{rel}", lambda: self._toml(rel))

    def _toml(self, rel: str) -> dict[str, Any] | None:
        text = self._parse_text(rel, "TOML")
        if text is None:
            return None
        try:
            return tomllib.loads(text)
        except RecursionError:
            self.problem(rel, "invalid TOML: nesting is too deep")
            return None
        except ValueError as exc:
            if not isinstance(exc, tomllib.TOMLDecodeError):
                # tomllib lets int()'s own error through for integers over 4,300 digits.
                self.problem(rel, "invalid TOML: an integer is too large to read")
                return None
            msg = str(exc)
            line, col = 1, 1
            if "(at line " in msg:
                tail = msg.rsplit("(at line ", 1)[1].rstrip(")")
                try:
                    line_s, col_s = tail.split(", column ")
                    line, col = int(line_s), int(col_s)
                except ValueError:
                    pass
                msg = msg.rsplit(" (at line ", 1)[0]
            self.problem(rel, f"invalid TOML: {msg}", line, col)
            return None

    def retract_problem(self, rel: str, message: str, line: int, column: int) -> None:
        """Withdraw an AC100 finding recorded with exactly these arguments."""
        key = (rel, line, column, message)
        self._problems.pop(key, None)
        if self.reads is not None:
            self.reads.event(["r", rel, message, line, column])

    # ----------------------------------------------------------------- problems

    def problem(
        self,
        rel: str,
        message: str,
        line: int = 1,
        column: int = 1,
        *,
        severity: Severity = Severity.ERROR,
        fix: str | None = None,
    ) -> None:
        """Record an AC100 finding: a file agentcheck must read does not parse or read."""
        if self.reads is not None:
            self.reads.event(["p", rel, message, line, column, severity.value, fix])
        key = (rel, line, column, message)
        if key not in self._problems:
            self._problems[key] = Finding(
                code="AC100",
                name="parse-error",
                severity=severity,
                path=rel,
                line=max(line, 1),
                column=max(column, 1),
                message=f"{rel} {message}" if not message.startswith(rel) else message,
                fix=fix
                or "Fix the file so that it parses, or exclude it with [tool.agentcheck] exclude.",
            )

    @property
    def problems(self) -> list[Finding]:
        """AC100 findings recorded so far."""
        return list(self._problems.values())
