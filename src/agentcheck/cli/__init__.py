"""The ``agentcheck`` command: ``lint``, ``check``, ``load``, ``rules`` and ``explain``.

Exit status: 0 when nothing at or above ``--fail-on`` was found, 1 when something was, 2 for a
usage, configuration or internal error, 130 when interrupted.

One module per sub-command (``agentcheck load`` lives in :mod:`agentcheck.load.cli`); the
parser and what the sub-commands share are in :mod:`agentcheck.cli._parser`.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

from agentcheck import __version__
from agentcheck._extras import DISTRIBUTION
from agentcheck.cli._check import cmd_check
from agentcheck.cli._lint import cmd_lint
from agentcheck.cli._parser import EXIT_ERROR, EXIT_INTERRUPTED, build_parser
from agentcheck.cli._rules import cmd_explain, cmd_rules
from agentcheck.errors import AgentcheckError

__all__ = ["error_message", "main"]


def _run(argv: list[str], program: bool = False) -> int:
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
        code = cmd_lint(args)
        if program:
            _exit_now(code)
        return code
    if args.command == "check":
        return cmd_check(args, extra)
    if args.command == "rules":
        return cmd_rules(args)
    if args.command == "load":
        from agentcheck.load.cli import cmd_load

        return cmd_load(args)
    return cmd_explain(args)


def _exit_now(code: int) -> None:
    """End ``agentcheck lint``, run as a program, without the interpreter's teardown: freeing
    a large lint's heap object by object and a last collection took 0.2 s after the report of
    a 2,924-file repository was out (1.6 s in all). What it printed is flushed first (a reader
    that went away raises BrokenPipeError here, handled as before); nothing of a lint waits for
    the interpreter's exit (its workers are reaped, its files written and closed). Not under a
    profiler or tracer, which report at exit."""
    sys.stdout.flush()
    sys.stderr.flush()
    if sys.getprofile() is None and sys.gettrace() is None:
        os._exit(code)


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
        # Run as a program (the command line from sys.argv), a lint may end the process.
        return _run(args, program=True) if argv is None else _run(args)
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
