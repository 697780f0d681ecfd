"""pytest plugin: ``pytest --agentcheck`` (placeholder until the plugin lands)."""

from __future__ import annotations
