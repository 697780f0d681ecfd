"""Load runs: Locust against a LangGraph deployment, with thresholds and reports.

* :mod:`agentcheck.load.locustfile` is the shipped locustfile (``locust -f`` works on it
  alone); ``loadtests/locustfile.py`` in the repository links to it.
* :func:`run_load` runs Locust headless in a subprocess (``--processes N`` for Locust's own
  distributed mode) and returns the :class:`LoadResult` read from Locust's CSV files, with the
  load generator's own CPU; :mod:`agentcheck.load.report` writes the summary page.
* :mod:`agentcheck.load.checks` are the live checks AC831 (load-slo) and AC832 (scale-out);
  ``agentcheck load`` (:mod:`agentcheck.load.cli`) runs the same from the command line.
* ``[tool.agentcheck.load]`` is :class:`LoadTable` (:func:`load_load_settings`).

Importing this package is cheap: Locust, gevent and pydantic load only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentcheck.load.results import LoadResult
    from agentcheck.load.runner import LOCUSTFILE, LoadPlan, run_load
    from agentcheck.load.settings import LoadSettings, LoadTable, load_load_settings

__all__ = [
    "LOCUSTFILE",
    "LoadPlan",
    "LoadResult",
    "LoadSettings",
    "LoadTable",
    "load_load_settings",
    "run_load",
]

_WHERE = {
    "LOCUSTFILE": "runner",
    "LoadPlan": "runner",
    "run_load": "runner",
    "LoadResult": "results",
    "LoadSettings": "settings",
    "LoadTable": "settings",
    "load_load_settings": "settings",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"agentcheck.load.{module}"), name)
