"""The text format, for people: ruff-like, with the source line and the fix.

::

    langgraph.json:3:14: AC102 [graph-target-missing] Graph 'agent': agent.py has no 'graph'.
      |
    3 |     "agent": "./agent.py:graph"
      |              ^
      = fix: Point the graph at a module attribute that exists.

The source line is left out for secrets findings (AC2xx) and for any line such a finding points
at; other lines are shown with credential-looking values masked (see ``_redact``).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import IO

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.formatters._redact import SECRET_FAMILY, redact_line
from agentcheck.lint.formatters._report import Report

__all__ = [
    "code_ranges",
    "format_finding",
    "format_findings",
    "render",
    "scope_note",
    "summary_line",
    "use_color",
]

#: Lines longer than this are shown as a window around the column.
MAX_WIDTH = 120
#: Lines longer than this are not shown at all (minified files, data blobs).
MAX_LINE = 4096

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RED = "\x1b[31m"
_YELLOW = "\x1b[33m"
_CYAN = "\x1b[36m"
_BLUE = "\x1b[34m"
_SEVERITY_COLOR = {Severity.ERROR: _RED, Severity.WARNING: _YELLOW, Severity.INFO: _CYAN}


def use_color(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """Colour on a terminal only, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def _printable(text: str) -> str:
    """Control characters (a terminal escape in a file must not drive the terminal) escaped."""
    if text.isprintable():
        return text
    return "".join(
        ch
        if ch == "\t" or ch.isprintable() or unicodedata.category(ch) not in ("Cc", "Cf")
        else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _excerpt(line: str, column: int) -> tuple[str, int]:
    """The line to show (tabs expanded, a window around long lines) and the caret's offset."""
    line = _printable(line.rstrip("\r\n"))
    column = min(max(column, 1), len(line) + 1)
    before, after = line[: column - 1], line[column - 1 :]
    before = before.expandtabs(4)
    after = (before + after).expandtabs(4)[len(before) :]
    if len(before) + len(after) > MAX_WIDTH:
        keep_before = min(len(before), MAX_WIDTH // 3)
        if keep_before < len(before):
            before = "…" + before[len(before) - keep_before + 1 :]
        room = MAX_WIDTH - len(before)
        if len(after) > room:
            after = after[: room - 1] + "…"
    return before + after, _width(before)


def format_finding(
    finding: Finding,
    *,
    source: Callable[[str], str | None] | None = None,
    path: str | None = None,
    color: bool = False,
    show_source: bool = True,
) -> str:
    """One finding: the ``path:line:col: CODE [name] message`` line, the source line with a
    caret under the column (when ``source`` has it and it may be shown), and the fix."""

    def c(style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if color else text

    where = f"{path or finding.path}:{finding.line}:{finding.column}:"
    sev = _SEVERITY_COLOR[finding.severity]
    head = (
        f"{c(_BOLD, where)} {c(_BOLD + sev, finding.code)} "
        f"{c(_DIM, f'[{finding.name}]')} {_printable(finding.message)}"
    )
    out = [head]
    text = source(finding.path) if (source and show_source) else None
    lines = text.splitlines() if text is not None else []
    if 1 <= finding.line <= len(lines) and len(lines[finding.line - 1]) <= MAX_LINE:
        shown, offset = _excerpt(redact_line(lines[finding.line - 1]), finding.column)
        gutter = " " * len(str(finding.line))
        bar = c(_BLUE, f"{gutter} |")
        out.append(bar)
        out.append(f"{c(_BLUE, f'{finding.line} |')} {shown}")
        out.append(f"{bar} {' ' * offset}{c(_BOLD + sev, '^')}")
        if finding.fix:
            out.append(f"{gutter} = {c(_BOLD, 'fix:')} {_printable(finding.fix)}")
    elif finding.fix:
        out.append(f"  = {c(_BOLD, 'fix:')} {_printable(finding.fix)}")
    return "\n".join(out)


def format_findings(
    findings: Iterable[Finding],
    *,
    source: Callable[[str], str | None] | None = None,
    prefix: str = "",
    color: bool = False,
    concise: bool = False,
    hidden_lines: set[tuple[str, int]] | None = None,
) -> str:
    """Several findings, one block each, separated by blank lines (one line each if concise)."""
    findings = list(findings)
    hidden = set(hidden_lines or ())
    hidden.update((f.path, f.line) for f in findings if f.code.startswith(SECRET_FAMILY))
    blocks = []
    for f in findings:
        path = f"{prefix}{f.path}" if prefix else f.path
        if concise:
            blocks.append(format_finding(f, path=path, color=color).splitlines()[0])
            continue
        show = (f.path, f.line) not in hidden
        blocks.append(format_finding(f, source=source, path=path, color=color, show_source=show))
    return ("\n" if concise else "\n\n").join(blocks)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(report: Report, *, color: bool = False) -> str:
    """``Found 3 findings (2 errors, 1 warning).`` or ``All checks passed.``, with what was
    suppressed or baselined."""
    counts = report.summary()
    extra = []
    if report.suppressed:
        extra.append(f"{report.suppressed} suppressed")
    if report.baselined:
        extra.append(f"{report.baselined} in the baseline")
    tail = f" ({', '.join(extra)})" if extra else ""
    if not report.findings:
        text = f"All checks passed{tail}."
        if report.has_langgraph_config is False:
            text = f"No findings{tail}."
        return f"{_BOLD}{text}{_RESET}" if color else text
    parts = [_plural(counts[s.value], s.value) for s in reversed(Severity) if counts[s.value]]
    text = f"Found {_plural(len(report.findings), 'finding')}: {', '.join(parts)}{tail}."
    return f"{_BOLD}{text}{_RESET}" if color else text


def code_ranges(codes: Iterable[str]) -> str:
    """``AC101-AC109, AC201, AC203``: sorted codes, runs of consecutive numbers joined."""
    numbered = sorted({(c[:-3], int(c[-3:])) for c in codes if c[-3:].isdigit()})
    runs: list[list[tuple[str, int]]] = []
    for prefix, number in numbered:
        if runs and runs[-1][-1] == (prefix, number - 1):
            runs[-1].append((prefix, number))
        else:
            runs.append([(prefix, number)])
    return ", ".join(
        f"{r[0][0]}{r[0][1]:03d}" + (f"-{r[-1][0]}{r[-1][1]:03d}" if len(r) > 1 else "")
        for r in runs
    )


def scope_note(report: Report) -> str | None:
    """What was linted, when it is less than a LangGraph project: with no langgraph.json only
    the deployment files were checked, and the rules about graphs and code had nothing to
    start from."""
    if report.has_langgraph_config is not False:
        return None
    where = report.prefix.rstrip("/") or "."
    ran = f"{_plural(len(report.rules), 'rule')} ran"
    if report.rules:
        ran += f" ({code_ranges(r.code for r in report.rules)})"
    return (
        f"No langgraph.json (or aegra.json) found in {where}: deployment files only.\n"
        f"{ran}; those about graphs and the code they serve had nothing to check."
    )


def render(report: Report, *, color: bool = False, concise: bool = False) -> str:
    """Every finding of ``report``, what was linted when that is not a LangGraph project, and
    a summary line."""
    hidden = {(f.path, f.line) for f in report.findings if f.code.startswith(SECRET_FAMILY)}
    body = format_findings(
        report.findings,
        source=report.source,
        prefix=report.prefix,
        color=color,
        concise=concise,
        hidden_lines=hidden,
    )
    summary = summary_line(report, color=color)
    note = scope_note(report)
    if note is not None:
        summary = f"{note}\n{summary}"
    if not body:
        return summary + "\n"
    return f"{body}\n\n{summary}\n"
