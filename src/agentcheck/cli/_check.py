"""``agentcheck check``: the live checks, run as a pytest session."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from agentcheck._extras import require
from agentcheck.cli._parser import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, _root
from agentcheck.errors import UsageError
from agentcheck.lint.selectors import split_codes


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
