"""What the load checks share: their settings, the fake LLM's knobs, one load run."""

from __future__ import annotations

import contextlib
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from agentcheck.errors import AgentcheckError
from agentcheck.live.backends import Capability
from agentcheck.live.checks import CheckFailed, CheckSkipped, LiveContext
from agentcheck.live.orchestrator import Deployment
from agentcheck.load.results import LoadResult
from agentcheck.load.runner import LoadPlan, Progress, run_load
from agentcheck.load.settings import FakeLLMTable, LoadSettings, LoadTable, load_load_settings
from agentcheck.load.verdicts import describe_progress

__all__ = [
    "fake_llm_knobs",
    "full_load",
    "load_run",
    "remember_full_load",
    "reply_of",
    "report_path",
    "settings_for",
    "wait_idle",
]

#: Seconds between two progress lines of a load run in a pytest session.
PROGRESS_EVERY = 5.0
#: The last full load on all the replicas of a deployment (AC831's), so that AC832 compares
#: one replica with it instead of running the same load again.
_FULL: weakref.WeakKeyDictionary[Deployment, tuple[LoadTable, LoadResult]] = (
    weakref.WeakKeyDictionary()
)


def remember_full_load(ctx: LiveContext, table: LoadTable, result: LoadResult) -> None:
    """Keep ``result``, a load on every replica of the deployment, for :func:`full_load`."""
    _FULL[ctx.deployment] = (table, result)


def full_load(ctx: LiveContext, table: LoadTable) -> LoadResult | None:
    """The full load this deployment already ran with these settings, if it ran one."""
    kept = _FULL.get(ctx.deployment)
    return kept[1] if kept is not None and kept[0] == table else None


def settings_for(ctx: LiveContext) -> LoadSettings:
    """``[tool.agentcheck.load]`` of the checked project; skips the check unless load runs."""
    results = ctx.settings.results or ctx.settings.root / ".agentcheck" / "results"
    try:
        settings = load_load_settings(ctx.settings.root, results=results)
    except AgentcheckError as exc:
        raise CheckFailed(f"the load settings are wrong: {exc}") from None
    if not (ctx.settings.load or settings.table.enabled):
        raise CheckSkipped(
            "load runs with --agentcheck-load (agentcheck check --live --load) or with "
            "enabled = true in [tool.agentcheck.load]"
        )
    return settings


def reply_of(tokens: int) -> str:
    """The fake model's answer during load: ``tokens`` word-sized tokens."""
    words = [
        "Thanks",
        "for",
        "asking:",
        "here",
        "is",
        "the",
        "answer",
        "you",
        "wanted,",
        "step",
        "by",
        "step",
    ]
    return "".join(f"{words[i % len(words)]} " for i in range(tokens)).rstrip()


@contextlib.contextmanager
def fake_llm_knobs(ctx: LiveContext, knobs: FakeLLMTable) -> Iterator[None]:
    """The fake LLM answers as ``[tool.agentcheck.load.fake-llm]`` says, for the block."""
    llm = ctx.fake_llm
    if llm is None:  # an existing deployment calls its own model
        yield
        return
    saved = (llm.ttft, llm.tokens_per_second, llm.error_ratio, llm.default_reply)
    from agentcheck.live.fake_llm import Reply

    llm.ttft, llm.tokens_per_second = knobs.ttft, knobs.tokens_per_second
    llm.error_ratio, llm.default_reply = knobs.error_ratio, Reply(reply_of(knobs.reply_tokens))
    try:
        yield
    finally:
        llm.ttft, llm.tokens_per_second, llm.error_ratio, llm.default_reply = saved
        llm.reset()  # what load recorded is thousands of requests nobody will read


def _graph(ctx: LiveContext, settings: LoadSettings) -> str:
    graphs = ctx.graphs
    chosen = settings.table.graph or (graphs[0] if graphs else None)
    if chosen is None:
        raise CheckSkipped("the served langgraph.json has no graph to put under load")
    if graphs and chosen not in graphs:
        raise CheckFailed(
            f"graph = {chosen!r} in {settings.source} is not served; the graphs are: "
            + ", ".join(graphs)
        )
    return chosen


def _replica_cpu(ctx: LiveContext, count: int) -> Callable[[], Sequence[float]] | None:
    deployment = ctx.deployment
    if Capability.STATS not in deployment.capabilities:
        return None

    def sample() -> list[float]:
        cpu = []
        for index in range(count):
            try:
                cpu.append(deployment.stats(index).cpu_seconds)
            except (AgentcheckError, IndexError, OSError):
                cpu.append(0.0)
        return cpu

    return sample


def load_run(
    ctx: LiveContext,
    settings: LoadSettings,
    *,
    name: str,
    label: str,
    host: str,
    replicas: Sequence[str] = (),
    users: int | None = None,
    duration: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    extras: Mapping[str, Any] | None = None,
    time_up: Callable[[], None] | None = None,
) -> LoadResult:
    """One Locust run against the deployment, its reports under ``results/load/``.

    ``progress`` receives the run's progress each second (default: a line on the deployment's
    progress every few seconds); ``extras`` are more :class:`LoadPlan` fields (a master's);
    ``time_up`` is called when the load's time is up (see :func:`run_load`).
    """
    table = settings.table
    plan = LoadPlan(
        host=host,
        users=users or table.users,
        spawn_rate=table.spawn_rate if users is None else float(users),
        duration=duration or table.duration,
        graph=_graph(ctx, settings),
        run_input=ctx.settings.input,
        replicas=tuple(replicas),
        processes=table.processes,
        label=label,
        stop_timeout=table.p95_stream,
        **dict(extras or {}),
    )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    directory = settings.results / "load" / f"{stamp}-{name}"
    last = [0.0]

    def report(p: Progress) -> None:
        if time.monotonic() - last[0] >= PROGRESS_EVERY:
            last[0] = time.monotonic()
            ctx.deployment.report(f"load, {label}: {describe_progress(p)}")

    with fake_llm_knobs(ctx, table.fake_llm):
        ctx.deployment.report(f"load, {label}: {plan.users} users for {plan.duration} s")
        result = run_load(
            plan,
            directory,
            progress=progress or report,
            replica_cpu=_replica_cpu(ctx, len(ctx.deployment.urls)),
            time_up=time_up,
        )
    for warning in result.warnings:
        ctx.warn(f"{label}: {warning}")
    return result


def wait_idle(ctx: LiveContext, url: str, timeout: float = 30.0) -> None:
    """Wait until no thread at ``url`` is busy (the last run's work is done), at most
    ``timeout`` seconds; a server that cannot say is taken as idle."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = ctx.http().post(
                f"{url}/threads/search", json={"status": "busy", "limit": 1}, timeout=5
            )
            if response.status_code != 200 or not response.json():
                return
        except (httpx.HTTPError, ValueError):
            return
        time.sleep(0.5)


def report_path(result: LoadResult, root: Path) -> str:
    """The summary page's path, relative to the project when it is inside it."""
    try:
        return str(result.html.relative_to(root))
    except ValueError:
        return str(result.html)
