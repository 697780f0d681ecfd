"""The deployment model shared by the rules: servers, workloads, replicas, env, graphs.

Build it with :func:`deployment` (memoized per project); see :mod:`agentcheck.deployment.model`.
"""

from __future__ import annotations

from agentcheck.deployment.model import (
    Autoscaler,
    CheckpointerInfo,
    CompileSite,
    Container,
    Deployment,
    DisruptionBudget,
    DockerfileInfo,
    EnvFileRef,
    EnvFrom,
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
    deployment,
)

__all__ = [
    "Autoscaler",
    "CheckpointerInfo",
    "CompileSite",
    "Container",
    "Deployment",
    "DisruptionBudget",
    "DockerfileInfo",
    "EnvFileRef",
    "EnvFrom",
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
