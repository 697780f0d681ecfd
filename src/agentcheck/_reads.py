"""What a computation read: the bookkeeping behind the lint cache (:mod:`agentcheck.lint.cache`).

While the cache is on, :class:`~agentcheck.project.Project` keeps a stack of :class:`Frame`\\ s.
Every path it touches (a text read, a ``locate``, a binary sniff, a directory listing) is added
to the top frame with the path's :func:`signature` taken *before* the read, and so is every
AC100 finding or syntax note it records (as an event the cache can replay). A memo entry
(``Project.memo``) is built in a frame of its own, kept as the entry's record; whoever uses the
entry, when it is built or later, inherits that record. A rule run in a frame of its own thus
ends with every file its result depends on, however the derived models it used were shared.

A read that does not go through the project (a subprocess, a walk of a directory) marks the
frame :attr:`Frame.uncacheable`, unless its caller records what it depends on with
:meth:`Reads.touch` / :meth:`Reads.touch_dir`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

__all__ = ["VIRTUAL", "Frame", "MemoStore", "Reads", "Sig", "signature"]

T = TypeVar("T")

#: A path's signature as JSON: ``["file", size, mtime_ns]``, ``["dir"]``, ``["absent"]``,
#: ``["other", mode]``, ``["link", target, *signature of what it points to]``, or for a
#: directory listing ``["list", mtime_ns]``.
Sig = list[Any]

#: What a computation may depend on that is not a file, by key (a key starts with NUL, which
#: no path holds): each function computes the thing's signature now from the project (the
#: release AC601-AC603 compare with: see :func:`agentcheck.versions.baseline`).
VIRTUAL: dict[str, Callable[[Any], Sig]] = {}


def _kind(st: os.stat_result) -> Sig:
    if stat.S_ISREG(st.st_mode):
        return ["file", st.st_size, st.st_mtime_ns]
    if stat.S_ISDIR(st.st_mode):
        return ["dir"]
    return ["other", stat.S_IFMT(st.st_mode)]


def signature(root: str, key: str) -> Sig:
    """The signature of ``key`` (relative to ``root``, or absolute): what the cache compares
    to decide whether a recorded read would read the same thing now. Size and modification
    time in nanoseconds, as ruff and mypy compare; a link's target is part of it."""
    full = os.path.join(root, key)
    try:
        st = os.lstat(full)
    except (OSError, ValueError):
        return ["absent"]
    if not stat.S_ISLNK(st.st_mode):
        return _kind(st)
    try:
        target = os.readlink(full)
        followed = _kind(os.stat(full))
    except (OSError, ValueError):
        return ["link", "", "absent"]
    return ["link", target, *followed]


def listing_signature(root: str, key: str) -> Sig:
    """A directory's listing (its modification time changes when an entry is added, removed
    or renamed)."""
    try:
        return ["list", os.stat(os.path.join(root, key) if key else root).st_mtime_ns]
    except (OSError, ValueError):
        return ["absent"]


class Frame:
    """What one computation read and recorded."""

    __slots__ = ("dirs", "events", "merged", "paths", "texts", "uncacheable")

    def __init__(self) -> None:
        self.paths: set[str] = set()
        self.dirs: set[str] = set()
        #: Paths whose text was read (the suppression comments AC900 looks at).
        self.texts: set[str] = set()
        #: AC100 findings and syntax notes recorded, in order, as JSON-able lists.
        self.events: list[list[Any]] = []
        #: Memo entries already inherited (each is merged once).
        self.merged: set[str] = set()
        self.uncacheable = False

    def merge(self, other: Frame) -> None:
        self.paths |= other.paths
        self.dirs |= other.dirs
        self.texts |= other.texts
        self.events.extend(other.events)
        self.uncacheable = self.uncacheable or other.uncacheable


class MemoStore(Protocol):
    """Where memo entries whose value is JSON are kept between runs (the lint cache)."""

    def restore(self, key: str, decode: Callable[[Any], Any]) -> tuple[Any] | None:
        """``(value,)`` of entry ``key`` when what it read is unchanged (its record and its
        recorded AC100 findings restored), else None."""

    def keep(self, key: str, value: Any) -> None:
        """Keep entry ``key``'s JSON ``value`` with its record."""


class Reads:
    """The tracking stack of one project (see the module's documentation)."""

    def __init__(
        self,
        root: str,
        known: Callable[[str], Sig | None] | None = None,
        virtual: Callable[[str], Sig] | None = None,
    ) -> None:
        self.root = root
        self._virtual = virtual
        self.stack: list[Frame] = []
        #: Each memo entry's record, by memo key.
        self.records: dict[str, Frame] = {}
        #: The signature of every path touched, taken the first time it was touched.
        self.sigs: dict[str, Sig] = {}
        self.dir_sigs: dict[str, Sig] = {}
        #: Signatures known without a system call (the listing's), or None.
        self._known = known
        #: Where :meth:`~agentcheck.project.Project.kept_memo` entries are kept, or None.
        self.store: MemoStore | None = None

    def sig(self, key: str) -> Sig:
        found = self.sigs.get(key)
        if found is None:
            if key.startswith("\0"):
                found = self._virtual(key) if self._virtual is not None else ["absent"]
            else:
                found = (self._known(key) if self._known else None) or signature(self.root, key)
            self.sigs[key] = found
        return found

    def dir_sig(self, key: str) -> Sig:
        found = self.dir_sigs.get(key)
        if found is None:
            found = self.dir_sigs[key] = listing_signature(self.root, key)
        return found

    def touch(self, key: str) -> None:
        """Record a dependency on path ``key`` (call it before reading the path)."""
        if self.stack:
            self.stack[-1].paths.add(key)
            if key not in self.sigs:
                self.sig(key)

    def touch_virtual(self, key: str, sig: Sig) -> None:
        """Record a dependency on ``key`` of :data:`VIRTUAL`, whose signature is ``sig`` now
        (unless one was taken earlier in the run: the older one is the safe one to keep)."""
        if self.stack:
            self.stack[-1].paths.add(key)
            self.sigs.setdefault(key, sig)

    def touch_text(self, key: str) -> None:
        if self.stack:
            top = self.stack[-1]
            top.paths.add(key)
            top.texts.add(key)
            if key not in self.sigs:
                self.sig(key)

    def touch_dir(self, key: str) -> None:
        """Record a dependency on the listing of directory ``key``."""
        if self.stack:
            self.stack[-1].dirs.add(key)
            if key not in self.dir_sigs:
                self.dir_sig(key)

    def event(self, event: list[Any]) -> None:
        if self.stack:
            self.stack[-1].events.append(event)

    def uncacheable(self) -> None:
        """The running computation read something no signature covers."""
        if self.stack:
            self.stack[-1].uncacheable = True

    def use(self, key: str) -> None:
        """The memo entry ``key`` is used: the running computation inherits its record."""
        if not self.stack:
            return
        top = self.stack[-1]
        if key in top.merged:
            return
        top.merged.add(key)
        record = self.records.get(key)
        if record is None:
            top.uncacheable = True  # built before tracking began: its reads are unknown
        else:
            top.merge(record)

    def attach(self, key: str, build: Callable[[], T]) -> T:
        """Run ``build`` as (part of) memo entry ``key``: what it reads is the entry's record,
        inherited by the caller."""
        frame = self.records.get(key) or Frame()
        self.stack.append(frame)
        try:
            return build()
        finally:
            self.stack.pop()
            self.records[key] = frame
            if self.stack:
                top = self.stack[-1]
                top.merged.add(key)
                top.merge(frame)

    def run(self, build: Callable[[], T]) -> tuple[T, Frame]:
        """Run ``build`` in a frame of its own (a rule): its result and what it read."""
        frame = Frame()
        self.stack.append(frame)
        try:
            return build(), frame
        finally:
            self.stack.pop()
