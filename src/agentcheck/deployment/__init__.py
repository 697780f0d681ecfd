"""The deployment model shared by the rules: servers, workloads, replicas, env, graphs.

Build it with :func:`deployment` (memoized per project); see :mod:`agentcheck.deployment.model`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcheck.deployment.model import (
    Autoscaler,
    BuildCopy,
    CheckpointerInfo,
    CompileSite,
    Container,
    Deployment,
    DisruptionBudget,
    DockerfileInfo,
    EnvFileRef,
    EnvFrom,
    EnvSetting,
    EnvValue,
    Exposure,
    GraphInfo,
    Port,
    Probe,
    Replicas,
    SaverUse,
    Server,
    ServerKind,
    Where,
    Workload,
)

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = [
    "Autoscaler",
    "BuildCopy",
    "CheckpointerInfo",
    "CompileSite",
    "Container",
    "Deployment",
    "DisruptionBudget",
    "DockerfileInfo",
    "EnvFileRef",
    "EnvFrom",
    "EnvSetting",
    "EnvValue",
    "Exposure",
    "GraphInfo",
    "Port",
    "Probe",
    "Replicas",
    "SaverUse",
    "Server",
    "ServerKind",
    "Where",
    "Workload",
    "deployment",
]


def deployment(project: Project) -> Deployment:
    """The project's :class:`Deployment`, built once per project and shared by every rule."""
    from agentcheck.deployment._build import build

    return project.memo("agentcheck.deployment", lambda: build(project))
