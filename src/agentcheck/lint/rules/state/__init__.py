"""Built-in rules: state, checkpointer and server (AC301-AC311).

Every rule reads the shared deployment model (:func:`agentcheck.deployment.deployment`); none
parses deployment files itself. Loaded through the ``agentcheck`` entry-point group.
"""

from __future__ import annotations

from agentcheck.hookspecs import hookimpl
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.state.blocking_call_in_async_node import BlockingCallInAsyncNode
from agentcheck.lint.rules.state.custom_checkpointer import CustomCheckpointerOnAgentServer
from agentcheck.lint.rules.state.database_env_missing import DatabaseEnvMissing
from agentcheck.lint.rules.state.in_memory_checkpointer import InMemoryCheckpointer
from agentcheck.lint.rules.state.interrupt_without_checkpointer import (
    InterruptWithoutCheckpointer,
)
from agentcheck.lint.rules.state.license_key_missing import LicenseKeyMissing
from agentcheck.lint.rules.state.postgres_saver_misuse import PostgresSaverMisuse
from agentcheck.lint.rules.state.scale_to_zero import ScaleToZero
from agentcheck.lint.rules.state.shared_redis import SharedRedisWithoutPrefix
from agentcheck.lint.rules.state.sqlite_with_replicas import SqliteWithReplicas
from agentcheck.lint.rules.state.worker_concurrency import WorkerConcurrency

__all__ = [
    "BlockingCallInAsyncNode",
    "CustomCheckpointerOnAgentServer",
    "DatabaseEnvMissing",
    "InMemoryCheckpointer",
    "InterruptWithoutCheckpointer",
    "LicenseKeyMissing",
    "PostgresSaverMisuse",
    "ScaleToZero",
    "SharedRedisWithoutPrefix",
    "SqliteWithReplicas",
    "WorkerConcurrency",
]


@hookimpl
def agentcheck_rules() -> list[type[Rule]]:
    return [
        InMemoryCheckpointer,
        CustomCheckpointerOnAgentServer,
        SqliteWithReplicas,
        PostgresSaverMisuse,
        InterruptWithoutCheckpointer,
        DatabaseEnvMissing,
        LicenseKeyMissing,
        WorkerConcurrency,
        SharedRedisWithoutPrefix,
        ScaleToZero,
        BlockingCallInAsyncNode,
    ]
