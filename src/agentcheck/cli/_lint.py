"""``agentcheck lint``: the findings of the lint rules, or with ``--explain-production`` the
deployment model's production and role decisions."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from agentcheck.cli._parser import EXIT_FINDINGS, EXIT_OK, _plugin_manager, _root, _write
from agentcheck.errors import UsageError
from agentcheck.lint.finding import Severity
from agentcheck.lint.selectors import check_selectors, split_codes

#: Whether ``agentcheck lint`` keeps a cache unless told not to (``--no-cache``).
CACHE_BY_DEFAULT = True

if TYPE_CHECKING:
    from agentcheck.lint.formatters import Report
    from agentcheck.project import Project


#: How many young-generation passes the collector makes before a full one during a lint
#: (Python's default is 10; a full pass then also waits for the old objects to grow by a
#: quarter).
_FULL_PASS_EVERY = 1000


@contextmanager
def _few_full_collections() -> Iterator[None]:
    """Rare full passes of the garbage collector while a lint runs.

    A lint builds a large heap that lives until it ends (the served modules' trees, every YAML
    document, the file list) and makes little cyclic garbage: each of the collector's full
    passes walked the whole heap to free almost nothing (five passes, 0.2-0.3 s of the 2.1 s
    of CPU on a 2,900-file repository). Young objects are still collected as before, and a
    full pass still comes after a thousand young-generation passes, so memory stays bounded.
    """
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], max(before[2], _FULL_PASS_EVERY))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def cmd_lint(args: argparse.Namespace) -> int:
    with _few_full_collections():
        return _lint(args)


def _lint(args: argparse.Namespace) -> int:
    from agentcheck.config import load_config, since
    from agentcheck.lint.baseline import Baseline
    from agentcheck.lint.formatters import FORMATS, Report, display_prefix, text
    from agentcheck.lint.runner import enabled_rules, lint
    from agentcheck.plugins import all_rules
    from agentcheck.project import Project

    root = _root(args.path)
    project = Project(root, since(load_config(root), args.since))
    if args.explain_production:
        return _explain_production(project, args.format)
    if args.since is not None:
        from agentcheck.versions import check_since

        check_since(project)
    pm = _plugin_manager(lint=True)
    known = all_rules(pm)
    select = check_selectors(split_codes(args.select), known, "--select")
    ignore = check_selectors(split_codes(args.ignore), known, "--ignore")
    rules = enabled_rules(project, pm, select=select or None, ignore=ignore or None)
    # --since compares with another release: its runs would evict the everyday cache.
    use_cache = not args.no_cache and args.since is None and (CACHE_BY_DEFAULT or args.cache_dir)
    cache_dir = Path(args.cache_dir) if args.cache_dir else None
    result = lint(project, rules, cache=bool(use_cache), cache_dir=cache_dir)

    if args.write_baseline:
        baseline = Baseline.from_findings(result.findings)
        target = Path(args.write_baseline)
        try:
            baseline.write(target)
        except OSError as exc:
            raise UsageError(f"{target}: cannot write the baseline: {exc}") from None
        noun = "finding" if len(baseline) == 1 else "findings"
        print(f"agentcheck: recorded {len(baseline)} {noun} in {target}", file=sys.stderr)
        return EXIT_OK

    findings, baselined = result.findings, 0
    if args.baseline:
        findings, baselined = Baseline.read(Path(args.baseline)).filter(result.findings)
    fail_on = Severity.parse(args.fail_on) if args.fail_on else project.config.fail_on
    report = Report.from_result(
        result,
        project,
        fail_on=fail_on,
        findings=findings,
        baselined=baselined,
        prefix=display_prefix(root),
    )

    def render(report: Report, *, color: bool) -> str:
        if args.format == "text" and args.quiet:
            return text.render(report, color=color, concise=True)
        return FORMATS[args.format](report, color=color)

    if args.output_file:
        target = Path(args.output_file)
        try:
            target.write_text(render(report, color=False), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{target}: cannot write the report: {exc}") from None
    else:
        color = args.format == "text" and text.use_color(sys.stdout)
        _write(render(report, color=color), sys.stdout)
    if args.exit_zero or not report.failed():
        return EXIT_OK
    return EXIT_FINDINGS


def _explain_production(project: Project, fmt: str) -> int:
    """``lint --explain-production``: the model's production and role decisions, with why."""
    from agentcheck.deployment import deployment
    from agentcheck.deployment._explain import explain_rows, render_json, render_text
    from agentcheck.secrets import mask_text

    rows = explain_rows(deployment(project))
    if fmt == "json":
        out = json.dumps({"production": render_json(rows)}, indent=2) + "\n"
    elif fmt == "text":
        out = render_text(rows)
    else:
        raise UsageError("--explain-production prints text or json (--format text|json)")
    _write(mask_text(out), sys.stdout)
    for finding in project.problems:
        message = mask_text(finding.message)
        print(f"agentcheck: {finding.path}:{finding.line}: {message}", file=sys.stderr)
    return EXIT_OK
