"""The load checks AC831 (load-slo) and AC832 (scale-out), registered as live checks.

They are live checks like AC801-AC824, collected with them through the
``agentcheck_live_checks`` hook (this module is an ``agentcheck`` entry point), and run only
when load is asked for: ``--agentcheck-load`` (``agentcheck check --live --load``) or
``enabled = true`` in ``[tool.agentcheck.load]``; otherwise they are skipped, saying so.
"""

from __future__ import annotations

from agentcheck import hookimpl
from agentcheck.live.checks import LiveCheck
from agentcheck.load.checks.ac831_load_slo import LoadSlo
from agentcheck.load.checks.ac832_scale_out import ScaleOut

__all__ = ["LoadSlo", "ScaleOut"]


@hookimpl
def agentcheck_live_checks() -> list[type[LiveCheck]]:
    return [LoadSlo, ScaleOut]
