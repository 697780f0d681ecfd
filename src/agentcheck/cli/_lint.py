"""``agentcheck lint``: the findings of the lint rules, or with ``--explain-production`` the
deployment model's production and role decisions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from agentcheck.cli._parser import EXIT_FINDINGS, EXIT_OK, _plugin_manager, _root, _write
from agentcheck.errors import UsageError
from agentcheck.lint.finding import Severity
from agentcheck.lint.selectors import check_selectors, split_codes

if TYPE_CHECKING:
    from agentcheck.lint.formatters import Report
    from agentcheck.project import Project


def cmd_lint(args: argparse.Namespace) -> int:
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
    pm = _plugin_manager()
    known = all_rules(pm)
    select = check_selectors(split_codes(args.select), known, "--select")
    ignore = check_selectors(split_codes(args.ignore), known, "--ignore")
    rules = enabled_rules(project, pm, select=select or None, ignore=ignore or None)
    result = lint(project, rules)

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
