"""Baselines: adopt agentcheck in an existing repository, then report only new findings.

``agentcheck lint --write-baseline FILE`` records today's findings; ``--baseline FILE`` drops
the findings recorded there and reports the rest. A finding is recorded by
:meth:`~agentcheck.lint.finding.Finding.fingerprint` (its code, path and what it is about, not
its line), so edits that move a line keep it baselined. Each fingerprint carries a count: two
identical findings in one file need two entries, and a third one is new.

The file stores the code, path and fingerprint only, never a message: a message may name a
value, and a baseline is committed. ::

    {
      "agentcheck-baseline": 1,
      "findings": [{"code": "AC506", "path": "k8s/deploy.yaml", "fingerprint": "…", "count": 1}]
    }
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcheck.errors import UsageError
from agentcheck.files import NotReadable, read_named
from agentcheck.lint.finding import Finding

__all__ = ["BASELINE_VERSION", "Baseline"]

BASELINE_VERSION = 1
#: The largest baseline read (a few hundred bytes a finding: far more than any repository has).
MAX_BASELINE = 64 * 1_048_576
_KEY = "agentcheck-baseline"


@dataclass
class Baseline:
    """Recorded findings: ``(code, path, fingerprint)`` with how many of each."""

    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    @classmethod
    def from_findings(cls, findings: Iterable[Finding]) -> Baseline:
        return cls(Counter((f.code, f.path, f.fingerprint()) for f in findings))

    def __len__(self) -> int:
        return sum(self.counts.values())

    def filter(self, findings: Sequence[Finding]) -> tuple[list[Finding], int]:
        """The findings not in the baseline, and how many were.

        Each recorded entry absorbs as many findings as its count; the rest are new.
        """
        left = Counter(self.counts)
        new: list[Finding] = []
        matched = 0
        for f in findings:
            key = (f.code, f.path, f.fingerprint())
            if left[key] > 0:
                left[key] -= 1
                matched += 1
            else:
                new.append(f)
        return new, matched

    def to_json(self) -> str:
        entries = [
            {"code": code, "path": path, "fingerprint": fp, "count": n}
            for (code, path, fp), n in sorted(
                self.counts.items(), key=lambda kv: (kv[0][1], *kv[0])
            )
        ]
        return json.dumps({_KEY: BASELINE_VERSION, "findings": entries}, indent=2) + "\n"

    def write(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_json(cls, text: str, source: str = "baseline") -> Baseline:
        """Parse a baseline document.

        :raises UsageError: when it is not one (names ``source`` and what is wrong).
        """
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{source}: not a baseline file: {exc}") from None
        except RecursionError:
            raise UsageError(f"{source}: not a baseline file: nested too deep") from None
        except ValueError:  # an integer over 4,300 digits
            raise UsageError(f"{source}: not a baseline file: a number is out of range") from None
        if not isinstance(data, dict) or _KEY not in data:
            raise UsageError(f"{source}: not an agentcheck baseline (no {_KEY!r} key)")
        version = data[_KEY]
        if isinstance(version, bool) or version != BASELINE_VERSION:
            shown = repr(version)[:20] if isinstance(version, int | str) else type(version).__name__
            raise UsageError(
                f"{source}: baseline version {shown} is not supported "
                f"(this agentcheck writes version {BASELINE_VERSION}); write it again"
            )
        entries = data.get("findings")
        if not isinstance(entries, list):
            raise UsageError(f"{source}: 'findings' must be a list")
        counts: Counter[tuple[str, str, str]] = Counter()
        for i, entry in enumerate(entries):
            try:
                key = (entry["code"], entry["path"], entry["fingerprint"])
                count = entry.get("count", 1)
                if not all(isinstance(part, str) for part in key):
                    raise TypeError
            except (TypeError, KeyError, AttributeError):
                raise UsageError(
                    f"{source}: findings[{i}] needs 'code', 'path' and 'fingerprint'"
                ) from None
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise UsageError(f"{source}: findings[{i}]: 'count' must be a positive integer")
            counts[key] += count
        return cls(counts)

    @classmethod
    def read(cls, path: Path) -> Baseline:
        """Read a baseline file.

        :raises UsageError: when it cannot be read or is not a baseline.
        """
        try:
            data = read_named(path, MAX_BASELINE)
            text = data.decode("utf-8")
        except FileNotFoundError:
            raise UsageError(
                f"{path}: baseline file not found (create it with --write-baseline)"
            ) from None
        except NotReadable as exc:
            raise UsageError(f"{path}: cannot read the baseline: {exc.strerror}") from None
        except OSError as exc:
            raise UsageError(f"{path}: cannot read the baseline: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{path}: cannot read the baseline: it is not UTF-8") from None
        if len(data) > MAX_BASELINE:
            raise UsageError(f"{path}: the baseline is over {MAX_BASELINE // 1_048_576} MiB")
        return cls.from_json(text, str(path))
