"""Rule selectors given on a command line: ``--select AC1,AC402,parse-error``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from agentcheck.errors import UsageError
from agentcheck.lint.rule import Rule

__all__ = ["check_selectors", "find_rule", "split_codes"]


def split_codes(values: Iterable[str]) -> list[str]:
    """``["AC1,AC2", " AC3 "]`` -> ``["AC1", "AC2", "AC3"]``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _did_you_mean(key: str, known: Sequence[str]) -> str:
    extended = [k for k in known if k.startswith(key.upper())]
    close = (
        extended
        or difflib.get_close_matches(key, known, n=1)
        or difflib.get_close_matches(key.upper(), known, n=1)
    )
    return f"; did you mean {close[0]!r}?" if close else "; `agentcheck rules` lists them"


def check_selectors(
    selectors: Sequence[str], rules: Sequence[type[Rule]], option: str
) -> list[str]:
    """Selectors with codes upper-cased, after checking that each matches a rule.

    A selector is ``ALL``, a rule name, or a code or code prefix (``AC4``, ``AC402``).

    :raises UsageError: for a selector that matches no rule, with a did-you-mean.
    """
    names = {r.name for r in rules}
    out = []
    for raw in selectors:
        sel = raw if raw in names else raw.upper()
        if sel == "ALL" or sel in names or any(r.code.startswith(sel) for r in rules):
            out.append(sel)
            continue
        known = [r.code for r in rules] + sorted(names)
        raise UsageError(f"{option}: {raw!r} matches no rule{_did_you_mean(raw, known)}")
    return out


def find_rule(key: str, rules: Sequence[type[Rule]]) -> type[Rule]:
    """The rule whose code or name is ``key`` (any case).

    :raises UsageError: when there is none, with a did-you-mean.
    """
    for rule in rules:
        if key.upper() == rule.code or key.lower() == rule.name:
            return rule
    known = [r.code for r in rules] + [r.name for r in rules]
    raise UsageError(f"unknown rule {key!r}{_did_you_mean(key, known)}")
