"""The live checks (AC8xx) and their registry.

Each check is a :class:`LiveCheck` subclass in a module of its own. The built-in ones are
registered by this module's :func:`agentcheck_live_checks` hook, loaded through the
``agentcheck`` entry-point group like any third party's plugin; :func:`all_live_checks` collects
every plugin's, ordered as they must run (destructive checks last).

Running them outside pytest::

    from agentcheck.live.checks import all_live_checks, run_check, started
    from agentcheck.live.settings import load_settings

    with started(load_settings(root)) as ctx:
        for check in all_live_checks():
            for graph in check.params(ctx.graphs, ctx.probe):
                print(run_check(check, ctx, graph))
"""

from __future__ import annotations

import pluggy

from agentcheck import hookimpl
from agentcheck.live.checks._base import CheckFailed, CheckSkipped, LiveCheck, Outcome, run_check
from agentcheck.live.checks._context import LiveContext, start_context, started
from agentcheck.live.checks.ac801_boot import Boot
from agentcheck.live.checks.ac802_sse_contract import SseContract
from agentcheck.live.checks.ac803_sse_incremental import SseIncremental
from agentcheck.live.checks.ac804_sse_idle_survival import SseIdleSurvival
from agentcheck.live.checks.ac805_sse_resume import SseResume
from agentcheck.live.checks.ac811_graceful_restart import GracefulRestart
from agentcheck.live.checks.ac812_crash_recovery import CrashRecovery
from agentcheck.live.checks.ac813_durable_after_ack import DurableAfterAck
from agentcheck.live.checks.ac814_hitl_restart import HitlRestart
from agentcheck.live.checks.ac815_database_outage import DatabaseOutage
from agentcheck.live.checks.ac821_cross_replica_state import CrossReplicaState
from agentcheck.live.checks.ac822_cross_replica_stream import CrossReplicaStream
from agentcheck.live.checks.ac823_concurrent_thread_safety import ConcurrentThreadSafety
from agentcheck.live.checks.ac824_replica_loss import ReplicaLoss
from agentcheck.live.checks.ac851_upgrade_resume import UpgradeResume
from agentcheck.live.checks.ac852_rollback_read import RollbackRead
from agentcheck.live.checks.ac853_mixed_version import MixedVersion

__all__ = [
    "CheckFailed",
    "CheckSkipped",
    "LiveCheck",
    "LiveContext",
    "Outcome",
    "all_live_checks",
    "run_check",
    "start_context",
    "started",
]


@hookimpl
def agentcheck_live_checks() -> list[type[LiveCheck]]:
    return [
        Boot,
        SseContract,
        SseIncremental,
        SseIdleSurvival,
        SseResume,
        GracefulRestart,
        CrashRecovery,
        DurableAfterAck,
        HitlRestart,
        DatabaseOutage,
        CrossReplicaState,
        CrossReplicaStream,
        ConcurrentThreadSafety,
        ReplicaLoss,
        UpgradeResume,
        RollbackRead,
        MixedVersion,
    ]


def all_live_checks(pm: pluggy.PluginManager | None = None) -> list[LiveCheck]:
    """One instance of every registered live check, in running order.

    Non-destructive checks come first, then the destructive ones (which kill and restart
    servers); by code within each group. Raises RuntimeError if two plugins claim one code.
    """
    from agentcheck.plugins import by_code, get_plugin_manager

    if pm is None:
        pm = get_plugin_manager()
    found: dict[str, type[LiveCheck]] = by_code(pm.hook.agentcheck_live_checks(), "live check")
    checks = [check() for check in found.values()]
    return sorted(checks, key=lambda c: (c.destructive, c.code))
