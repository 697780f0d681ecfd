"""The live check base class, its verdicts, and how one check is run."""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from agentcheck.errors import AgentcheckError, LiveError
from agentcheck.live.backends.base import Capability

if TYPE_CHECKING:
    from agentcheck.live.checks._context import LiveContext

__all__ = ["CheckFailed", "CheckSkipped", "LiveCheck", "Outcome", "run_check"]

_CODE = re.compile(r"AC8\d\d")
_BREAKING = frozenset({Capability.KILL, Capability.RESTART, Capability.SCALE})
_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


class CheckFailed(AgentcheckError, AssertionError):
    """The deployment does not do what the check requires; the message says what was observed."""


class CheckSkipped(AgentcheckError):
    """The check cannot say anything about this deployment; the message says why."""


class LiveCheck:
    """One live check (AC8xx), run against a started deployment.

    Subclasses set the class attributes and implement :meth:`run`, which returns a short note of
    what was observed when the check passes and raises :class:`CheckFailed` (what was observed,
    and why that is wrong) or :class:`CheckSkipped` otherwise. A check names the backend
    capabilities it needs in ``requires`` (``{Capability.KILL, Capability.RESTART}``): it is
    skipped, with the reason, on a runtime that lacks one, and a check that breaks the
    deployment on purpose (kill, restart, scale) runs after the others and restores what it
    broke before returning.
    """

    #: Permanent code, ``AC8xx``.
    code: ClassVar[str]
    #: kebab-case name, as in CATALOG.md.
    name: ClassVar[str]
    #: One sentence: what must hold.
    summary: ClassVar[str]
    #: Run once per graph of the user's langgraph.json; otherwise once, on the probe graph.
    per_graph: ClassVar[bool] = False
    #: What the runtime must be able to do for this check (see ``Backend.capabilities``).
    requires: ClassVar[frozenset[Capability]] = frozenset()
    #: Skipped when the deployment did not start (only the check that reports it runs then).
    needs_deployment: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not _CODE.fullmatch(getattr(cls, "code", "")):
            raise TypeError(f"{cls.__name__}.code must look like AC8xx")
        if not _NAME.fullmatch(getattr(cls, "name", "")):
            raise TypeError(f"{cls.__name__}.name must be kebab-case")
        if not getattr(cls, "summary", ""):
            raise TypeError(f"{cls.__name__} needs a one-sentence summary")

    #: How ``agentcheck rules`` lists it: a failed check fails its item, as an error does.
    severity: ClassVar[str] = "error"

    @classmethod
    def documentation(cls) -> str:
        """The check's docstring, dedented (``agentcheck explain AC8xx`` prints it)."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def fix(cls) -> str:
        """The text of its "How to fix" section, on one line."""
        doc = cls.documentation()
        _, found, rest = doc.partition("How to fix\n----------\n")
        return " ".join(rest.split("\n\n")[0].split()) if found else ""

    @property
    def destructive(self) -> bool:
        """It breaks servers on purpose (kills, restarts, scales): it runs after the others."""
        return bool(self.requires & _BREAKING)

    def params(self, graphs: Sequence[str], probe: str) -> list[str]:
        """The ids this check runs for: each user graph, or the probe graph."""
        return list(graphs) if self.per_graph else [probe]

    def run(self, ctx: LiveContext, graph: str) -> str:
        """Check ``graph`` on the deployment in ``ctx``; return what was observed."""
        raise NotImplementedError


@dataclass(frozen=True)
class Outcome:
    """The verdict of one check on one graph."""

    code: str
    name: str
    graph: str
    #: ``"passed"``, ``"failed"`` or ``"skipped"``.
    status: str
    message: str
    #: The servers' and the proxy's log lines written while the check ran (on failure).
    logs: str
    seconds: float
    #: What the check observed that does not fail it (see ``LiveContext.warn``).
    warnings: tuple[str, ...] = ()
    #: Where every log of the run is kept (a failure keeps them), or None.
    kept: Path | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def run_check(check: LiveCheck, ctx: LiveContext, graph: str) -> Outcome:
    """Run one check and turn its verdict into an :class:`Outcome`.

    An HTTP error the check did not handle itself (a refused connection, a timeout) is a failure
    of the deployment, reported with the request that failed. Any other exception is a bug of
    the check and propagates.
    """
    import httpx

    began = time.monotonic()
    marks = ctx.log_marks()
    ctx.warnings.clear()
    guard = ctx.deployment.egress
    sealed = len(guard.attempts) if guard is not None else 0

    def outcome(status: str, message: str) -> Outcome:
        # Everything an outcome carries is printed (pytest's report, warnings, JUnit): a server
        # log line or an error that quotes the servers' environment must not show a key.
        from agentcheck.secrets import mask_text

        logs = mask_text(ctx.log_tail(marks)) if status == "failed" else ""
        seconds = time.monotonic() - began
        warned = tuple(ctx.warnings)
        tried = guard.attempts[sealed:] if guard is not None else []
        if tried:
            from agentcheck.live.egress import describe

            if status == "failed":
                message = f"{message}\n  - {describe(tried)}"
            else:
                warned += (f"{check.code}: {describe(tried)}",)
        kept = ctx.keep_logs() if status == "failed" else None
        message, warned = mask_text(message), tuple(mask_text(w) for w in warned)
        return Outcome(check.code, check.name, graph, status, message, logs, seconds, warned, kept)

    missing = sorted(c.value for c in check.requires - ctx.deployment.capabilities)
    if missing:
        return outcome("skipped", f"the {ctx.deployment.name} runtime cannot {', '.join(missing)}")
    if ctx.startup_error is not None and check.needs_deployment:
        return outcome("skipped", "not run: the deployment did not start (see AC801)")
    try:
        note = check.run(ctx, graph)
    except CheckFailed as exc:
        return outcome("failed", str(exc))
    except CheckSkipped as exc:
        return outcome("skipped", str(exc))
    except httpx.HTTPError as exc:
        try:
            where = f"{exc.request.method} {exc.request.url}: "
        except RuntimeError:  # raised before a request existed
            where = ""
        detail = str(exc) or type(exc).__name__
        return outcome("failed", f"{where}{type(exc).__name__}: {detail}")
    except LiveError as exc:
        return outcome("failed", str(exc))
    return outcome("passed", note)
