"""The ``agentcheck`` command line's parser, its exit statuses, and the helpers every
sub-command shares (the plugin manager, the project root, output)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, TYPE_CHECKING

from agentcheck import __version__
from agentcheck._extras import DISTRIBUTION
from agentcheck.errors import UsageError
from agentcheck.lint.finding import Severity

if TYPE_CHECKING:
    import pluggy


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
        "--no-cache",
        action="store_true",
        help="neither read nor write the lint cache (also: AGENTCHECK_NO_CACHE=1)",
    )
    lint.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where the lint cache lives (default: .agentcheck_cache at the project root)",
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


def _plugin_manager(*, lint: bool = False) -> pluggy.PluginManager:
    from agentcheck import plugins

    return plugins.get_plugin_manager(lint=lint)


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
