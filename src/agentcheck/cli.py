"""The ``agentcheck`` command: ``lint``, ``check``, ``load``, ``rules`` and ``explain``.

Exit status: 0 when nothing at or above ``--fail-on`` was found, 1 when something was, 2 for a
usage, configuration or internal error, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from agentcheck import __version__
from agentcheck._extras import DISTRIBUTION, require
from agentcheck.errors import AgentcheckError, UsageError
from agentcheck.lint.finding import Severity
from agentcheck.lint.selectors import check_selectors, find_rule, split_codes

if TYPE_CHECKING:
    import pluggy

    from agentcheck.lint.formatters import Report
    from agentcheck.live.checks import LiveCheck
    from agentcheck.project import Project

__all__ = ["error_message", "main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
_FORMATS = ("text", "json", "sarif", "github", "junit")
_SEVERITIES = tuple(s.value for s in reversed(Severity))


# ---------------------------------------------------------------------------- parser


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        default=[],
        help="comma-separated codes, prefixes (AC4) or names to run instead of the "
        "configured selection (ALL for every rule)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        metavar="CODES",
        default=[],
        help="comma-separated codes, prefixes or names not to run",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentcheck",
        description="Find what will break a LangGraph deployment, before it does.",
        epilog="Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or internal error.",
    )
    parser.add_argument(
        "--version", action="version", version=f"agentcheck ({DISTRIBUTION}) {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    lint = sub.add_parser(
        "lint",
        help="check the project's files against every enabled rule",
        description="Check a LangGraph project's files (langgraph.json, code read as AST, "
        "packaging, env files, Docker, compose, Kubernetes, proxies) against the enabled rules.",
    )
    lint.add_argument("path", nargs="?", default=".", help="project root (default: .)")
    lint.add_argument(
        "--format", "-f", choices=_FORMATS, default="text", help="output format (default: text)"
    )
    lint.add_argument(
        "--fail-on",
        choices=_SEVERITIES,
        help="lowest severity that makes the exit status 1 (default: the configured "
        "fail-on, else warning)",
    )
    _add_selection(lint)
    lint.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings"
    )
    lint.add_argument(
        "--output-file", "-o", metavar="FILE", help="write the report to FILE instead of stdout"
    )
    lint.add_argument(
        "--baseline", metavar="FILE", help="report only findings not recorded in FILE"
    )
    lint.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record the current findings in FILE and exit 0",
    )
    lint.add_argument(
        "--since",
        metavar="REF",
        help="AC601-AC603: compare with this git revision instead of the newest version tag "
        "(or release-ref)",
    )
    lint.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="text format: one line per finding, no source lines or fixes",
    )
    lint.add_argument(
        "--explain-production",
        action="store_true",
        help="list each deployment file and workload: whether agentcheck counts it as "
        "production, its role, and why; then exit",
    )

    check = sub.add_parser(
        "check",
        help="lint, and with --live run the live checks, as a pytest session",
        description="Run the lint rules and, with --live, the live checks against a running "
        "deployment, as one pytest session. Arguments after `--` go to pytest.",
    )
    check.add_argument("path", nargs="?", default=".", help="project root (default: .)")
    check.add_argument(
        "--live", action="store_true", help="also start the agent and run the live checks"
    )
    check.add_argument("--runtime", help="live: how to run the agent (local, docker, url)")
    check.add_argument("--replicas", type=int, metavar="N", help="live: how many replicas to run")
    check.add_argument("--proxy", metavar="FILE", help="live: proxy config (nginx) to put in front")
    check.add_argument(
        "--url",
        action="append",
        metavar="URL",
        help="live: an existing deployment (--runtime url); repeat to address replicas",
    )
    check.add_argument(
        "--load",
        action="store_true",
        help="live: also run the load checks AC831-AC832 ([tool.agentcheck.load])",
    )
    check.add_argument("--fail-on", choices=_SEVERITIES, help="lowest severity that fails a rule")
    check.add_argument(
        "--since", metavar="REF", help="AC601-AC603: the git revision of the last release"
    )
    _add_selection(check)

    rules = sub.add_parser("rules", help="list every rule", description="List every rule.")
    rules.add_argument("--format", "-f", choices=("text", "json"), default="text")

    from agentcheck.load.cli import add_parser as add_load

    add_load(sub)

    explain = sub.add_parser(
        "explain", help="show one rule's documentation", description="Show a rule's documentation."
    )
    explain.add_argument("rule", metavar="CODE", help="a rule code (AC102) or name")
    return parser


# ---------------------------------------------------------------------------- helpers


def _plugin_manager() -> pluggy.PluginManager:
    from agentcheck import plugins

    return plugins.get_plugin_manager()


def _root(path: str) -> Path:
    root = Path(path)
    if not root.exists():
        raise UsageError(f"{path}: no such directory")
    if not root.is_dir():
        raise UsageError(f"{path}: not a directory (give the project root)")
    return root.resolve()


def _write(text: str, stream: IO[str]) -> None:
    stream.write(text)
    stream.flush()


# ---------------------------------------------------------------------------- commands


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


def pytest_args_for_check(args: argparse.Namespace, extra: Sequence[str]) -> list[str]:
    """The pytest command line ``agentcheck check`` runs."""
    root = _root(args.path)
    live_options = {
        "--runtime": args.runtime,
        "--replicas": args.replicas,
        "--proxy": args.proxy,
        "--url": args.url,
        "--load": args.load or None,
    }
    given = [opt for opt, value in live_options.items() if value is not None]
    if given and not args.live:
        raise UsageError(f"{', '.join(given)}: live options need --live")
    argv = [
        "-p", "no:cacheprovider",
        "--noconftest",
        "-c", os.devnull,
        "--rootdir", str(root),
        "-v",
        "--no-header",
        # agentcheck is imported already, so pytest cannot rewrite its asserts: not news.
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        "--agentcheck",
        "--agentcheck-only",
        "--agentcheck-root", str(root),
    ]  # fmt: skip
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        argv[:0] = ["-p", "agentcheck.pytest_plugin", "-p", "agentcheck.live.pytest_plugin"]
    for option in ("select", "ignore"):
        for codes in split_codes(getattr(args, option)):
            argv.append(f"--agentcheck-{option}={codes}")
    if args.fail_on:
        argv.append(f"--agentcheck-fail-on={args.fail_on}")
    if args.since is not None:
        argv.append(f"--agentcheck-since={args.since}")
    if args.live:
        argv.append("--agentcheck-live")
        if args.runtime is not None:
            argv.append(f"--agentcheck-runtime={args.runtime}")
        if args.replicas is not None:
            if args.replicas < 1:
                raise UsageError("--replicas must be at least 1")
            argv.append(f"--agentcheck-replicas={args.replicas}")
        if args.proxy is not None:
            proxy = Path(args.proxy)
            if not proxy.is_file():
                raise UsageError(f"--proxy {args.proxy}: no such file")
            argv.append(f"--agentcheck-proxy={proxy.resolve()}")
        argv.extend(f"--agentcheck-url={url}" for url in args.url or ())
        if args.load:
            argv.append("--agentcheck-load")
    argv.extend(extra)
    return argv


def cmd_check(args: argparse.Namespace, extra: Sequence[str]) -> int:
    argv = pytest_args_for_check(args, extra)
    # The live plugin checks the rest of [live] once it knows the runtime.
    require(["pytest"], "agentcheck check runs pytest", "live")
    import pytest

    interrupt = _InterruptWatch()
    code = pytest.main(argv, plugins=[interrupt])
    if interrupt.seen:
        raise KeyboardInterrupt
    if code == pytest.ExitCode.OK:
        return EXIT_OK
    if code == pytest.ExitCode.TESTS_FAILED:
        return EXIT_FINDINGS
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("agentcheck: no rule or check is selected", file=sys.stderr)
        return EXIT_OK
    return EXIT_ERROR


class _InterruptWatch:
    """Tells a Ctrl-C from pytest's other "interrupted" exits (collection errors)."""

    seen = False

    def pytest_keyboard_interrupt(self) -> None:
        self.seen = True


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


# ---------------------------------------------------------------------------- main


def _run(argv: list[str]) -> int:
    extra: list[str] = []
    if argv[:1] == ["check"] and "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    if args.command == "lint":
        return cmd_lint(args)
    if args.command == "check":
        return cmd_check(args, extra)
    if args.command == "rules":
        return cmd_rules(args)
    if args.command == "load":
        from agentcheck.load.cli import cmd_load

        return cmd_load(args)
    return cmd_explain(args)


def _masked(text: str) -> str:
    """``text`` with any credential masked (an error may quote a value from the project)."""
    from agentcheck.secrets import mask_text

    return mask_text(text[:2000])


def error_message(exc: AgentcheckError) -> str:
    """The one line ``agentcheck`` prints for a usage or configuration error (masked)."""
    return f"agentcheck: error: {_masked(str(exc))}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("agentcheck: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`agentcheck lint | head`): stop quietly.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_ERROR
    except AgentcheckError as exc:
        print(error_message(exc), file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        if os.environ.get("AGENTCHECK_DEBUG"):
            # A traceback quotes values (an exception's text, a line of the project): masked too.
            from agentcheck.secrets import mask_text

            print(mask_text(traceback.format_exc()), end="", file=sys.stderr)
        detail = _masked(" ".join(str(exc).split()))
        print(
            f"agentcheck: internal error: {type(exc).__name__}: {detail} "
            f"(a bug in {DISTRIBUTION} {__version__}: please report it with the traceback "
            "AGENTCHECK_DEBUG=1 shows)",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
