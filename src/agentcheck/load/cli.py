"""``agentcheck load [URL]``: Locust against a running deployment, or the one agentcheck starts.

With a URL, the users load that deployment as it is (``--replica URL`` names its replicas, for
threads to continue across them); without one, agentcheck starts the project's deployment as
the live checks do (``[tool.agentcheck.live]``, ``--replicas``, ``--proxy``), with its fake
LLM answering as ``[tool.agentcheck.load.fake-llm]`` says. Either way a live progress line
shows users, runs per second and the p95 so far; the end prints the figures, AC831's
thresholds and the results folder (Locust's CSV and HTML, agentcheck's summary page and JSON).
Exit status: 0 when the thresholds hold, 1 when one is broken, 2 for an error.

One Locust process is one CPU core at most: ``--processes N`` runs Locust's own master and N
workers on this machine, ``--master --expect-workers N`` waits for workers started elsewhere
(``locust -f "$(agentcheck load --locustfile)" --worker --master-host HOST``); results merge as
Locust merges them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from agentcheck.load.results import LoadResult
    from agentcheck.load.runner import Progress
    from agentcheck.load.settings import LoadSettings

__all__ = ["add_parser", "cmd_load"]

EXIT_OK, EXIT_BREACHED = 0, 1
#: Seconds between two progress lines when the output is not a terminal.
PLAIN_EVERY = 10.0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``load`` to the ``agentcheck`` command's subcommands."""
    load = sub.add_parser(
        "load",
        help="run Locust against a deployment and hold it to [tool.agentcheck.load]",
        description="Run agentcheck's locustfile headless against URL (a running deployment) "
        "or, without one, against the project's deployment started as the live checks start "
        "it; report the figures, the thresholds of [tool.agentcheck.load] and where the "
        "reports are. Exit status: 0 thresholds held, 1 one broken, 2 error.",
    )
    load.add_argument("url", nargs="?", help="a running deployment's base URL")
    load.add_argument("--root", default=".", help="the project (default: .)")
    load.add_argument("--users", type=int, help="simulated users (default: the table's, 20)")
    load.add_argument("--spawn-rate", type=float, help="users started per second")
    load.add_argument("--duration", type=int, metavar="SECONDS", help="whole seconds to run")
    load.add_argument("--graph", help="the assistant or graph to run (default: the first)")
    load.add_argument(
        "--replica",
        action="append",
        default=[],
        metavar="URL",
        help="with URL: a replica's own URL (repeat); threads continue on the next one",
    )
    load.add_argument("--processes", type=int, help="Locust worker processes on this machine")
    load.add_argument(
        "--master", action="store_true", help="be Locust's master for workers started elsewhere"
    )
    load.add_argument("--expect-workers", type=int, default=1, metavar="N", help="with --master")
    load.add_argument("--master-bind-host", default="*", help="with --master (default: *)")
    load.add_argument("--master-bind-port", type=int, default=5557, help="with --master")
    load.add_argument("--replicas", type=int, metavar="N", help="without URL: replicas to start")
    load.add_argument("--proxy", metavar="FILE", help="without URL: nginx config in front")
    load.add_argument("--runtime", help="without URL: where to start the agent (local, ...)")
    load.add_argument("--results", metavar="DIR", help="where to write the results folder")
    load.add_argument(
        "--locustfile", action="store_true", help="print the shipped locustfile's path and exit"
    )


class _Line:
    """The live progress line: rewritten in place on a terminal, every 10 s otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last: float | None = None
        self.shown = False

    def __call__(self, progress: Progress) -> None:
        from agentcheck.load.verdicts import describe_progress

        text = f"agentcheck load: {describe_progress(progress)}"
        if self.tty:
            self.stream.write(f"\r\x1b[2K{text}")
            self.shown = True
        elif self.last is None or time.monotonic() - self.last >= PLAIN_EVERY:
            self.last = time.monotonic()
            self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.shown = False


def _settings(args: argparse.Namespace) -> LoadSettings:
    from agentcheck.errors import UsageError
    from agentcheck.load.settings import load_load_settings

    root = Path(args.root)
    if not root.is_dir():
        raise UsageError(f"--root {args.root}: no such directory")
    results = Path(args.results).resolve() if args.results else None
    settings = load_load_settings(root, results=results)
    return settings.with_options(
        users=args.users,
        spawn_rate=args.spawn_rate,
        duration=args.duration,
        graph=args.graph,
        processes=args.processes,
    )


def cmd_load(args: argparse.Namespace) -> int:
    """Run ``agentcheck load``; returns the exit status."""
    from agentcheck._extras import LIVE_MODULES, require
    from agentcheck.errors import UsageError

    if args.locustfile:
        from agentcheck.load.runner import LOCUSTFILE

        print(LOCUSTFILE)
        return EXIT_OK
    require(["locust", "psutil", "pydantic"], "agentcheck load runs Locust", "load")
    if args.replica and not args.url:
        raise UsageError("--replica names the replicas of URL: give URL too")
    if args.url and (args.replicas or args.proxy or args.runtime):
        raise UsageError("--replicas, --proxy and --runtime start a deployment: not with URL")
    if args.master and args.expect_workers < 1:
        raise UsageError("--expect-workers must be at least 1")
    settings = _settings(args)
    line = _Line(sys.stderr)
    try:
        if args.url:
            result = _against_url(args, settings, line)
        else:
            require(LIVE_MODULES, "agentcheck load starts the deployment", "live")
            result = _against_started(args, settings, line)
    finally:
        line.done()
    return _verdict(result, settings)


def _plan_extras(args: argparse.Namespace) -> dict[str, object]:
    if not args.master:
        return {}
    return {
        "expect_workers": args.expect_workers,
        "master_bind": (args.master_bind_host, args.master_bind_port),
    }


def _directory(settings: LoadSettings, name: str) -> Path:
    return settings.results / "load" / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"


def _against_url(args: argparse.Namespace, settings: LoadSettings, line: _Line) -> LoadResult:
    from agentcheck.live.settings import DEFAULT_INPUT
    from agentcheck.load.runner import LoadPlan, run_load

    url = str(args.url).rstrip("/")
    if not url.startswith(("http://", "https://")):
        from agentcheck.errors import UsageError

        raise UsageError(f"{args.url}: expected an http:// or https:// URL")
    table = settings.table
    plan = LoadPlan(
        host=url,
        users=table.users,
        spawn_rate=table.spawn_rate,
        duration=table.duration,
        graph=table.graph,
        run_input=DEFAULT_INPUT,
        replicas=tuple(r.rstrip("/") for r in args.replica),
        processes=table.processes,
        label=url,
        stop_timeout=table.p95_stream,
        **_plan_extras(args),  # type: ignore[arg-type]
    )
    _say(f"agentcheck load: {plan.users} users for {plan.duration} s against {url}")
    return run_load(plan, _directory(settings, "url"), progress=line)


def _against_started(args: argparse.Namespace, settings: LoadSettings, line: _Line) -> LoadResult:
    import dataclasses

    from agentcheck._extras import require
    from agentcheck.live.checks import started
    from agentcheck.live.settings import load_settings
    from agentcheck.load.checks._common import load_run

    live = load_settings(
        Path(args.root),
        runtime=args.runtime,
        replicas=args.replicas,
        proxy=args.proxy,
    )
    require(live.modules(), "agentcheck load starts the deployment", "live")
    live = dataclasses.replace(live, results=settings.results)
    with started(live, progress=lambda m: _say(f"agentcheck live: {m}")) as ctx:
        if ctx.startup_error is not None:
            from agentcheck.errors import LiveError

            raise LiveError(f"the deployment did not start: {ctx.startup_error}")
        urls = ctx.deployment.urls
        proxied = ctx.deployment.proxy_url is not None
        spread = not proxied and len(urls) > 1
        return load_run(
            ctx,
            settings,
            name="cli",
            label=f"{len(urls)} replica(s)" + (" through the proxy" if proxied else ""),
            host=ctx.url,
            replicas=urls if spread else (),
            progress=line,
            extras=_plan_extras(args),
        )


def _say(text: str) -> None:
    """Print one line of output, masked: a URL may carry a password, a warning a server's text."""
    from agentcheck.secrets import mask_text

    print(mask_text(text), flush=True)


def _verdict(result: LoadResult, settings: LoadSettings) -> int:
    from agentcheck.load.report import write_reports
    from agentcheck.load.verdicts import describe_result, slo_breaches, thresholds

    breaches = slo_breaches(result, settings.table)
    verdicts = [("failed", b) for b in breaches] or [("passed", "every threshold held")]
    page = write_reports(result, verdicts, thresholds(settings.table))
    _say(f"agentcheck load: {describe_result(result)}")
    for warning in result.warnings:
        _say(f"agentcheck load: warning: {warning}")
    for breach in breaches:
        _say(f"agentcheck load: threshold broken: {breach}")
    if not breaches:
        held = ", ".join(f"{k} {v:g}" for k, v in thresholds(settings.table).items())
        _say(f"agentcheck load: thresholds held ({held})")
    _say(f"agentcheck load: results in {result.directory} (summary: {page.name})")
    return EXIT_BREACHED if breaches else EXIT_OK
