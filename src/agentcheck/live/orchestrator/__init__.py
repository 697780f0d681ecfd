"""The deployment orchestrator (:class:`Deployment`) over a backend; see :mod:`.deployment`."""

from __future__ import annotations

from agentcheck.live.orchestrator._proxy import ProxyInfo
from agentcheck.live.orchestrator.deployment import Deployment

__all__ = ["Deployment", "ProxyInfo"]
