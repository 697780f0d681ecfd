"""AC401: a proxy or load balancer timeout that cuts long streams."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.network._common import FLOOR, agent_proxies, seconds

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["ProxyTimeoutTooShort"]


class ProxyTimeoutTooShort(Rule):
    """A proxy or load balancer timeout that cuts the agent's streams.

    What it does
    ------------
    Reads the timeouts of every proxy in front of the agent: nginx ``proxy_read_timeout`` and
    ``proxy_send_timeout`` (inherited from ``server``/``http``, nginx's default is 60 s),
    ingress-nginx and NGINX Ingress Controller annotations and ConfigMap, the AWS ALB
    ``idle_timeout.timeout_seconds`` attribute and the Classic ELB idle timeout (60 s by
    default), GKE BackendConfig and GCPBackendPolicy ``timeoutSec`` (30 s), Cloud Run and
    Knative ``timeoutSeconds`` (300 s), HAProxy ``timeout server`` and ``timeout client``,
    Traefik entry-point ``readTimeout`` (60 s since v2.11) and ``writeTimeout`` and
    ``responseHeaderTimeout``, and Envoy route ``timeout`` (15 s) and ``idle_timeout``.
    HAProxy's ``timeout tunnel`` is read but not reported: it applies to WebSocket and
    ``CONNECT`` tunnels, and an SSE response is not one.

    It reports, as an error, a timeout set explicitly below 60 s, the seed's floor for LLM
    calls, when it cuts streams: a limit on the whole response, or an idle timer behind a
    server that sends no heartbeats (or heartbeats further apart than the timeout). Behind
    langgraph-api, whose heartbeats (every 5 s) keep streams alive through a short idle
    timeout (measured with a 10 s ``proxy_read_timeout``), it is a warning that names what
    breaks: blocking requests that wait for a run (``POST /runs/wait``), which get no
    heartbeats. It reports, as a warning, a timeout (explicit or the proxy's default) below the run
    budget (``[tool.agentcheck] run-budget``, 300 s by default) when nothing resets it during
    a run: a limit on the whole response (GKE, Cloud Run, Envoy's route timeout, Traefik) is
    never reset, and an idle timer is reset only by a server that sends SSE heartbeats
    (langgraph-api sends one every 5 s; Aegra sends none).

    Why is this bad?
    ----------------
    A graph step can stay silent for a minute while an LLM thinks or a tool runs. When the
    proxy's timer expires first, it closes the stream: the client sees a truncated run
    ("upstream timed out ... while reading upstream", a 504), while the run goes on, unseen.

    Example
    -------
    ```nginx
    location / {
        proxy_pass http://agent:8000;
        proxy_read_timeout 30s;
    }
    ```

    Use instead
    -----------
    ```nginx
    location / {
        proxy_pass http://agent:8000;
        proxy_read_timeout 600s;
    }
    ```
    """

    code = "AC401"
    name = "proxy-timeout-too-short"
    severity = Severity.ERROR
    message = "A proxy timeout is shorter than an LLM call or a run."
    fix = "Raise the timeout to at least the run budget (and never below 60 s)."

    def check(self, project: Project) -> Iterator[Finding]:
        budget = project.config.run_budget
        target = max(budget, FLOOR)
        seen: set[tuple[str, int, int, str]] = set()
        for proxy, behind in agent_proxies(project):
            for timeout in proxy.timeouts:
                value = timeout.seconds
                if value is None:
                    continue
                key = (
                    timeout.where.path,
                    timeout.where.line,
                    timeout.where.column,
                    timeout.setting,
                )
                if key in seen:
                    continue
                note = f" {timeout.note}" if timeout.note else ""
                fix = (
                    f"Set `{timeout.suggestion(target)}`{note} (the run budget is "
                    f"{seconds(budget)}; never below {seconds(FLOOR)})."
                )
                if timeout.explicit and value < FLOOR:
                    seen.add(key)
                    heartbeat = behind.heartbeat if timeout.idle and behind.known else None
                    if heartbeat is not None and value > heartbeat:
                        # Measured: langgraph-api's heartbeats keep streams alive through a
                        # 10 s proxy_read_timeout; a blocking /runs/wait gets none.
                        yield self.finding(
                            timeout.where.path,
                            timeout.where.line,
                            timeout.where.column,
                            message=(
                                f"{timeout.setting} is {seconds(value)} on {proxy.name}: "
                                f"streams survive it ({behind.label} sends an SSE heartbeat "
                                f"every {seconds(heartbeat)}), but a blocking request that "
                                "waits for the run (`POST /runs/wait`, `POST /threads/{id}/"
                                f"runs/wait`, a join without stream) longer than {seconds(value)}"
                                " is cut with a 504 while the run goes on."
                            ),
                            fix=fix,
                            severity=Severity.WARNING,
                        )
                        continue
                    if heartbeat is not None:
                        why = (
                            f"shorter than the {seconds(heartbeat)} between {behind.label}'s SSE "
                            "heartbeats, it closes idle streams as well as blocking `runs/wait` "
                            "requests"
                        )
                    else:
                        why = (
                            f"below the {seconds(FLOOR)} floor, a slow LLM call or a silent "
                            "step ends the request (stream or `runs/wait`) before the run does"
                        )
                    yield self.finding(
                        timeout.where.path,
                        timeout.where.line,
                        timeout.where.column,
                        message=f"{timeout.setting} is {seconds(value)} on {proxy.name}: {why}.",
                        fix=fix,
                    )
                    continue
                if not timeout.cuts_stream or value >= budget:
                    continue
                if timeout.idle and (not behind.known or behind.heartbeat is not None):
                    continue  # heartbeats reset idle timers (or the server is unknown)
                seen.add(key)
                source = "" if timeout.explicit else f" ({timeout.origin or 'the default'})"
                if timeout.idle:
                    why = (
                        f"{behind.label} sends no SSE heartbeats, so a step silent that long "
                        "closes the stream"
                    )
                else:
                    why = (
                        "it limits the whole response, so longer runs are cut even with heartbeats"
                    )
                yield self.finding(
                    timeout.where.path,
                    timeout.where.line,
                    timeout.where.column,
                    message=(
                        f"{timeout.setting} is {seconds(value)}{source} on {proxy.name}, shorter "
                        f"than the run budget ({seconds(budget)}): {why}."
                    ),
                    fix=fix,
                    severity=Severity.WARNING,
                )
