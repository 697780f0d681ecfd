"""AC405: a process manager that kills long requests."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck import pyindex
from agentcheck.deployment import deployment
from agentcheck.deployment.model import GunicornRun
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.network._common import FLOOR, seconds

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["WorkerTimeout"]

#: Constructors of ASGI applications: gunicorn's sync workers cannot serve them.
_ASGI = frozenset({"FastAPI", "Starlette", "Quart", "Litestar", "APIRouter"})


class WorkerTimeout(Rule):
    """gunicorn kills requests that run longer than its worker timeout.

    What it does
    ------------
    Reads how production starts gunicorn (Dockerfile ``CMD``, compose ``command``, Kubernetes
    ``command``/``args``, Procfile, ``GUNICORN_CMD_ARGS`` and ``gunicorn.conf.py``) and reports:

    - sync workers (gunicorn's default) whose ``--timeout`` (30 s by default) is below the run
      budget (``[tool.agentcheck] run-budget``, 300 s by default): a sync worker that has not
      answered within the timeout is killed mid-request;
    - sync workers serving an ASGI application (FastAPI, Starlette): they cannot run it at all.

    With an async worker class (``uvicorn.workers.UvicornWorker``) or threads, the timeout only
    detects a frozen event loop and is not reported.

    Why is this bad?
    ----------------
    An agent run streams for minutes. gunicorn's arbiter restarts a sync worker that has not
    checked in for ``--timeout`` seconds: the stream breaks with "WORKER TIMEOUT" in the logs,
    and the run is lost with the worker.

    Example
    -------
    ```dockerfile
    CMD ["gunicorn", "app.main:app", "-b", ":8000"]
    ```

    Use instead
    -----------
    ```dockerfile
    CMD ["gunicorn", "app.main:app", "-k", "uvicorn.workers.UvicornWorker", "-b", ":8000"]
    ```
    """

    code = "AC405"
    name = "worker-timeout"
    severity = Severity.WARNING
    message = "gunicorn kills requests longer than its worker timeout."
    fix = "Use async workers (`-k uvicorn.workers.UvicornWorker`) or raise `--timeout`."

    def check(self, project: Project) -> Iterator[Finding]:
        budget = project.config.run_budget
        for run in deployment(project).gunicorn:
            if not run.sync_workers:
                continue
            asgi = _asgi_app(project, run)
            worker = run.worker_class
            if asgi is not None:
                yield self.finding(
                    worker.where.path,
                    worker.where.line,
                    worker.where.column,
                    message=(
                        f"gunicorn ({run.source}) serves the ASGI app {run.app} ({asgi}) with "
                        f"{'sync' if worker.explicit else 'its default sync'} workers: they "
                        "cannot run an ASGI app, and kill any request longer than --timeout."
                    ),
                    fix="Add `-k uvicorn.workers.UvicornWorker` (or run uvicorn directly).",
                )
                continue
            timeout = run.timeout_seconds
            if timeout is None or timeout == 0 or timeout >= budget:
                continue  # 0 disables gunicorn's timeout
            where = run.timeout.where
            wanted = round(max(budget, FLOOR))
            written = "" if run.timeout.explicit else " (gunicorn's default)"
            yield self.finding(
                where.path,
                where.line,
                where.column,
                message=(
                    f"gunicorn ({run.source}) kills a sync worker after {seconds(timeout)}"
                    f"{written}, shorter than the run budget ({seconds(budget)}): a long run "
                    "dies with its worker."
                ),
                fix=(
                    "Use async workers (`-k uvicorn.workers.UvicornWorker`), or set "
                    + (
                        f"`timeout = {wanted}`"
                        if where.path.endswith(".py")
                        else f"`--timeout {wanted}`"
                    )
                    + "."
                ),
            )


def _asgi_app(project: Project, run: GunicornRun) -> str | None:
    """The file defining ``run.app`` when it constructs an ASGI application there."""
    if not run.app or ":" not in run.app:
        return None
    module, _, attr = run.app.partition(":")
    attr = attr.split("(", 1)[0]
    rel = pyindex.module_path(project, module)
    if rel is None and run.base:
        rel = pyindex.module_path(project, module, search_roots=(run.base,))
    if rel is None:
        return None
    node = pyindex.top_level_bindings(project, rel).get(attr)
    if isinstance(node, ast.Call) and _callee(node) in _ASGI:
        return rel
    return None


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""
