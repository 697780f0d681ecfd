"""AC831 load-slo: under Locust load the deployment meets its service-level objective."""

from __future__ import annotations

from agentcheck.live.checks import CheckFailed, LiveCheck, LiveContext

__all__ = ["LoadSlo"]


class LoadSlo(LiveCheck):
    """Under load, runs fail rarely, the first token comes soon and streams end in time.

    What it checks
    --------------
    Locust runs agentcheck's locustfile headless against the deployment (through the proxy when
    there is one; spread over the replicas and continuing each thread on another one when there
    is none) for ``duration`` seconds with ``users`` users. Each user creates a thread, streams
    a run (``messages-tuple`` and ``updates``), continues the thread and reads its state. The
    fake LLM answers as ``[tool.agentcheck.load.fake-llm]`` says, so what varies is the server.
    It fails when the share of failed requests is above ``max-failure-ratio``, the 95th
    percentile of time to first token above ``p95-first-token``, of the full stream above
    ``p95-stream``, or completed runs per second below ``min-runs-per-second``. The failure
    names each threshold, the measured value and the report. Runs with ``--agentcheck-load`` or
    ``enabled = true`` in ``[tool.agentcheck.load]``.

    Why it matters
    --------------
    Agent runs take seconds to minutes and hold a connection open the whole time: a server with
    one job per worker queues every user behind the others, a proxy with a short timeout cuts
    streams that wait, and a deployment that works for one user in a demo fails its first busy
    hour.

    How to fix
    ----------
    Read the report (``summary.html`` in the results folder) for which request failed or which
    percentile is slow: raise the workers' job count (``N_JOBS_PER_WORKER``,
    ``--n-jobs-per-worker``) or the replicas, lengthen the proxy's read timeout past the
    longest silence of a run, and keep blocking calls out of async nodes (AC311).
    """

    code = "AC831"
    name = "load-slo"
    summary = (
        "Locust load meets the thresholds: failure ratio, p95 time to first token, p95 full "
        "stream, throughput."
    )

    def run(self, ctx: LiveContext, graph: str) -> str:
        # Imported here: every lint loads this module (an entry point), never a load run.
        from agentcheck.load.checks._common import (
            load_run,
            remember_full_load,
            report_path,
            settings_for,
        )
        from agentcheck.load.report import write_reports
        from agentcheck.load.verdicts import describe_result, slo_breaches, thresholds

        settings = settings_for(ctx)
        deployment = ctx.deployment
        urls = deployment.urls
        spread = deployment.proxy_url is None and len(urls) > 1
        label = f"{len(urls)} replica{'s' if len(urls) > 1 else ''}" + (
            " through the proxy" if deployment.proxy_url is not None else ""
        )
        result = load_run(
            ctx,
            settings,
            name="ac831",
            label=label,
            host=ctx.url,
            replicas=urls if spread else (),
        )
        if len(urls) > 1:
            remember_full_load(ctx, settings.table, result)
        breaches = slo_breaches(result, settings.table)
        where = report_path(result, ctx.settings.root)
        figures = describe_result(result)
        status, text = ("failed", "; ".join(breaches)) if breaches else ("passed", figures)
        write_reports(result, [(status, f"AC831 load-slo: {text}")], thresholds(settings.table))
        if breaches:
            raise CheckFailed("; ".join(breaches) + f" ({figures}); report: {where}")
        return f"{figures}; report: {where}"
