"""Built-in rules: operations, observability, rollout and exposure (AC5xx).

Loaded through the ``agentcheck`` entry-point group.
"""

from __future__ import annotations

from agentcheck.hookspecs import hookimpl
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations.ac501_debug_logging import DebugLoggingInProduction
from agentcheck.lint.rules.operations.ac502_tracing import TracingNotConfigured
from agentcheck.lint.rules.operations.ac503_missing_probes import MissingProbes
from agentcheck.lint.rules.operations.ac504_liveness_database import LivenessChecksDatabase
from agentcheck.lint.rules.operations.ac505_missing_resources import MissingResources
from agentcheck.lint.rules.operations.ac506_mutable_image_tag import MutableImageTag
from agentcheck.lint.rules.operations.ac507_single_replica import SingleReplica
from agentcheck.lint.rules.operations.ac508_env_file_in_production import EnvFileInProduction
from agentcheck.lint.rules.operations.ac509_no_auth import NoAuth
from agentcheck.lint.rules.operations.ac510_cors_allow_all import CorsAllowAll
from agentcheck.lint.rules.operations.ac511_env_var_missing import EnvVarMissingInProduction

__all__ = [
    "CorsAllowAll",
    "DebugLoggingInProduction",
    "EnvFileInProduction",
    "EnvVarMissingInProduction",
    "LivenessChecksDatabase",
    "MissingProbes",
    "MissingResources",
    "MutableImageTag",
    "NoAuth",
    "SingleReplica",
    "TracingNotConfigured",
]


@hookimpl
def agentcheck_rules() -> list[type[Rule]]:
    return [
        DebugLoggingInProduction,
        TracingNotConfigured,
        MissingProbes,
        LivenessChecksDatabase,
        MissingResources,
        MutableImageTag,
        SingleReplica,
        EnvFileInProduction,
        NoAuth,
        CorsAllowAll,
        EnvVarMissingInProduction,
    ]
