"""Built-in rules: config (AC1xx), langgraph.json, code and packaging agree.

Loaded through the ``agentcheck`` entry-point group. The rules share the models in
:mod:`agentcheck.langgraph_config`, :mod:`agentcheck.pyindex` and :mod:`agentcheck.deps`.
AC100 (parse-error) lives in :mod:`agentcheck.lint.rules.core`: the runner reports it.

A project without langgraph.json or aegra.json is not a LangGraph project: AC101-AC108 say
nothing there (AC109 still reads deployment files, which may run ``langgraph dev`` anyway).
"""

from __future__ import annotations

from agentcheck.hookspecs import hookimpl
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.config.ac101_config_schema import ConfigSchema
from agentcheck.lint.rules.config.ac102_graph_target_missing import GraphTargetMissing
from agentcheck.lint.rules.config.ac103_graph_not_compiled import GraphNotCompiled
from agentcheck.lint.rules.config.ac104_env_file_missing import EnvFileMissing
from agentcheck.lint.rules.config.ac105_undeclared_dependency import UndeclaredDependency
from agentcheck.lint.rules.config.ac106_local_package_missing import LocalPackageMissing
from agentcheck.lint.rules.config.ac107_python_version_mismatch import PythonVersionMismatch
from agentcheck.lint.rules.config.ac108_unpinned_dependencies import UnpinnedDependencies
from agentcheck.lint.rules.config.ac109_dev_server_in_production import DevServerInProduction

__all__ = [
    "ConfigSchema",
    "DevServerInProduction",
    "EnvFileMissing",
    "GraphNotCompiled",
    "GraphTargetMissing",
    "LocalPackageMissing",
    "PythonVersionMismatch",
    "UndeclaredDependency",
    "UnpinnedDependencies",
]


@hookimpl
def agentcheck_rules() -> list[type[Rule]]:
    return [
        ConfigSchema,
        GraphTargetMissing,
        GraphNotCompiled,
        EnvFileMissing,
        UndeclaredDependency,
        LocalPackageMissing,
        PythonVersionMismatch,
        UnpinnedDependencies,
        DevServerInProduction,
    ]
