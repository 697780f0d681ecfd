"""``agentcheck rules`` and ``agentcheck explain``: every rule, and one rule's documentation."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from agentcheck.cli._parser import EXIT_OK, _plugin_manager, _write
from agentcheck.lint.selectors import find_rule

if TYPE_CHECKING:
    import pluggy

    from agentcheck.live.checks import LiveCheck


def _live_checks(pm: pluggy.PluginManager) -> list[type[LiveCheck]]:
    from agentcheck.live.checks import all_live_checks

    return sorted((type(check) for check in all_live_checks(pm)), key=lambda c: c.code)


def cmd_rules(args: argparse.Namespace) -> int:
    from agentcheck.plugins import all_rules

    pm = _plugin_manager()
    rules, checks = all_rules(pm), _live_checks(pm)
    if args.format == "json":
        data: list[dict[str, str | bool]] = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "summary": r.summary(),
                "message": r.message,
                "fix": r.fix,
            }
            for r in rules
        ]
        data += [
            {
                "code": c.code,
                "name": c.name,
                "severity": c.severity,
                "summary": c.summary,
                "message": c.summary,
                "fix": c.fix(),
                "live": True,
            }
            for c in checks
        ]
        data.sort(key=lambda entry: str(entry["code"]))
        _write(json.dumps(data, indent=2) + "\n", sys.stdout)
        return EXIT_OK
    listed = [(r.code, r.name, r.severity.value, r.summary()) for r in rules]
    listed += [(c.code, c.name, c.severity, f"(live) {c.summary}") for c in checks]
    rows = [("CODE", "NAME", "SEVERITY", "SUMMARY"), *sorted(listed)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{code:<{widths[0]}}  {name:<{widths[1]}}  {sev:<{widths[2]}}  {summary}".rstrip()
        for code, name, sev, summary in rows
    ]
    _write("\n".join(lines) + "\n", sys.stdout)
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from agentcheck.plugins import all_rules

    pm = _plugin_manager()
    key = args.rule
    for check in _live_checks(pm):
        if key.upper() == check.code or key.lower() == check.name:
            parts = [
                f"{check.code} [{check.name}]",
                "Live check: runs against the started deployment (pytest --agentcheck-live, "
                "agentcheck check --live)",
                "",
                check.documentation(),
            ]
            _write("\n".join(parts) + "\n", sys.stdout)
            return EXIT_OK
    rule = find_rule(key, all_rules(pm))
    parts = [
        f"{rule.code} [{rule.name}]",
        f"Severity: {rule.severity.value}",
        "",
        rule.documentation() or rule.message,
        "",
        f"Message: {rule.message}",
    ]
    if rule.fix:
        parts.append(f"Fix: {rule.fix}")
    _write("\n".join(parts) + "\n", sys.stdout)
    return EXIT_OK
