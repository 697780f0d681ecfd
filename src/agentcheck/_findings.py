"""Findings: what a rule or a reader reports, where, and how to fix it (re-exported by lint)."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field, replace

__all__ = ["Finding", "Severity"]


class Severity(enum.Enum):
    """How bad a finding is. Ordered: ``INFO < WARNING < ERROR``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Read ``"error"``, ``"WARNING"``, ``"warn"`` ... into a Severity.

        :raises ValueError: for anything else, naming the accepted values.
        """
        text = value.strip().lower()
        if text == "warn":
            text = "warning"
        for member in cls:
            if member.value == text:
                return member
        raise ValueError(f"unknown severity {value!r}: use one of error, warning, info")


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, order=False)
class Finding:
    """One problem at one place.

    ``path`` is POSIX-style and relative to the linted root; ``line`` and ``column`` are
    1-based (``line`` 1, ``column`` 1 for a finding about a whole file). ``message`` and ``fix``
    never hold a secret in full: rules redact before they report.
    """

    code: str
    name: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    fix: str = ""
    #: Text that identifies the finding across line moves (for baselines); defaults to the message.
    anchor: str = field(default="", compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def fingerprint(self) -> str:
        """A stable hash of what the finding is about, independent of its line number."""
        basis = "\x1f".join((self.code, self.path, self.anchor or self.message))
        return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:20]

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)
