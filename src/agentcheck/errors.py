"""The exceptions agentcheck raises.

Every error derives from :class:`AgentcheckError`; each subclass also inherits the built-in
exception it refines, so callers may catch either.
"""

from __future__ import annotations

__all__ = ["AgentcheckError", "ConfigError", "LiveError", "UsageError"]


class AgentcheckError(Exception):
    """The root of agentcheck's own errors."""


class ConfigError(AgentcheckError, ValueError):
    """The ``[tool.agentcheck]`` configuration or a command-line setting is wrong.

    The message names the file and, where known, the key.
    """


class UsageError(AgentcheckError, ValueError):
    """A command was called with arguments that cannot work together."""


class LiveError(AgentcheckError, RuntimeError):
    """A live deployment could not be started, reached or cleaned up."""
