"""pytest plugin: ``pytest --agentcheck --agentcheck-live`` (placeholder until it lands)."""

from __future__ import annotations
