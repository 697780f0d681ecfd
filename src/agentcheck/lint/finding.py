"""Findings: what a rule reports, where, and how to fix it.

The types live in :mod:`agentcheck._findings` so that the layers below lint (the project, its
configuration and the deployment model) can report AC100 findings without importing lint.
"""

from __future__ import annotations

from agentcheck._findings import Finding, Severity

__all__ = ["Finding", "Severity"]
