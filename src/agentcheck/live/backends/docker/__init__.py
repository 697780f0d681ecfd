"""The ``docker`` runtime: the agent's production image as containers (see :mod:`.backend`).

Needs the ``docker`` extra (testcontainers and the Docker SDK); nothing here imports them until a
deployment opens.
"""

from __future__ import annotations

from agentcheck.live.backends.docker.backend import DockerBackend

__all__ = ["DockerBackend"]
