"""Live checks: start the agent as production will run it, and prove it works."""

from __future__ import annotations
