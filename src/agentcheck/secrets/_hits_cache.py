"""The secrets scan's per-file cache: the credentials found in each file, kept with the file's
size and modification time (the lint cache's signature, see :mod:`agentcheck._reads`).

The secrets rules read every file, so any edit re-runs them; with this cache the scan reads
only the files whose signature changed. Kept beside the lint cache (``.agentcheck_cache/``),
in JSON only; a file of any other shape is a miss.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from agentcheck.files import read_own
from agentcheck.secrets._scan import Hit

__all__ = ["HitsCache"]

_FORMAT = 1
#: The largest file read (a larger one is a miss, as any file of another shape).
MAX_FILE = 64 * 1_048_576


def _hit_json(hit: Hit) -> list[Any]:
    return [
        hit.line,
        hit.column,
        hit.kind,
        hit.redacted,
        hit.fingerprint,
        hit.by_format,
        hit.name,
    ]


def _hit(raw: Any) -> Hit:
    line, column, kind, redacted, fingerprint, by_format, name = raw
    ints = (line, column)
    if not all(type(i) is int for i in ints) or type(by_format) is not bool:
        raise TypeError("not a hit")
    if not all(isinstance(s, str) for s in (kind, redacted, fingerprint, name)):
        raise TypeError("not a hit")
    return Hit(line, column, kind, redacted, fingerprint, by_format, name)


class HitsCache:
    """Hits per file of one project root, under one key (agentcheck's sources, the size
    limit, the Python): ``sig`` gives a path's signature now."""

    def __init__(self, file: Path, key: str, sig: Callable[[str], list[Any]]) -> None:
        self.file, self.key, self._sig = file, key, sig
        self._old: dict[str, tuple[list[Any], list[Hit]]] = {}
        #: What this run knows: path -> (signature, hits).
        self.known: dict[str, tuple[list[Any], list[Hit]]] = {}
        #: Whether this run scanned a file (then the cache is written again).
        self.changed = False
        try:
            raw = read_own(file, MAX_FILE)
            if len(raw) > MAX_FILE:
                raise ValueError("too large")
            data = json.loads(raw)
            ok = isinstance(data, dict) and data.get("format") == _FORMAT
            if ok and data.get("key") == key:
                files = data["files"]
                if not isinstance(files, dict):
                    raise TypeError("not a table")
                self._old = {
                    str(rel): (sig, [_hit(h) for h in hits]) for rel, (sig, hits) in files.items()
                }
        except (OSError, ValueError, TypeError, KeyError, RecursionError):
            self._old = {}

    def lookup(self, paths: Iterable[str]) -> dict[str, list[Hit]]:
        """The cached hits of each of ``paths`` whose signature is unchanged."""
        out = {}
        for rel in paths:
            old = self._old.get(rel)
            if old is not None and old[0] == self._sig(rel):
                out[rel] = old[1]
                self.known[rel] = old
        return out

    def store(self, rel: str, hits: list[Hit]) -> None:
        """Keep a freshly scanned file's hits (its signature was taken before the scan)."""
        self.known[rel] = (self._sig(rel), hits)
        self.changed = True

    def data(self, trusted: Callable[[list[Any]], list[Any]]) -> str:
        """The cache as JSON (``trusted`` replaces signatures too recent to trust)."""
        files = {
            rel: [trusted(sig), [_hit_json(h) for h in hits]]
            for rel, (sig, hits) in sorted(self.known.items())
        }
        data = {"format": _FORMAT, "key": self.key, "files": files}
        return json.dumps(data, separators=(",", ":"))
